"""``jupyter_server.gateway.connections``: the kernel WebSocket relayed to a gateway (the core's)."""

from __future__ import annotations

from jupyter_server_core.gateway import GatewayWebSocketConnection

__all__ = ["GatewayWebSocketConnection"]
