"""The one place that decides whether kernels run here, on a gateway, or both (routed)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._client import GatewayClient
from ._router import KernelRouter

if TYPE_CHECKING:
    from .._serverapp import ServerApp

__all__ = ["CLIENT_ENTRY_POINTS", "configure_gateway", "gateway_client_class", "gateway_kwargs"]

#: Entry point group where a wheel may name a GatewayClient subclass to use instead of
#: ours (the full install's compatibility layer adds jupyter_server 2.x's extra methods).
CLIENT_ENTRY_POINTS = "jupyter_server.gateway_client"


def gateway_client_class(log: Any = None) -> type[GatewayClient]:
    """The class of the server's GatewayClient: ours, or the subclass an installed wheel
    declares under :data:`CLIENT_ENTRY_POINTS` (the first by entry point name). One that
    fails to load or is no GatewayClient is skipped with a warning."""
    from importlib.metadata import entry_points

    for ep in sorted(entry_points(group=CLIENT_ENTRY_POINTS), key=lambda ep: ep.name):
        try:
            cls = ep.load()
        except Exception as exc:  # noqa: BLE001 - a broken wheel must not stop the server
            if log is not None:
                log.warning("Gateway client %s (%s) could not be loaded: %s", ep.name, ep.value, exc)
            continue
        if isinstance(cls, type) and issubclass(cls, GatewayClient):
            return cls
        if log is not None:
            log.warning("Gateway client %s (%s) is not a GatewayClient subclass: ignored", ep.name, ep.value)
    return GatewayClient


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
    client = gateway_client_class(serverapp.log)(parent=serverapp, log=serverapp.log)
    client.events = getattr(serverapp, "events", None)
    router = client.kernel_router = KernelRouter(parent=serverapp, log=serverapp.log)
    if router.routing:
        if client.gateway_enabled:
            serverapp.log.warning("GatewayClient.url (%s) is ignored: KernelRouter.gateways lists the gateways; "
                                  "add it there to keep using it", client.url)
            client.url = None
        _use_classes(serverapp, _routing_pairs(), "the gateways of KernelRouter.gateways")
        names = ", ".join(f"{r['name']} ({r['url']})" for r in router.gateways) or "none"
        serverapp.log.info("Kernels run %son gateways: %s", "here and " if router.local_kernels else "", names)
        return client
    if not client.gateway_enabled:
        return client
    _use_classes(serverapp, _class_pairs(), f"the gateway at {client.url}")
    serverapp.log.info("Kernels and kernelspecs are served by the gateway at %s", client.url)
    return client


def _routing_pairs() -> dict[str, tuple[type, type]]:
    """ServerApp class traits: (the local default, the routing class)."""
    from ._routing_kernels import RoutingKernelManager
    from ._routing_specs import RoutingKernelSpecManager

    pairs = _class_pairs()
    return {
        "kernel_spec_manager_class": (pairs["kernel_spec_manager_class"][0], RoutingKernelSpecManager),
        "kernel_manager_class": (pairs["kernel_manager_class"][0], RoutingKernelManager),
        "session_manager_class": pairs["session_manager_class"],
    }


def _use_classes(serverapp: Any, pairs: dict[str, tuple[type, type]], what: str) -> None:
    for trait, (local, remote) in pairs.items():
        current = getattr(serverapp, trait)
        if current is local:
            setattr(serverapp, trait, remote)
        elif not issubclass(current, remote):
            serverapp.log.warning(
                "ServerApp.%s is %s.%s, which is not a gateway class: it will not use %s",
                trait, current.__module__, current.__qualname__, what,
            )


def gateway_kwargs(cls: type, client: GatewayClient | None) -> dict[str, Any]:
    """``{"gateway_client": client}`` for a manager class that takes one, or
    ``{"kernel_router": ...}`` for a routing one; else {}."""
    if client is None:
        return {}
    names: list[str] = getattr(cls, "class_trait_names", lambda: [])()
    router = getattr(client, "kernel_router", None)
    if router is not None and router.routing and "kernel_router" in names:
        return {"kernel_router": router}
    if not client.gateway_enabled:
        return {}
    return {"gateway_client": client} if "gateway_client" in names else {}
