"""The kernelspec handlers of a routing server: local and gateway kernelspecs merged.

Kernel handlers are the gateway's refreshing ones (``_handlers.py``): the
RoutingKernelManager refreshes its gateways' kernels and reads local ones as they are.
"""

from __future__ import annotations

from typing import Any

from jupyter_client.kernelspec import NoSuchKernel
from tornado import web

from .._base_handlers import APIHandler
from .._urls import url_path_join, url_unescape
from ..kernels import KernelError
from ..kernels._handlers import KERNEL_ID_REGEX, http_error
from ..kernelspecs._handlers import KernelSpecResourceHandler, kernelspec_model
from ._handlers import GatewayKernelHandler, GatewayMainKernelHandler, local_resources
from ._router import RemoteGateway
from ._routing_kernels import RoutingKernelManager
from ._routing_specs import RoutingKernelSpecManager

__all__ = ["routing_routes"]


class RoutingKernelSpecAPIHandler(APIHandler):
    auth_resource = "kernelspecs"

    def initialize(self, kernel_spec_manager: RoutingKernelSpecManager, kernel_manager: RoutingKernelManager) -> None:
        self.kernel_spec_manager = kernel_spec_manager
        self.kernel_manager = kernel_manager

    def model(self, name: str, remote: RemoteGateway | None, model: dict[str, Any]) -> dict[str, Any]:
        if remote is None:
            return kernelspec_model(self.base_url, name, model["spec"])
        return {"name": name, "spec": model.get("spec", {}),
                "resources": local_resources(self.base_url, name, model.get("resources"))}


class RoutingMainKernelSpecHandler(RoutingKernelSpecAPIHandler):
    """``GET /api/kernelspecs``: local kernelspecs and those of every gateway that answers."""

    async def get(self) -> None:
        listing = await self.kernel_spec_manager.listing()
        specs = {name: self.model(name, remote, model) for name, (remote, model) in listing.specs.items()}
        default = self.kernel_manager.default_kernel_name if self.kernel_spec_manager.local_kernels else ""
        if not default and listing.remote_defaults:
            default = listing.remote_defaults[0]
        self.write_json({"default": default, "kernelspecs": specs})


class RoutingKernelSpecHandler(RoutingKernelSpecAPIHandler):
    """``GET /api/kernelspecs/<name>``: one kernelspec, local or a gateway's."""

    async def get(self, kernel_name: str) -> None:
        name = url_unescape(kernel_name)
        try:
            remote, model = await self.kernel_spec_manager.spec_model(name)
        except NoSuchKernel:
            raise web.HTTPError(404, "No such kernel spec: %s", name) from None
        except KernelError as exc:
            raise http_error(exc) from None
        self.write_json(self.model(name, remote, model))


class RoutingKernelSpecResourceHandler(KernelSpecResourceHandler):
    """``GET /kernelspecs/<name>/<file>``: from the spec's directory, or its gateway."""

    def initialize(self, kernel_spec_manager: RoutingKernelSpecManager) -> None:  # type: ignore[override]
        self.routing_specs = kernel_spec_manager
        self.proxied = False
        super().initialize(kernel_spec_manager)

    def compute_etag(self) -> str | None:
        # A proxied body has no file behind it (the static file ETag needs one).
        return None if self.proxied else super().compute_etag()

    async def get(self, kernel_name: str, path: str, include_body: bool = True) -> None:  # type: ignore[override]
        remote, remote_name = self.routing_specs.route(url_unescape(kernel_name))
        if remote is None:
            await super().get(kernel_name, path, include_body=include_body)
            return
        self.proxied = True
        try:
            found = await self.routing_specs.remote_specs[remote.name].get_kernel_spec_resource(remote_name, path)
        except KernelError as exc:
            raise http_error(exc) from None
        if found is None:
            raise web.HTTPError(404, "No such kernel spec resource: %s/%s", kernel_name, path)
        body, content_type = found
        self.set_header("Content-Type", content_type)
        self.set_header("Cache-Control", "max-age=3600")
        self.finish(body if include_body else b"")


def routing_routes(base_url: str, kernel_manager: RoutingKernelManager) -> list[Any]:
    """Routes listed before the core's when kernels are routed (the first match wins)."""
    km_kwargs = {"kernel_manager": kernel_manager}
    spec_kwargs = {"kernel_spec_manager": kernel_manager.routing_specs, "kernel_manager": kernel_manager}
    return [
        (url_path_join(base_url, r"/api/kernels/?"), GatewayMainKernelHandler, km_kwargs),
        (url_path_join(base_url, rf"/api/kernels/{KERNEL_ID_REGEX}/?"), GatewayKernelHandler, km_kwargs),
        (url_path_join(base_url, r"/api/kernelspecs/?"), RoutingMainKernelSpecHandler, spec_kwargs),
        (url_path_join(base_url, r"/api/kernelspecs/(?P<kernel_name>[^/]+)/?"), RoutingKernelSpecHandler, spec_kwargs),
        (url_path_join(base_url, r"/kernelspecs/(?P<kernel_name>[^/]+)/(?P<path>.*)"),
         RoutingKernelSpecResourceHandler, {"kernel_spec_manager": kernel_manager.routing_specs}),
    ]
