"""The installed version (the sdist does not carry the repository's _version.py)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("notebook-shim")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0"
