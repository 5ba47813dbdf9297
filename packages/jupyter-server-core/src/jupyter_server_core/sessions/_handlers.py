"""REST handlers: ``/api/sessions`` and ``/api/sessions/<id>``."""

from __future__ import annotations

import json
from typing import Any

from jupyter_client.multikernelmanager import DuplicateKernelError
from tornado import web

from .._base_handlers import APIHandler
from .._urls import url_escape, url_path_join
from ..kernels import KernelError, KernelSpecNotFound
from ..kernels._handlers import http_error
from ..kernels._parameters import REQUEST_FIELD
from ._manager import SessionManager

__all__ = ["session_routes"]

_SESSION_ID_REGEX = r"(?P<session_id>\w+-\w+-\w+-\w+-\w+)"


def _optional_str(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise web.HTTPError(400, "%s must be a string", key)
    return value


def _notebook(body: dict[str, Any]) -> dict[str, Any]:
    """The deprecated ``"notebook": {"path", "name"}`` object, or {}."""
    notebook = body.get("notebook")
    return notebook if isinstance(notebook, dict) else {}


def _kernel_choice(body: dict[str, Any]) -> tuple[str | None, str | None, dict[str, Any]]:
    """``(kernel_name, kernel_id, extra)`` from the body's ``kernel`` object.

    ``extra`` holds ``kernel_parameters`` (JEP 87 values from ``kernel.custom_kernel_specs``)
    only when given, so a session manager that knows no parameters is called as before.
    """
    kernel = body.get("kernel")
    if kernel is None:
        return None, None, {}
    if not isinstance(kernel, dict):
        raise web.HTTPError(400, 'kernel must be an object: {"name": kernel spec} or {"id": kernel id}')
    values = kernel.get(REQUEST_FIELD)
    if values is not None and not isinstance(values, dict):
        raise web.HTTPError(400, "kernel.%s must be an object of parameter names to values", REQUEST_FIELD)
    extra = {"kernel_parameters": values} if values is not None else {}
    return _optional_str(kernel, "name"), _optional_str(kernel, "id"), extra


class SessionAPIHandler(APIHandler):
    auth_resource = "sessions"

    def initialize(self, session_manager: SessionManager) -> None:
        self.session_manager = session_manager

    def json_object(self, required: bool) -> dict[str, Any]:
        body = self.get_json_body()
        if body is None and required:
            raise web.HTTPError(400, "No JSON data provided")
        if not isinstance(body, dict):
            raise web.HTTPError(400, "The body must be a JSON object")
        return body

    def refuse_kernel_name(self, kernel_name: str | None, exc: KernelSpecNotFound) -> None:
        """An unknown kernel name: 501 with ``short_message``, which JupyterLab's kernel
        dialog shows as its title (jupyter_server's contract for this case)."""
        self.set_status(501)
        self.finish(json.dumps({
            "message": f"{exc} Pick another kernel for this session, or install that one.",
            "short_message": f"Kernel {kernel_name} not found",
        }))


class MainSessionHandler(SessionAPIHandler):
    """``GET /api/sessions``: every session; ``POST``: the session for a path (201)."""

    async def get(self) -> None:
        self.write_json(await self.session_manager.list_sessions())

    async def post(self) -> None:
        body = self.json_object(required=True)
        notebook = _notebook(body)
        path = body.get("path", notebook.get("path"))  # "notebook": {"path"} is the old spelling
        if path is None:
            raise web.HTTPError(400, "Missing field in JSON data: path")
        if not isinstance(path, str):
            raise web.HTTPError(400, "path must be a string")
        kind = _optional_str(body, "type") or ("notebook" if notebook else None)
        if kind is None:
            raise web.HTTPError(400, "Missing field in JSON data: type")
        name = _optional_str(body, "name") if "name" in body else notebook.get("name")
        if name is not None and not isinstance(name, str):
            raise web.HTTPError(400, "name must be a string")
        kernel_name, kernel_id, extra = _kernel_choice(body)
        try:
            model = await self.session_manager.create_session(
                path=path, name=name, type=kind, kernel_name=kernel_name, kernel_id=kernel_id, **extra
            )
        except KernelSpecNotFound as exc:
            self.refuse_kernel_name(kernel_name, exc)
            return
        except KernelError as exc:
            raise http_error(exc) from None
        except DuplicateKernelError as exc:  # a client-chosen kernel id already taken
            raise web.HTTPError(409, str(exc)) from None
        self.set_header("Location", url_path_join(self.base_url, "api", "sessions", url_escape(model["id"])))
        self.write_json(model, status=201)


class SessionHandler(SessionAPIHandler):
    """``GET/PATCH/DELETE /api/sessions/<id>``: read, rename or re-kernel, delete (204)."""

    async def get(self, session_id: str) -> None:
        try:
            self.write_json(await self.session_manager.get_session(session_id=session_id))
        except KernelError as exc:
            raise http_error(exc) from None

    async def patch(self, session_id: str) -> None:
        body = self.json_object(required=True)
        changes: dict[str, Any] = {}
        notebook = _notebook(body)
        for key in ("path", "name"):
            if key in body or key in notebook:
                value = body[key] if key in body else notebook[key]
                if value is not None and not isinstance(value, str):
                    raise web.HTTPError(400, "%s must be a string", key)
                if key == "path" and not value:
                    raise web.HTTPError(400, "path must not be empty")
                changes[key] = value
        if "type" in body:
            changes["type"] = _optional_str(body, "type")
        kernel_name, kernel_id, extra = _kernel_choice(body)
        try:
            model = await self.session_manager.modify_session(
                session_id, changes, kernel_name=kernel_name, kernel_id=kernel_id, **extra
            )
        except KernelSpecNotFound as exc:
            self.refuse_kernel_name(kernel_name, exc)
            return
        except KernelError as exc:
            raise http_error(exc) from None
        self.write_json(model)

    async def delete(self, session_id: str) -> None:
        try:
            await self.session_manager.delete_session(session_id)
        except KernelError as exc:
            raise http_error(exc) from None
        self.set_status(204)
        self.finish()


def session_routes(base_url: str, session_manager: SessionManager) -> list[Any]:
    kwargs = {"session_manager": session_manager}
    return [
        (url_path_join(base_url, r"/api/sessions"), MainSessionHandler, kwargs),
        (url_path_join(base_url, rf"/api/sessions/{_SESSION_ID_REGEX}"), SessionHandler, kwargs),
    ]
