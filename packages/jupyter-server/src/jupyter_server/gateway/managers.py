"""``jupyter_server.gateway.managers``: the kernel, kernelspec and session managers of gateway mode.

The managers are the core's. ``gateway_request`` is looked up here by the server's gateway
client at every request, so replacing it (``unittest.mock.patch``) reroutes every REST
request to the gateway, as in jupyter_server 2.x. ``ChannelQueue`` is the per-channel
message queue of a kernel client talking to a gateway kernel.
"""

from __future__ import annotations

import asyncio
import logging
from queue import Empty
from typing import Any

from jupyter_server_core.gateway import (
    GatewayKernelSpecManager,
    GatewayMappingKernelManager,
    GatewaySessionManager,
)
from jupyter_server_core.kernels import KernelRecord

from .gateway_client import GatewayClient, gateway_request

__all__ = [
    "ChannelQueue",
    "GatewayClient",
    "GatewayKernelManager",
    "GatewayKernelSpecManager",
    "GatewayMappingKernelManager",
    "GatewaySessionManager",
    "HBChannelQueue",
    "gateway_request",
]

#: What ``GatewayMappingKernelManager.get_kernel(kernel_id)`` returns: the record of one
#: gateway kernel (name, state, activity). There is no local kernel process to manage.
GatewayKernelManager = KernelRecord


class ChannelQueue(asyncio.Queue[dict[str, Any]]):
    """The messages of one channel (``shell``, ``iopub``...) of a gateway kernel's WebSocket.

    A reader task puts what arrives; :meth:`get_msg` hands it out. ``channel_socket`` is
    the WebSocket connection, written by :meth:`send`. Once the reader has stopped
    (``response_router_finished``), a caller waiting for a message would wait forever:
    :meth:`get_msg` raises RuntimeError instead.
    """

    def __init__(self, channel_name: str, channel_socket: Any, log: logging.Logger | logging.LoggerAdapter[Any]) -> None:
        super().__init__()
        self.channel_name = channel_name
        self.channel_socket = channel_socket
        self.log = log
        self.response_router_finished = False

    async def get_msg(self, timeout: float | None = None, **kwargs: Any) -> dict[str, Any]:
        """The next message; ``queue.Empty`` when none came within ``timeout`` seconds
        (None waits as long as it takes)."""
        if timeout is not None and timeout < 0:
            raise ValueError(f"timeout must be None or 0 or more seconds, not {timeout}")
        if self.response_router_finished and self.empty():
            raise RuntimeError(f"The {self.channel_name} channel's messages stopped: its WebSocket is closed")
        try:
            message = await asyncio.wait_for(self.get(), timeout)
        except asyncio.TimeoutError:
            raise Empty(f"No {self.channel_name} message within {timeout} s") from None
        self.task_done()
        return message

    def send(self, msg: dict[str, Any]) -> None:
        """Write ``msg`` (a message dict) to the kernel's WebSocket on this channel."""
        import json

        self.channel_socket.send(json.dumps({**msg, "channel": self.channel_name}, default=str))

    def start(self) -> None:
        """Nothing to start: the WebSocket's reader fills the queue."""

    def stop(self) -> None:
        """Drop the messages nobody read."""
        while not self.empty():
            self.get_nowait()
            self.task_done()

    def is_alive(self) -> bool:
        return self.channel_socket is not None


class HBChannelQueue(ChannelQueue):
    """The heartbeat channel: a gateway kernel's heart beats as long as its WebSocket is open."""

    def is_beating(self) -> bool:
        return self.is_alive()
