"""``jupyter_server._version``: the version of this install, as jupyter_server 2.x spells it.

JupyterLab reads ``version_info`` (a tuple) into its page config as ``notebookVersion``.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__: str = version("jupyter-server")
except PackageNotFoundError:  # pragma: no cover - a source tree that was never installed
    __version__ = "0.0.0"

version_info: tuple[int | str, ...] = tuple(int(p) if p.isdigit() else p for p in __version__.split("."))

__all__ = ["__version__", "version_info"]
