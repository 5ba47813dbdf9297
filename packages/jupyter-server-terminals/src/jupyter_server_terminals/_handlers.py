"""REST handlers: ``/api/terminals`` and ``/api/terminals/<name>``."""

from __future__ import annotations

from jupyter_server_core import APIHandler
from tornado import web

from ._manager import NoSuchTerminal, TerminalCwdError, TerminalLimitReached, TerminalManager

__all__ = ["TerminalRootHandler", "TerminalHandler"]


class _TerminalAPIHandler(APIHandler):
    auth_resource = "terminals"

    def initialize(self, terminals: TerminalManager) -> None:
        self.terminals = terminals


class TerminalRootHandler(_TerminalAPIHandler):
    """``GET /api/terminals`` lists terminals; ``POST`` starts one.

    The POST body is optional: ``{"name": "...", "cwd": "dir/relative/to/root"}``. A name
    already running returns that terminal.
    """

    async def get(self) -> None:
        self.write_json(await self.terminals.list())

    async def post(self) -> None:
        body = self.get_json_body() or {}
        if not isinstance(body, dict):
            raise web.HTTPError(400, "The request body must be a JSON object such as {\"cwd\": \"some/dir\"}")
        name = body.get("name")
        if name is not None and (not isinstance(name, str) or not name or "/" in name):
            raise web.HTTPError(400, f"Terminal name must be a non-empty string without '/', got {name!r}")
        try:
            model = self.terminals.create(name=name, cwd=body.get("cwd"))
        except TerminalCwdError as exc:
            raise web.HTTPError(400, str(exc)) from None
        except TerminalLimitReached as exc:
            raise web.HTTPError(409, str(exc)) from None
        except OSError as exc:
            self.log.error("Could not start terminal shell %s: %s", self.terminals.shell_command, exc)
            raise web.HTTPError(
                500, f"Could not start the terminal shell {self.terminals.shell_command}: {exc} "
                "(check ServerApp.terminado_settings shell_command)"
            ) from None
        self.context.activity.touch("terminals")
        self.write_json(model)


class TerminalHandler(_TerminalAPIHandler):
    """``GET /api/terminals/<name>`` describes a terminal; ``DELETE`` ends its process."""

    async def get(self, name: str) -> None:
        try:
            self.write_json(await self.terminals.get(name))
        except NoSuchTerminal as exc:
            raise web.HTTPError(404, str(exc)) from None

    async def delete(self, name: str) -> None:
        try:
            await self.terminals.terminate(name)
        except NoSuchTerminal as exc:
            raise web.HTTPError(404, str(exc)) from None
        self.set_status(204)
        self.finish()
