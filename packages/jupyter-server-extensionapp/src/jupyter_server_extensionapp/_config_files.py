"""The ``.d`` folder of an ExtensionApp's config file: ``jupyter_<name>_config.d/*.json``.

traitlets reads ``jupyter_<name>_config.py`` and ``.json`` from each config folder. Packages
and images also drop JSON snippets into ``jupyter_<name>_config.d/`` beside them (as they do
for ``jupyter_server_config.d/``); an ExtensionApp reads those too. In one folder the order
is ``.py``, then ``.json``, then the ``.d`` files by name, each later one winning; an
earlier folder of ``jupyter --paths`` wins over a later one, as for the other files.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from traitlets.config.loader import Config, JSONFileConfigLoader

__all__ = ["conf_d_configs"]


def conf_d_configs(basefilename: str, folder: str | None, log: Any, raise_errors: bool) -> Iterator[tuple[Config, str]]:
    """``(config, filename)`` for each JSON file of ``<folder>/<basefilename>.d/``, by name.

    A file that does not parse is logged by name and skipped, or raised with
    ``raise_errors`` (``Application.raise_config_file_errors``), as traitlets does for the
    main files.
    """
    conf_d = os.path.join(folder or os.getcwd(), basefilename + ".d")
    try:
        names = sorted(n for n in os.listdir(conf_d) if n.endswith(".json"))
    except OSError:  # no such folder (the usual case), or not readable: nothing to add
        return
    for name in names:
        loader = JSONFileConfigLoader(name, path=conf_d, log=log)
        try:
            config = loader.load_config()
        except Exception:
            if raise_errors:
                raise
            if log is not None:
                log.error("Ignoring the config file %s: it is not valid JSON config", os.path.join(conf_d, name), exc_info=True)
            continue
        if config:
            yield config, loader.full_filename
