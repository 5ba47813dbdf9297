"""Remote kernels: the gateway client (Kernel Gateway, Enterprise Gateway).

With ``GatewayClient.url`` set (``--gateway-url``, ``JUPYTER_GATEWAY_URL``), the server's
kernelspecs, kernels and kernel WebSockets are the gateway's; sessions stay local. See
docs/gateway.md.
"""

from __future__ import annotations

from typing import Any

from ._client import GatewayClient
from ._errors import GatewayError
from ._router import KernelRouter
from ._tokens import GatewayTokenRenewerBase, NoOpTokenRenewer
from ._wiring import configure_gateway, gateway_kwargs

__all__ = [
    "GatewayClient",
    "GatewayError",
    "GatewayKernelSpecManager",
    "GatewayMappingKernelManager",
    "GatewaySessionManager",
    "GatewayTokenRenewerBase",
    "GatewayWebSocketConnection",
    "KernelRouter",
    "NoOpTokenRenewer",
    "RoutingKernelManager",
    "RoutingKernelSpecManager",
    "configure_gateway",
    "gateway_kwargs",
    "gateway_routes",
]

_LAZY = {
    "GatewayKernelSpecManager": "._kernelspecs",
    "GatewayMappingKernelManager": "._kernels",
    "GatewaySessionManager": "._sessions",
    "GatewayWebSocketConnection": "._websocket",
    "RoutingKernelManager": "._routing_kernels",
    "RoutingKernelSpecManager": "._routing_specs",
    "gateway_routes": "._handlers",
}


def __getattr__(name: str) -> Any:
    # The managers and handlers load only when a gateway is configured (or --help-all).
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(name)
    import importlib

    return getattr(importlib.import_module(module, __name__), name)
