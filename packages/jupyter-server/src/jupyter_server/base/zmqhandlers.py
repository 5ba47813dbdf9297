"""``jupyter_server.base.zmqhandlers``: the older home of :class:`WebSocketMixin`."""

from __future__ import annotations

from .websocket import WebSocketMixin

__all__ = ["WebSocketMixin"]
