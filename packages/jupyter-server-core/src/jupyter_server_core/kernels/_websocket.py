"""The kernel WebSocket handler: ``/api/kernels/<kernel_id>/channels``.

Work in progress (issue 3b): this first version only fixes the class name and its
``initialize`` signature so the routes can import it.
"""

from __future__ import annotations

from typing import Any

from tornado import web
from tornado.websocket import WebSocketHandler

from .._base_handlers import JupyterHandler

__all__ = ["KernelWebsocketHandler"]


class KernelWebsocketHandler(WebSocketHandler, JupyterHandler):  # type: ignore[misc]
    """Bridges one WebSocket client to one kernel's ZMQ channels."""

    def initialize(self, kernel_manager: Any, serverapp: Any = None) -> None:
        self.kernel_manager = kernel_manager
        self._serverapp = serverapp

    async def get(self, *args: Any, **kwargs: Any) -> None:
        raise web.HTTPError(503, "The kernel WebSocket is not available yet")
