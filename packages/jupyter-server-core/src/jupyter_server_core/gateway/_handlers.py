"""The REST handlers that read from the gateway before answering.

The kernel handlers of ``kernels/`` answer reads from the manager's models; with a
gateway, those models are refreshed from it first (subclasses below). Kernelspecs come
from the gateway entirely, their resources (logos) proxied through this server.
"""

from __future__ import annotations

import mimetypes
from typing import Any

from tornado import web

from .._base_handlers import APIHandler, JupyterHandler
from .._urls import url_escape, url_path_join, url_unescape
from ..kernels import KernelError
from ..kernels._handlers import KERNEL_ID_REGEX, KernelHandler, MainKernelHandler, http_error
from ._kernels import GatewayMappingKernelManager
from ._kernelspecs import GatewayKernelSpecManager

__all__ = ["gateway_routes"]


class GatewayMainKernelHandler(MainKernelHandler):
    """``GET /api/kernels``: the gateway's kernels, asked for now."""

    async def get(self) -> None:  # type: ignore[override]
        try:
            await self.kernel_manager.refresh_kernels()  # type: ignore[attr-defined]
        except KernelError as exc:
            raise http_error(exc) from None
        super().get()


class GatewayKernelHandler(KernelHandler):
    """``GET /api/kernels/<id>``: the kernel's model as the gateway has it now."""

    async def get(self, kernel_id: str) -> None:  # type: ignore[override]
        try:
            await self.kernel_manager.refresh_kernel(kernel_id)  # type: ignore[attr-defined]
        except KernelError as exc:
            raise http_error(exc) from None
        super().get(kernel_id)


def local_resources(base_url: str, name: str, resources: Any) -> dict[str, str]:
    """The gateway's resource URLs of a kernelspec, pointed at this server's proxy."""
    result: dict[str, str] = {}
    if not isinstance(resources, dict):
        return result
    marker = f"/{url_escape(name)}/"
    for key, value in resources.items():
        if not isinstance(value, str) or not value:
            continue
        # ".../kernelspecs/<name>/<file>" on the gateway: keep <file>, whatever its prefix.
        path = value.split(marker, 1)[1] if marker in value else value.rsplit("/", 1)[-1]
        result[str(key)] = url_path_join(base_url, "kernelspecs", url_escape(name), path)
    return result


class GatewayKernelSpecAPIHandler(APIHandler):
    auth_resource = "kernelspecs"

    def initialize(self, kernel_spec_manager: GatewayKernelSpecManager) -> None:
        self.kernel_spec_manager = kernel_spec_manager

    def model(self, name: str, model: dict[str, Any]) -> dict[str, Any]:
        return {"name": name, "spec": model.get("spec", {}),
                "resources": local_resources(self.base_url, name, model.get("resources"))}


class GatewayMainKernelSpecHandler(GatewayKernelSpecAPIHandler):
    """``GET /api/kernelspecs``: the gateway's default kernel and kernelspecs."""

    async def get(self) -> None:
        try:
            listing = await self.kernel_spec_manager.list_kernel_specs()
        except KernelError as exc:
            raise http_error(exc) from None
        specs = {name: self.model(name, model) for name, model in sorted(listing["kernelspecs"].items())}
        self.write_json({"default": listing["default"], "kernelspecs": specs})


class GatewayKernelSpecHandler(GatewayKernelSpecAPIHandler):
    """``GET /api/kernelspecs/<name>``: one of the gateway's kernelspecs; 404 if none."""

    async def get(self, kernel_name: str) -> None:
        from jupyter_client.kernelspec import NoSuchKernel

        name = url_unescape(kernel_name)
        try:
            model = await self.kernel_spec_manager.get_kernel_spec_model(name)
        except NoSuchKernel:
            raise web.HTTPError(404, "No such kernel spec: %s", name) from None
        except KernelError as exc:
            raise http_error(exc) from None
        self.write_json(self.model(name, model))


class GatewayKernelSpecResourceHandler(JupyterHandler):
    """``GET /kernelspecs/<name>/<file>``: a resource file, fetched from the gateway."""

    auth_resource = "kernelspecs"

    def initialize(self, kernel_spec_manager: GatewayKernelSpecManager) -> None:
        self.kernel_spec_manager = kernel_spec_manager

    async def get(self, kernel_name: str, path: str) -> None:
        name = url_unescape(kernel_name)
        try:
            found = await self.kernel_spec_manager.get_kernel_spec_resource(name, path)
        except KernelError as exc:
            raise http_error(exc) from None
        if found is None:
            raise web.HTTPError(404, "No such kernel spec resource: %s/%s", name, path)
        body, content_type = found
        if content_type == "application/octet-stream":
            content_type = mimetypes.guess_type(path)[0] or content_type
        self.set_header("Content-Type", content_type)
        self.set_header("Cache-Control", "max-age=3600")
        self.finish(body)


def gateway_routes(base_url: str, kernel_manager: Any, kernel_spec_manager: Any) -> list[Any]:
    """Routes that take precedence over the core's when the managers are the gateway's.

    Listed before the core's routes (tornado uses the first rule that matches). A manager
    of another class keeps the core's handlers for its part.
    """
    routes: list[Any] = []
    if isinstance(kernel_manager, GatewayMappingKernelManager):
        km_kwargs = {"kernel_manager": kernel_manager}
        routes += [
            (url_path_join(base_url, r"/api/kernels"), GatewayMainKernelHandler, km_kwargs),
            (url_path_join(base_url, rf"/api/kernels/{KERNEL_ID_REGEX}"), GatewayKernelHandler, km_kwargs),
        ]
    if isinstance(kernel_spec_manager, GatewayKernelSpecManager):
        ksm_kwargs = {"kernel_spec_manager": kernel_spec_manager}
        routes += [
            (url_path_join(base_url, r"/api/kernelspecs"), GatewayMainKernelSpecHandler, ksm_kwargs),
            (url_path_join(base_url, r"/api/kernelspecs/(?P<kernel_name>[^/]+)"), GatewayKernelSpecHandler, ksm_kwargs),
            (url_path_join(base_url, r"/kernelspecs/(?P<kernel_name>[^/]+)/(?P<path>.*)"),
             GatewayKernelSpecResourceHandler, ksm_kwargs),
        ]
    return routes
