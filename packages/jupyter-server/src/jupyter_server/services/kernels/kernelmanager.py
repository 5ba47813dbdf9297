"""``jupyter_server.services.kernels.kernelmanager``: the server's mapping kernel manager.

``MappingKernelManager`` is async, as jupyter_server 2.x's default
``AsyncMappingKernelManager`` (both names are the core's class).
"""

from __future__ import annotations

from jupyter_server_core.kernels import AsyncMappingKernelManager, MappingKernelManager

__all__ = ["AsyncMappingKernelManager", "MappingKernelManager"]
