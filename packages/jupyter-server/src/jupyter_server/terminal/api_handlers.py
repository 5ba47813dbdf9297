"""``jupyter_server.terminal.api_handlers``: ``/api/terminals`` (the terminals wheel's handlers)."""

from __future__ import annotations

from jupyter_server_terminals import TerminalHandler, TerminalRootHandler

__all__ = ["TerminalAPIHandler", "TerminalHandler", "TerminalRootHandler"]

AUTH_RESOURCE = "terminals"

#: jupyter_server 2.x's name of the handler base of both terminal REST routes.
TerminalAPIHandler = TerminalRootHandler
