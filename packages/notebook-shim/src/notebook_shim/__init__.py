"""notebook-shim: classic notebook configuration for the Jupyter Server.

Enabled as a server extension (its manifest is installed with the wheel), it reads
``jupyter_notebook_config.py|json`` and ``NotebookApp.*`` settings and applies them to the
server with a warning naming each new spelling. ``jupyter server migrate`` rewrites those
files as server config. :class:`notebook_shim.shim.NotebookConfigShimMixin` does the same
for an ExtensionApp (JupyterLab and Notebook 7 mix it in).
"""

from __future__ import annotations

from typing import Any

from ._version import __version__

__all__ = ["__version__", "apply_classic_config"]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "notebook_shim"}]


def _link_jupyter_server_extension(serverapp: Any) -> None:
    """Apply the classic config before the server builds its managers, web app and sockets."""
    from ._apply import apply_classic_config, prepare_ipython_dir

    apply_classic_config(serverapp)
    prepare_ipython_dir(serverapp.log)


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Every extension is linked now: name the classic settings none of them took."""
    from ._apply import warn_unclaimed

    warn_unclaimed(serverapp)


def apply_classic_config(serverapp: Any) -> Any:
    """Read and apply the classic configuration to ``serverapp``; returns what was read."""
    from ._apply import apply_classic_config as apply

    return apply(serverapp)
