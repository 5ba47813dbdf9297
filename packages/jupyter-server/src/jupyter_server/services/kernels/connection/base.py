"""``jupyter_server.services.kernels.connection.base``: the base class of kernel WebSocket connections.

The core has one connection class that every kind of kernel WebSocket (local ZeroMQ,
gateway relay) derives from: it is the base here too, so ``issubclass(cls,
BaseKernelWebsocketConnection)`` holds for every connection class the server uses.
"""

from __future__ import annotations

from jupyter_server_core.kernels import ZMQChannelsWebsocketConnection

__all__ = ["BaseKernelWebsocketConnection"]

BaseKernelWebsocketConnection = ZMQChannelsWebsocketConnection
