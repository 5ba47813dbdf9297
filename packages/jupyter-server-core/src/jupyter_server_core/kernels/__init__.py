"""Kernels: the manager, its REST handlers and (in _websocket) the kernel WebSocket."""

from __future__ import annotations

from typing import Any

from ._errors import (
    KernelError,
    KernelNotFound,
    KernelPathError,
    KernelPending,
    KernelSpecNotFound,
    KernelStartError,
)
from ._events import KernelEventCallback
from ._manager import MappingKernelManager
from ._record import KernelRecord

#: jupyter_server 2.x spells the (only, async) manager both ways.
AsyncMappingKernelManager = MappingKernelManager

__all__ = [
    "AsyncMappingKernelManager",
    "KernelError",
    "KernelEventCallback",
    "KernelNotFound",
    "KernelPathError",
    "KernelPending",
    "KernelRecord",
    "KernelSpecNotFound",
    "KernelStartError",
    "KernelWebsocketHandler",
    "MappingKernelManager",
    "ZMQChannelsWebsocketConnection",
    "kernel_routes",
]


def __getattr__(name: str) -> Any:
    # Imported on demand: the handlers pull in tornado.web, the connection class the
    # WebSocket machinery (kernels/_connection.py).
    if name == "kernel_routes":
        from ._handlers import kernel_routes

        return kernel_routes
    if name == "KernelWebsocketHandler":
        from ._websocket import KernelWebsocketHandler

        return KernelWebsocketHandler
    if name == "ZMQChannelsWebsocketConnection":
        from ._connection import ZMQChannelsWebsocketConnection

        return ZMQChannelsWebsocketConnection
    raise AttributeError(name)
