"""``jupyter_server.services.kernels.connection.channels``: the kernel WebSocket relay to ZeroMQ (the core's)."""

from __future__ import annotations

from jupyter_server_core.kernels import ZMQChannelsWebsocketConnection

__all__ = ["ZMQChannelsWebsocketConnection"]
