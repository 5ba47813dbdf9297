"""``jupyter_server.terminal.handlers``: the terminal WebSocket (the terminals wheel's)."""

from __future__ import annotations

from jupyter_server_terminals import TerminalWebSocketHandler

__all__ = ["TermSocket", "TerminalWebSocketHandler"]

AUTH_RESOURCE = "terminals"

#: jupyter_server 2.x's name of ``/terminals/websocket/<name>``'s handler.
TermSocket = TerminalWebSocketHandler
