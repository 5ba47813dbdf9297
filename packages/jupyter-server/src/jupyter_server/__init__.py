"""jupyter_server: the compatibility layer of the modular Jupyter Server.

The meta-package ``jupyter-server`` installs every wheel of the project; this import package
is where the module paths of jupyter_server 2.x (``jupyter_server.serverapp``,
``jupyter_server.base.handlers``, ``jupyter_server.extension.application``, ...) are mapped
onto those wheels, so that extensions written for jupyter_server 2.x import unchanged.
The mapping lives in submodules of this package; the package itself only gives the version.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__: str = version("jupyter-server")
except PackageNotFoundError:  # pragma: no cover - a source tree that was never installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
