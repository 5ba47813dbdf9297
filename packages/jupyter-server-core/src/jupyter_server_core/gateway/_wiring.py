"""The one place that decides whether kernels run here or on a gateway."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._client import GatewayClient

if TYPE_CHECKING:
    from .._serverapp import ServerApp

__all__ = ["configure_gateway", "gateway_kwargs"]


def _class_pairs() -> dict[str, tuple[type, type]]:
    """ServerApp class traits: (the local default, the gateway class)."""
    from jupyter_client.kernelspec import KernelSpecManager

    from ..kernels import MappingKernelManager, ZMQChannelsWebsocketConnection
    from ..sessions import SessionManager
    from ._kernels import GatewayMappingKernelManager
    from ._kernelspecs import GatewayKernelSpecManager
    from ._sessions import GatewaySessionManager
    from ._websocket import GatewayWebSocketConnection

    return {
        "kernel_spec_manager_class": (KernelSpecManager, GatewayKernelSpecManager),
        "kernel_manager_class": (MappingKernelManager, GatewayMappingKernelManager),
        "session_manager_class": (SessionManager, GatewaySessionManager),
        "kernel_websocket_connection_class": (ZMQChannelsWebsocketConnection, GatewayWebSocketConnection),
    }


def configure_gateway(serverapp: ServerApp) -> GatewayClient:
    """Build the server's GatewayClient; with ``GatewayClient.url`` set, make the gateway
    classes the kernel spec, kernel, session and WebSocket classes.

    Classes the operator configured (anything but the local defaults) are kept, with a
    warning when they are not gateway classes. Called by ``ServerApp.init_configurables``
    before the managers are built.
    """
    client = GatewayClient(parent=serverapp, log=serverapp.log)
    client.events = getattr(serverapp, "events", None)
    if not client.gateway_enabled:
        return client
    for trait, (local, remote) in _class_pairs().items():
        current = getattr(serverapp, trait)
        if current is local:
            setattr(serverapp, trait, remote)
        elif not issubclass(current, remote):
            serverapp.log.warning(
                "ServerApp.%s is %s.%s, which is not a gateway class: it will not use the gateway at %s",
                trait, current.__module__, current.__qualname__, client.url,
            )
    serverapp.log.info("Kernels and kernelspecs are served by the gateway at %s", client.url)
    return client


def gateway_kwargs(cls: type, client: GatewayClient | None) -> dict[str, Any]:
    """``{"gateway_client": client}`` for a manager class that takes one, else {}."""
    if client is None or not client.gateway_enabled:
        return {}
    names: list[str] = getattr(cls, "class_trait_names", lambda: [])()
    return {"gateway_client": client} if "gateway_client" in names else {}
