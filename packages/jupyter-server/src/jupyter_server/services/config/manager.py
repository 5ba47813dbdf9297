"""``jupyter_server.services.config.manager``: ConfigManager and ``recursive_update``.

The core's ConfigManager (``/api/config`` sections, folders highest priority first), plus
``config_dir_name``: the name of the folder under every Jupyter config directory it reads
(``serverconfig`` by default; jupyterlab_server reads ``labconfig`` this way).
"""

from __future__ import annotations

import os

import jupyter_server_core.config
from jupyter_core.paths import jupyter_config_dir, jupyter_config_path
from jupyter_server_core.config import recursive_update
from traitlets import Unicode, default

__all__ = ["ConfigManager", "recursive_update"]


class ConfigManager(jupyter_server_core.config.ConfigManager):
    """JSON config sections read from ``<config dir>/<config_dir_name>/<section>.json``."""

    config_dir_name = Unicode(
        "serverconfig", help="The folder under each Jupyter config directory holding the JSON sections."
    ).tag(config=True)

    @default("read_config_path")
    def _default_read_path(self) -> list[str]:
        return [os.path.join(p, self.config_dir_name) for p in jupyter_config_path()]

    @default("write_config_dir")
    def _default_write_dir(self) -> str:
        return os.path.join(jupyter_config_dir(), self.config_dir_name)
