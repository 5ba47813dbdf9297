"""``/api/nbconvert``, ``GET /nbconvert/<format>/<path>`` and ``POST /nbconvert/<format>``."""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from jupyter_server_core import APIHandler, JupyterHandler, url_path_join
from jupyter_server_core.contracts import ContentsService
from tornado import web

from ._convert import Conversion, Converter, NotebookError, UnknownFormat, notebook_from_model

if TYPE_CHECKING:
    import nbformat

__all__ = ["NbconvertFormatsHandler", "NbconvertFileHandler", "NbconvertPostHandler"]

#: Returns the server's contents manager, or None when no contents service is loaded.
ContentsProvider = Callable[[], ContentsService | None]


class NbconvertFormatsHandler(APIHandler):
    """``GET /api/nbconvert``: ``{format: {"output_mimetype": ...}}`` for every exporter."""

    auth_resource = "nbconvert"

    def initialize(self, converter: Converter) -> None:
        self.converter = converter

    async def get(self) -> None:
        self.write_json(await self.converter.formats())


class _ConvertedDocumentHandler(JupyterHandler):
    """Sends a conversion: its type, the attachment header on request, the sandbox CSP."""

    auth_resource = "nbconvert"
    # tornado sets the default headers before initialize(): start sandboxed.
    csp_sandbox = True

    def initialize(self, converter: Converter, contents: ContentsProvider, csp_sandbox: bool,
                   root_dir: str) -> None:
        self.converter = converter
        self.contents = contents
        self.csp_sandbox = csp_sandbox
        self.root_dir = root_dir
        self.set_header("Content-Security-Policy", self.content_security_policy)

    @property
    def content_security_policy(self) -> str:
        # Converted notebooks carry their outputs' HTML and scripts: keep them away from
        # this origin's cookies and APIs (ServerApp.nbconvert_csp_sandbox).
        base = super().content_security_policy
        return base + "; sandbox allow-scripts" if self.csp_sandbox else base

    async def convert(self, fmt: str, nb: nbformat.NotebookNode, *, name: str, directory: str,
                      modified: datetime | None, what: str) -> Conversion:
        try:
            return await self.converter.convert(fmt, nb, name=name, directory=directory, modified=modified)
        except UnknownFormat as exc:
            raise web.HTTPError(404, str(exc)) from None
        except Exception as exc:  # noqa: BLE001 - the exporter failed; say why, no traceback
            self.log.error("nbconvert could not convert %s to %s", what, fmt, exc_info=True)
            raise web.HTTPError(500, f"Could not convert {what} to {fmt}: {type(exc).__name__}: {exc}") from None

    def send(self, conversion: Conversion, modified: datetime | None = None) -> None:
        self.set_header("Content-Type", conversion.content_type)
        self.set_header("Cache-Control", "no-store, no-cache, must-revalidate, max-age=0")
        if modified is not None:
            self.set_header("Last-Modified", modified)
        if self.get_argument("download", "false").lower() == "true":
            self.set_header("Content-Disposition", f"attachment; filename*=utf-8''{quote(conversion.filename)}")
        self.finish(conversion.body)


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


class NbconvertFileHandler(_ConvertedDocumentHandler):
    """``GET /nbconvert/<format>/<path>``: a stored notebook, converted.

    The notebook is read through the contents service. ``?download=true`` sends the
    result as an attachment named after the notebook (``analysis.html``). A result with
    extra files (images of a Markdown export) is a zip archive.
    """

    async def get(self, fmt: str, path: str) -> None:
        try:
            await self.converter.check_format(fmt)
        except UnknownFormat as exc:
            raise web.HTTPError(404, str(exc)) from None
        cm = self.contents()
        if cm is None:
            raise web.HTTPError(404, "No contents service: install jupyter-server-contents to convert stored notebooks")
        path = path.strip("/")
        model = await self._notebook_model(cm, path)
        if model is None:
            # Not a notebook: the browser gets the thing itself, a file from /files/ or a
            # folder in /tree/ (what jupyter_server means to answer here; 2.21 sends an
            # empty 200 instead).
            kind = "tree" if not path or await cm.dir_exists(path) else "files"
            self.redirect(url_path_join(self.base_url, kind, quote(path, safe="/")))
            return
        name = posixpath.splitext(model.get("name") or posixpath.basename(path))[0]
        directory = os.path.join(cm.root_dir or self.root_dir,
                                 *posixpath.dirname(path).split("/"))
        modified = _as_datetime(model.get("last_modified"))
        conversion = await self.convert(fmt, model["content"], name=name, directory=directory,
                                        modified=modified, what=path)
        self.send(conversion, modified)

    async def _notebook_model(self, cm: ContentsService, path: str) -> dict[str, Any] | None:
        """The notebook's model with content; None when ``path`` is a file or a folder."""
        try:
            info = await cm.get(path, content=False)
            if info.get("type") != "notebook":
                return None
            model: dict[str, Any] = await cm.get(path, content=True, type="notebook")
        except (FileNotFoundError, NotADirectoryError):
            raise web.HTTPError(404, f"No such notebook: {path}") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise web.HTTPError(400, f"{path} is not a readable notebook: {exc}") from None
        if not isinstance(model.get("content"), dict):
            raise web.HTTPError(400, f"{path} is not a readable notebook")
        return model


class NbconvertPostHandler(_ConvertedDocumentHandler):
    """``POST /nbconvert/<format>``: convert the notebook model in the body.

    The body is a contents model, ``{"name": "a.ipynb", "content": {...notebook...}}``;
    ``name`` is optional and names the download (``?download=true``).
    """

    write_error = APIHandler.write_error  # a client of this endpoint reads JSON errors

    async def prepare(self) -> None:
        if not self.check_origin():
            raise web.HTTPError(404, "Cross-origin request not allowed")
        await super().prepare()

    async def post(self, fmt: str) -> None:
        try:
            await self.converter.check_format(fmt)
        except UnknownFormat as exc:
            raise web.HTTPError(404, str(exc)) from None
        body = APIHandler.get_json_body(self)  # type: ignore[arg-type]
        if not isinstance(body, dict) or "content" not in body:
            raise web.HTTPError(400, 'The body must be a notebook model: {"content": {"cells": [...], ...}}')
        try:
            nb = notebook_from_model(body["content"])
        except NotebookError as exc:
            raise web.HTTPError(400, str(exc)) from None
        raw_name = body.get("name")
        name = posixpath.splitext(posixpath.basename(raw_name))[0] if isinstance(raw_name, str) and raw_name else "Notebook"
        conversion = await self.convert(fmt, nb, name=name or "Notebook", directory=self.root_dir,
                                        modified=None, what="the posted notebook")
        self.send(conversion)
