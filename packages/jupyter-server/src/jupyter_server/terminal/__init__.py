"""``jupyter_server.terminal``: terminals, now the jupyter-server-terminals wheel.

Kept as an import path for code written against jupyter_server 1.x/2.x; the classes are the
terminals wheel's own (``/api/terminals``, ``/terminals/websocket/<name>``).
``initialize(webapp, root_dir, connection_url, settings)`` is the 1.x way of adding
terminals to a tornado application by hand; a server of ours loads them as an extension.
"""

from __future__ import annotations

from typing import Any

from jupyter_server_terminals import TerminalManager, terminal_routes

__all__ = ["TerminalManager", "initialize"]


def initialize(webapp: Any, root_dir: str, connection_url: str, settings: dict[str, Any]) -> TerminalManager:
    """Add the terminal routes to ``webapp`` (under its ``base_url`` setting), with a
    TerminalManager on ``root_dir`` configured by ``settings`` (terminado settings); the
    manager is also ``webapp.settings["terminal_manager"]``."""
    manager = TerminalManager(
        root_dir=root_dir, terminado_settings=dict(settings),
        extra_env={"JUPYTER_SERVER_ROOT": root_dir, "JUPYTER_SERVER_URL": connection_url},
    )
    webapp.add_handlers(".*$", terminal_routes(webapp.settings.get("base_url", "/"), manager))
    webapp.settings["terminal_manager"] = manager
    webapp.settings["terminals_available"] = True
    return manager
