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

__all__ = ["ServerApp", "aliases", "flags", "list_running_servers", "main"]

aliases: dict[str, Any] = ServerApp.aliases
flags: dict[str, Any] = ServerApp.flags
