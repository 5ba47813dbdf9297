"""Kernels and kernelspecs: managers, REST handlers and the kernel WebSocket."""

from ._manager import MappingKernelManager, ZMQChannelsWebsocketConnection

__all__ = ["MappingKernelManager", "ZMQChannelsWebsocketConnection"]
