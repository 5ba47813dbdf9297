"""The core services: kernels, kernelspecs and sessions, loaded as the core's extension."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._urls import url_path_join

if TYPE_CHECKING:
    from ._serverapp import ServerApp

__all__ = ["load_core_services", "start_core_services"]


def load_core_services(serverapp: ServerApp) -> None:
    """Add the kernels, kernelspecs and sessions routes and their OpenAPI paths."""
    from .kernels._handlers import KERNEL_ID_REGEX, kernel_routes
    from .kernels._openapi import KERNEL_PATHS, KERNEL_SCHEMAS
    from .kernelspecs import kernelspec_routes
    from .sessions._handlers import session_routes
    from .sessions._openapi import SESSION_PATHS, SESSION_SCHEMAS

    base = serverapp.base_url
    km = serverapp.kernel_manager
    if getattr(km, "events", False) is None:
        km.events = getattr(serverapp, "events", None)
    if getattr(km, "activity", False) is None:
        km.activity = getattr(serverapp, "activity", None)
    routes: list[Any] = []
    if getattr(km, "routes_kernels", False):
        from .gateway._routing_handlers import routing_routes

        routes += routing_routes(base, km)  # first: tornado takes the first rule that matches
    elif getattr(serverapp, "gateway_config", None) is not None and serverapp.gateway_config.gateway_enabled:
        from .gateway import gateway_routes

        # First: tornado takes the first rule that matches.
        routes += gateway_routes(base, km, serverapp.kernel_spec_manager)
    routes += kernel_routes(base, km)
    if hasattr(km, "journal_for"):
        from .kernels._journal_handlers import journal_routes
        from .kernels._unattended import UnattendedOutput

        routes += journal_routes(base, km)
        if km.unattended_output is None:
            km.unattended_output = UnattendedOutput(
                parent=serverapp, log=serverapp.log, kernel_manager=km, session_manager=serverapp.session_manager,
                contents_manager=lambda: getattr(serverapp, "contents_manager", None),
            )
    routes += kernelspec_routes(base, serverapp.kernel_spec_manager, km)
    routes += session_routes(base, serverapp.session_manager)
    try:
        from .kernels._websocket import KernelWebsocketHandler
    except ImportError as exc:
        serverapp.log.warning("The kernel WebSocket is not available: %s", exc)
    else:
        routes.append((
            url_path_join(base, rf"/api/kernels/{KERNEL_ID_REGEX}/channels"),
            KernelWebsocketHandler,
            {"kernel_manager": km, "serverapp": serverapp},
        ))
    assert serverapp.web_app is not None, "the core services load once the web app exists"
    serverapp.web_app.add_handlers(".*$", routes)
    serverapp.api_spec.add(KERNEL_PATHS, KERNEL_SCHEMAS)
    serverapp.api_spec.add(SESSION_PATHS, SESSION_SCHEMAS)


def start_core_services(serverapp: ServerApp) -> None:
    """Once the server listens: start filling the warm kernel pool (KernelPool.sizes)."""
    start_pool = getattr(serverapp.kernel_manager, "start_pool", None)
    if start_pool is not None:
        start_pool()
