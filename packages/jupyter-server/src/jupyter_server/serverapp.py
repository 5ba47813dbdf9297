"""``jupyter_server.serverapp``: the server application, its command-line aliases and flags.

``ServerApp`` is the core's class itself (not a copy): ``jupyter server``, ``jupyter lab``
and JupyterHub's single-user server all run it. ``aliases`` and ``flags`` are the very
dictionaries the ServerApp parses its command line with, so an extension that adds to them
in place (``flags["core-mode"] = ...``, as JupyterLab does) adds to the server's options.
"""

from __future__ import annotations

from typing import Any

from jupyter_server_core import ServerApp
from jupyter_server_core._serverapp import main
from jupyter_server_core._serverinfo import list_running_servers

__all__ = ["JUPYTER_SERVICE_HANDLERS", "ServerApp", "aliases", "flags", "list_running_servers", "main"]

# Each service of jupyter_server 2.x and the modules whose ``default_handlers`` (URL pattern,
# handler) and ``AUTH_RESOURCE`` describe it; test suites map URLs to auth resources with it.
JUPYTER_SERVICE_HANDLERS: dict[str, list[str] | None] = {
    "auth": None,
    "api": ["jupyter_server.services.api.handlers"],
    "config": ["jupyter_server.services.config.handlers"],
    "contents": ["jupyter_server.services.contents.handlers"],
    "files": ["jupyter_server.files.handlers"],
    "kernels": ["jupyter_server.services.kernels.handlers"],
    "kernelspecs": ["jupyter_server.kernelspecs.handlers", "jupyter_server.services.kernelspecs.handlers"],
    "nbconvert": ["jupyter_server.nbconvert.handlers", "jupyter_server.services.nbconvert.handlers"],
    "security": ["jupyter_server.services.security.handlers"],
    "sessions": ["jupyter_server.services.sessions.handlers"],
    "shutdown": ["jupyter_server.services.shutdown"],
    "view": ["jupyter_server.view.handlers"],
    "events": ["jupyter_server.services.events.handlers"],
}

aliases: dict[str, Any] = ServerApp.aliases
flags: dict[str, Any] = ServerApp.flags
