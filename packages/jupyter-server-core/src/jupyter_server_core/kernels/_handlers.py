"""REST handlers: ``/api/kernels``, ``/api/kernels/<id>``, ``/api/kernels/<id>/<action>``."""

from __future__ import annotations

from typing import Any

from tornado import web

from .._base_handlers import APIHandler
from .._urls import url_escape, url_path_join
from ._errors import KernelError
from ._manager import MappingKernelManager
from ._parameters import REQUEST_FIELD

__all__ = ["KERNEL_ID_REGEX", "KernelAPIHandler", "http_error", "kernel_routes"]

#: The kernel id part of kernel URLs, as jupyter_server matches it.
KERNEL_ID_REGEX = r"(?P<kernel_id>\w+-\w+-\w+-\w+-\w+)"


def http_error(exc: KernelError) -> web.HTTPError:
    """The HTTP error a client sees for a manager error: its status, its message."""
    return web.HTTPError(exc.status_code, "%s", str(exc))


class KernelAPIHandler(APIHandler):
    """Base of the kernel handlers: the manager comes in through the route."""

    auth_resource = "kernels"

    def initialize(self, kernel_manager: MappingKernelManager) -> None:
        self.kernel_manager = kernel_manager

    def location(self, kernel_id: str) -> str:
        return url_path_join(self.base_url, "api", "kernels", url_escape(kernel_id))


class MainKernelHandler(KernelAPIHandler):
    """``GET /api/kernels``: every kernel; ``POST``: start one (``{"name", "path", "kernel_id"}``).

    A client may choose the new kernel's id (``kernel_id``, a UUID); naming a kernel that
    already runs returns that kernel instead of starting another.
    """

    def get(self) -> None:
        self.write_json(self.kernel_manager.list_kernels())

    async def post(self) -> None:
        body = self.get_json_body()
        if body is None:
            body = {}
        if not isinstance(body, dict):
            raise web.HTTPError(400, 'The body must be a JSON object: {"name": kernel spec, "path": directory}')
        name, path = body.get("name"), body.get("path")
        if name is not None and not isinstance(name, str):
            raise web.HTTPError(400, "name must be a kernel spec name (a string)")
        if path is not None and not isinstance(path, str):
            raise web.HTTPError(400, "path must be a directory relative to the server root (a string)")
        wanted_id = body.get("kernel_id")
        if wanted_id is not None and not isinstance(wanted_id, str):
            raise web.HTTPError(400, "kernel_id must be a UUID string")
        # JEP 87 launch parameters; only passed when given, for managers that know none.
        extra: dict[str, Any] = {"kernel_parameters": body[REQUEST_FIELD]} if body.get(REQUEST_FIELD) is not None else {}
        if wanted_id is not None:
            extra["kernel_id"] = wanted_id
        try:
            kernel_id = await self.kernel_manager.start_kernel(kernel_name=name or None, path=path, **extra)
            model = self.kernel_manager.kernel_model(kernel_id)
        except KernelError as exc:
            raise http_error(exc) from None
        self.set_header("Location", self.location(kernel_id))
        self.write_json(model, status=201)


class KernelHandler(KernelAPIHandler):
    """``GET /api/kernels/<id>``: one kernel; ``DELETE``: shut it down (204)."""

    def get(self, kernel_id: str) -> None:
        try:
            self.write_json(self.kernel_manager.kernel_model(kernel_id))
        except KernelError as exc:
            raise http_error(exc) from None

    async def delete(self, kernel_id: str) -> None:
        try:
            await self.kernel_manager.shutdown_kernel(kernel_id)
        except KernelError as exc:
            raise http_error(exc) from None
        self.set_status(204)
        self.finish()


class KernelActionHandler(KernelAPIHandler):
    """``POST /api/kernels/<id>/interrupt`` (204) and ``.../restart`` (200, the model)."""

    async def post(self, kernel_id: str, action: str) -> None:
        km = self.kernel_manager
        try:
            if action == "interrupt":
                await km.interrupt_kernel(kernel_id)
                self.set_status(204)
                self.finish()
                return
            await km.restart_kernel(kernel_id)
            self.write_json(km.kernel_model(kernel_id))
        except KernelError as exc:
            raise http_error(exc) from None


def kernel_routes(base_url: str, kernel_manager: MappingKernelManager) -> list[Any]:
    """The kernel REST routes (the WebSocket route is added by the services loader)."""
    kwargs = {"kernel_manager": kernel_manager}
    return [
        (url_path_join(base_url, r"/api/kernels"), MainKernelHandler, kwargs),
        (url_path_join(base_url, rf"/api/kernels/{KERNEL_ID_REGEX}"), KernelHandler, kwargs),
        (url_path_join(base_url, rf"/api/kernels/{KERNEL_ID_REGEX}/(?P<action>restart|interrupt)"),
         KernelActionHandler, kwargs),
    ]
