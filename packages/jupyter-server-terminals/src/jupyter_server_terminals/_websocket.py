"""``/terminals/websocket/<name>``: a terminal over a WebSocket, in terminado's format.

Messages are JSON arrays whose first item names the kind: the client sends
``["stdin", text]`` and ``["set_size", rows, cols, ...]``; the server sends
``["setup", {}]`` on connect, ``["stdout", text]`` and ``["disconnect", 1]`` when the
shell has ended.
"""

from __future__ import annotations

import json
from typing import Any

from jupyter_server_core import JupyterHandler
from terminado.websocket import TermSocket
from tornado import web
from tornado.websocket import WebSocketClosedError

from ._manager import NoSuchTerminal, TerminalManager

__all__ = ["TerminalWebSocketHandler"]


class TerminalWebSocketHandler(TermSocket, JupyterHandler):
    """terminado's TermSocket with the server's authentication and origin checks.

    The connection is authenticated in ``prepare`` like any request, then authorized to
    ``execute`` on ``terminals``; the Origin check is the server's (``allow_origin`` and
    friends), not tornado's same-host default.
    """

    def initialize(self, terminals: TerminalManager) -> None:  # type: ignore[override]
        self.terminals = terminals
        super().initialize(term_manager=terminals.terminado)

    def check_origin(self, origin: str | None = None) -> bool:
        return JupyterHandler.check_origin(self, origin)

    def refuse_unauthenticated(self) -> None:
        # A WebSocket cannot follow a redirect to the login page.
        raise web.HTTPError(403, "Not authenticated: send the token or log in")

    async def get(self, name: str) -> None:
        if not await self.authorize("execute", "terminals"):
            raise web.HTTPError(403, "Not authorized to use terminals")
        if name not in self.terminals:
            raise web.HTTPError(404, f"Terminal not found: {name}")
        await super().get(name)

    def open(self, name: str) -> None:  # type: ignore[override]
        try:
            super().open(name)
        except NoSuchTerminal:
            # Ended between the upgrade check and now.
            self.terminal = None
            self.close(1011, f"Terminal not found: {name}")
            return
        self.terminals.touch(name)

    async def on_message(self, message: str | bytes) -> None:  # type: ignore[override]
        """Feed ``stdin`` to the shell and apply ``set_size``; ignore anything else."""
        try:
            command = json.loads(message)
        except (ValueError, UnicodeDecodeError):
            self.log.warning("Terminal %s: ignoring a message that is not JSON", self.term_name)
            return
        if not isinstance(command, list) or not command or self.terminal is None:
            return
        kind = command[0]
        if kind == "stdin" and len(command) > 1 and isinstance(command[1], str):
            self.terminals.touch(self.term_name)
            self.context.activity.touch("terminals")
            await self.stdin_to_ptyproc(command[1])
        elif kind == "set_size" and len(command) > 2 and all(
            isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in command[1:3]
        ):
            self.size = (command[1], command[2])
            self.terminal.resize_to_smallest()
        else:
            self.log.debug("Terminal %s: ignoring message %.40r", self.term_name, message)

    def on_pty_died(self) -> None:
        try:
            super().on_pty_died()
        except WebSocketClosedError:
            self.terminal = None

    def on_close(self) -> None:
        if self.terminal is not None and self in self.terminal.clients:
            super().on_close()

    def send_json_message(self, content: Any) -> None:
        try:
            super().send_json_message(content)
        except WebSocketClosedError:
            pass
