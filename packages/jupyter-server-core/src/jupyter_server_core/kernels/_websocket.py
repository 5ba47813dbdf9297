"""The kernel WebSocket handler: ``/api/kernels/<kernel_id>/channels?session_id=...``.

``&replay_since=<msg_id>`` asks for every iopub message the kernel's journal kept after
that message first (docs/kernel-journal.md).

The handler does the HTTP side (authentication, authorization, origin, the upgrade and
the subprotocol choice) and hands everything else to a connection object
(``ServerApp.kernel_websocket_connection_class``, :class:`ZMQChannelsWebsocketConnection`
by default). It keeps no kernel state.
"""

from __future__ import annotations

import json
from typing import Any

from tornado import web
from tornado.websocket import WebSocketHandler

from .._base_handlers import JupyterHandler, WebSocketMixin
from ._connection import ZMQChannelsWebsocketConnection
from ._wsprotocol import V1_PROTOCOL

__all__ = ["KernelWebsocketHandler"]


class KernelWebsocketHandler(WebSocketMixin, WebSocketHandler, JupyterHandler):
    """Bridges one WebSocket client to one kernel's channels.

    Route kwargs: ``kernel_manager`` (the server's MappingKernelManager) and
    ``serverapp`` (for the connection class and the iopub rate-limit settings).
    """

    def initialize(self, kernel_manager: Any, serverapp: Any = None) -> None:
        self.kernel_manager = kernel_manager
        self._serverapp = serverapp
        self.connection: ZMQChannelsWebsocketConnection | None = None

    @property
    def kernel_id(self) -> str:
        """The kernel id from the URL."""
        return str(self.path_kwargs.get("kernel_id") or (self.path_args[0] if self.path_args else ""))

    # -- before the upgrade --------------------------------------------------------------

    def select_subprotocol(self, subprotocols: list[str]) -> str | None:
        """The v1 binary protocol when offered; otherwise the default JSON protocol."""
        return V1_PROTOCOL if V1_PROTOCOL in subprotocols else None

    async def get(self, kernel_id: str, *args: Any, **kwargs: Any) -> None:
        if not await self.authorize("execute", "kernels"):
            user = self.current_user
            name = getattr(user, "username", "anonymous")
            raise web.HTTPError(403, f"User {name!r} is not authorized to execute kernels")
        self.connection = self.make_connection(kernel_id)
        await self.connection.prepare()
        await super().get(kernel_id, *args, **kwargs)

    def make_connection(self, kernel_id: str) -> ZMQChannelsWebsocketConnection:
        """The connection object for this request (the configured class)."""
        app = self._serverapp
        cls = getattr(app, "kernel_websocket_connection_class", None) or ZMQChannelsWebsocketConnection
        settings: dict[str, Any] = {}
        for name in ("limit_rate", "iopub_msg_rate_limit", "iopub_data_rate_limit", "rate_limit_window"):
            if app is not None and hasattr(app, name):
                settings[name] = getattr(app, name)
        replay_since = self.get_argument("replay_since", "")
        if replay_since:  # only then: a connection class of an extension may not know it
            settings["replay_since"] = replay_since
        parent: Any = self.kernel_manager
        route = getattr(parent, "connection_route", None)
        if route is not None:  # kernels here and on gateways: the kernel's own manager and class
            parent, cls = route(kernel_id, cls)
        return cls(
            parent=parent, log=self.kernel_manager.log, kernel_id=kernel_id,
            session_id=self.get_argument("session_id", ""), websocket_handler=self, **settings,
        )

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """Refusals before the upgrade are JSON, like the rest of ``/api``."""
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(self.error_model(status_code, **kwargs)))

    # -- once open -----------------------------------------------------------------------

    async def open(self, kernel_id: str, *args: Any, **kwargs: Any) -> None:
        # tornado turns Nagle back on after the upgrade; small frames must not wait.
        self.set_nodelay(True)
        assert self.connection is not None
        self.connection.kernel_ws_protocol = self.selected_subprotocol or ""
        self.log.info("Kernel %s: client connected (session %s, protocol %s)", kernel_id,
                      self.connection.session_id or "-", self.connection.kernel_ws_protocol or "default")
        try:
            await self.connection.connect()
        except Exception:
            self.log.exception("Kernel %s: connecting the WebSocket failed", kernel_id)
            self.close(1011, "Could not connect to the kernel")

    async def on_message(self, message: str | bytes) -> None:
        if self.connection is not None:
            await self.connection.handle_incoming_message(message)

    def on_close(self) -> None:
        if self.connection is not None:
            self.connection.disconnect()
            self.log.info("Kernel %s: client disconnected (session %s)", self.connection.kernel_id,
                          self.connection.session_id or "-")
