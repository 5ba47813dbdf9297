"""jupyter_server: the compatibility layer of the modular Jupyter Server.

The meta-package ``jupyter-server`` installs every wheel of the project; this import package
is where the module paths of jupyter_server 2.x (``jupyter_server.serverapp``,
``jupyter_server.base.handlers``, ``jupyter_server.extension.application``, ...) are mapped
onto those wheels, so that extensions written for jupyter_server 2.x import unchanged.
The mapping lives in submodules (see docs/porting-extensions.md); importing the package
itself costs only the version lookup.
"""

from __future__ import annotations

from ._version import __version__, version_info
from .base.call_context import CallContext

__all__ = ["DEFAULT_JUPYTER_SERVER_PORT", "CallContext", "__version__", "version_info"]

#: The port ``jupyter server`` tries first (``ServerApp.port``).
DEFAULT_JUPYTER_SERVER_PORT = 8888
