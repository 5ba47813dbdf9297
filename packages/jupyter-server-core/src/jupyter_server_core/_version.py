"""The installed version, read from the package metadata (the sdist has no _version.py)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("jupyter-server-core")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

version_info = tuple(int(p) if p.isdigit() else p for p in __version__.split("."))

__all__ = ["__version__", "version_info"]
