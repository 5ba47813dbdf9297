"""REST handlers of /api/contents: items, checkpoints and notebook trust.

Status codes, headers and fields follow jupyter_server 2.x; bad requests are 4xx JSON
errors. Large bodies are parsed and models serialized in a worker thread so that a 20 MB
notebook does not stall the event loop.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import inspect
import json
from datetime import datetime, timezone
from typing import Any

from jupyter_server_core import (
    APIHandler,
    JupyterHandler,
    parse_json_body,
    start_gzip,
    url_escape,
    url_path_join,
)
from tornado import web

from ._conditional import content_etag, current_hash, save_condition, save_lock
from ._listing import listing_page, listing_query
from ._manager import ContentsManager
from ._paths import is_hidden_api_path

__all__ = ["contents_routes", "files_route", "PATH_REGEX", "CHECKPOINT_ID_REGEX"]

PATH_REGEX = r"(?P<path>(?:(?:/[^/]+)+|/?))"
CHECKPOINT_ID_REGEX = r"(?P<checkpoint_id>[\w-]+)"
# Bodies past this size are parsed and answers serialized off the event loop.
_THREAD_JSON_BYTES = 256 * 1024
# A big answer is gzip-compressed in a worker thread and sent in pieces of this size.
_GZIP_PIECE = 1 << 20


def _json_default(obj: Any) -> Any:
    if isinstance(obj, datetime):
        if obj.tzinfo is None:
            obj = obj.replace(tzinfo=timezone.utc)
        return obj.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    raise TypeError(f"{type(obj).__name__} is not JSON serializable")


def _orjson_default(obj: Any) -> Any:
    import orjson

    if isinstance(obj, float):  # NaN or an infinity read from a notebook file: json's token
        return orjson.Fragment(json.dumps(float(obj)).encode())
    return _json_default(obj)


def _dumps(model: Any) -> bytes | str:
    """The model as JSON: orjson (a 20 MB notebook in milliseconds), else ``json``.

    Same values as ``json.dumps`` (non-ASCII characters are sent as UTF-8 rather than
    escaped); what orjson refuses (integers past 64 bits, ...) goes through ``json``.
    """
    try:
        import orjson
    except ImportError:  # pragma: no cover - a dependency; stay correct without it
        return json.dumps(model, default=_json_default)
    try:
        return orjson.dumps(model, default=_orjson_default, option=orjson.OPT_PASSTHROUGH_DATETIME)
    except TypeError:  # orjson.JSONEncodeError
        return json.dumps(model, default=_json_default)


def _dumps_bytes(model: Any) -> bytes:
    data = _dumps(model)
    return data.encode("utf-8") if isinstance(data, str) else data


def _dumps_with_etag(model: Any) -> tuple[bytes, str]:
    data = _dumps_bytes(model)
    return data, f'"{hashlib.sha1(data).hexdigest()}"'


class ContentsAPIHandler(APIHandler):
    """Base of the contents handlers: the manager comes in through the route."""

    auth_resource = "contents"
    #: The ETag of the answer when it is not the SHA-1 of the body (a file's content hash).
    entity_tag: str | None = None

    def initialize(self, contents_manager: ContentsManager) -> None:
        self.contents_manager = contents_manager

    def location_url(self, *parts: str) -> str:
        return url_path_join(self.base_url, "api", "contents", *(url_escape(p) for p in parts if p))

    async def read_model(self) -> dict[str, Any] | None:
        """The JSON object in the body, None when the body is empty; 400 otherwise."""
        body = self.request.body
        if not body:
            return None
        if len(body) > _THREAD_JSON_BYTES:
            model = await asyncio.to_thread(parse_json_body, body)
        else:
            model = parse_json_body(body)
        if not isinstance(model, dict):
            raise web.HTTPError(400, "The body must be a JSON object (a contents model)")
        return model

    async def finish_json(self, model: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        content = model.get("content") if isinstance(model, dict) else None
        big = (isinstance(content, list) and len(content) > 500) or (
            content is not None and ((model.get("size") or 0) > _THREAD_JSON_BYTES))
        if not big:
            self.finish(_dumps(model))
            return
        if self.entity_tag is not None:  # the content hash: no need to hash the body too
            data = await asyncio.to_thread(_dumps_bytes, model)
        else:
            data, self._json_etag = await asyncio.to_thread(_dumps_with_etag, model)
            self._json_body = data
        if status == 200 and self.request.method in ("GET", "HEAD"):
            # Decided here, not in finish(): a compressed body goes out before finish().
            self.set_header("Etag", self.entity_tag or self._json_etag)
            if self.check_etag_header():
                self.set_status(304)
                self.finish()
                return
        stream = start_gzip(self, len(data))
        if stream is None:
            self.finish(data)
            return
        for start in range(0, len(data), _GZIP_PIECE):
            self.write(await asyncio.to_thread(stream.compress, data[start:start + _GZIP_PIECE]))
            await self.flush()
        self.finish(stream.finish())

    def compute_etag(self) -> str | None:
        """The content hash when the answer has one; else tornado's Etag (SHA-1 of the body),
        for a big body computed with it in the worker thread, not on the event loop."""
        if self.entity_tag is not None:
            return self.entity_tag
        body = getattr(self, "_json_body", None)
        buffer = self._write_buffer
        if body is not None and len(buffer) == 1 and buffer[0] is body:
            return self._json_etag
        return super().compute_etag()

    async def finish_model(self, model: dict[str, Any], status: int = 200, location: bool = True) -> None:
        if location:
            self.set_header("Location", self.location_url(model["path"]))
        if isinstance(model.get("last_modified"), datetime):
            self.set_header("Last-Modified", model["last_modified"])
        await self.finish_json(model, status)


def _names_hidden(path: str) -> bool:
    """A path with a hidden part (``..`` is left to the root check: a 404 like any escape)."""
    return any(part.startswith(".") and part not in (".", "..") for part in path.split("/"))


@functools.lru_cache(maxsize=32)
def _takes_require_hash(get: Any) -> bool:
    try:
        params = inspect.signature(get).parameters.values()
    except (TypeError, ValueError):
        return True
    return any(p.name == "require_hash" or p.kind is inspect.Parameter.VAR_KEYWORD for p in params)


def _hash_argument(cm: Any, wanted: bool) -> dict[str, Any]:
    """``{"require_hash": wanted}``, or {} for a manager whose ``get`` predates the argument
    (written for jupyter_server before 2.11): its models then carry what it gives."""
    return {"require_hash": wanted} if _takes_require_hash(type(cm).get) else {}


def _flag(handler: web.RequestHandler, name: str, message: str) -> bool:
    value = handler.get_query_argument(name, "0" if name == "hash" else "1")
    if value not in ("0", "1"):
        raise web.HTTPError(400, message.format(value=value))
    return value == "1"


class ContentsHandler(ContentsAPIHandler):
    """``/api/contents/<path>``: GET, PUT, POST, PATCH, DELETE."""

    async def get(self, path: str = "") -> None:
        kind = self.get_query_argument("type", None) or None
        if kind not in (None, "directory", "file", "notebook"):
            # jupyter_server reads an unknown type as "file" (a client's typo or a newer
            # type it does not know): the same answer, not a 400.
            kind = "file"
        fmt = self.get_query_argument("format", None) or None
        content = _flag(self, "content", "Content '{value}' is invalid")
        require_hash = _flag(self, "hash", "Hash argument '{value}' is invalid. It must be '0' or '1'.")
        query = listing_query(self, path)
        if query is not None:
            await self.finish_model(await listing_page(self.contents_manager, path, query), location=False)
            return
        if content and await self._unchanged_since_client_copy(path, kind):
            return
        # Content is read anyway: hash it too, for the ETag.
        model = await self.contents_manager.get(path, content=content, type=kind, format=fmt,
                                                **_hash_argument(self.contents_manager, require_hash or content))
        self.entity_tag = content_etag(model)
        if not require_hash and model.get("type") != "directory":
            model["hash"] = model["hash_algorithm"] = None  # the body as without the ETag
        await self.finish_model(model, location=False)

    async def _unchanged_since_client_copy(self, path: str, kind: str | None) -> bool:
        """Answer 304 from the content hash alone, without reading or encoding the content,
        when ``If-None-Match`` names the file's current version."""
        if not self.request.headers.get("If-None-Match") or kind == "directory":
            return False
        model = await self.contents_manager.get(path, content=False, type=kind,
                                                **_hash_argument(self.contents_manager, True))
        self.entity_tag = content_etag(model)
        if self.entity_tag is None:
            return False
        self.set_header("Etag", self.entity_tag)
        if not self.check_etag_header():
            self.clear_header("Etag")
            return False
        if isinstance(model.get("last_modified"), datetime):
            self.set_header("Last-Modified", model["last_modified"])
        self.set_status(304)
        self.finish()
        return True

    async def patch(self, path: str = "") -> None:
        model = await self.read_model()
        if model is None:
            raise web.HTTPError(400, "JSON body missing")
        result = await self.contents_manager.update(model, path)
        await self.finish_model(result)

    async def post(self, path: str = "") -> None:
        """Create an untitled item in directory ``path``, or copy ``copy_from`` into it."""
        cm = self.contents_manager
        if await cm.file_exists(path):
            raise web.HTTPError(400, "Cannot POST to files, use PUT instead.")
        model = await self.read_model() or {}
        copy_from = model.get("copy_from")
        if copy_from:
            if not isinstance(copy_from, str):
                raise web.HTTPError(400, "copy_from must be a path")
            # A folder copied into a folder that does not exist creates it (as jupyter_server
            # does); anything else needs the target folder.
            if not cm.allow_hidden and (_names_hidden(path) or _names_hidden(copy_from)):
                raise web.HTTPError(400, "Cannot copy from or to a hidden path while hidden files are not allowed")
            if not await cm.dir_exists(path) and not await cm.dir_exists(copy_from):
                raise web.HTTPError(404, f"No such directory: {path.strip('/')}")
            result = await cm.copy(copy_from, path)
        else:
            if not await cm.dir_exists(path):
                raise web.HTTPError(404, f"No such directory: {path.strip('/')}")
            result = await cm.new_untitled(path=path, type=model.get("type") or "", ext=model.get("ext") or "")
        await self.finish_model(result, 201)

    async def put(self, path: str = "") -> None:
        """Save (200) or create (201) the item at ``path``; an empty body creates an untitled one."""
        cm = self.contents_manager
        model = await self.read_model()
        if model is None:
            result = await cm.new_untitled(path=path)
            await self.finish_model(result, 201)
            return
        if model.get("copy_from"):
            raise web.HTTPError(400, "Cannot copy with PUT, only POST")
        named = model.get("path")
        if isinstance(named, str) and not cm.allow_hidden and is_hidden_api_path(named):
            # The item is saved at the URL's path, but a client that names a hidden one in
            # the body means to write there: refused as a hidden URL would be.
            raise web.HTTPError(400, f"The model's path {named!r} is hidden, and hidden files are not allowed")
        async with save_lock(cm, path):
            condition = save_condition(self, model)
            if condition is not None and not await self._condition_holds(condition, path):
                return
            existed = await cm.file_exists(path)
            chunk = model.get("chunk")
            if not existed and chunk not in (None, 1):
                pending = getattr(cm, "upload_in_progress", None)
                existed = bool(pending is not None and await pending(path))
            if existed:
                result = await cm.save(model, path)
            else:
                result = await cm.new(model, path)
            if condition is not None:
                # The client tracks versions: hand it the new one (hash field and ETag).
                digest, algorithm = await current_hash(cm, path)
                result.update(hash=digest, hash_algorithm=algorithm)
                if digest:
                    self.set_header("Etag", f'"{digest}"')
        await self.finish_model(result, 200 if existed else 201)

    async def _condition_holds(self, condition: Any, path: str) -> bool:
        """Whether a conditional save may go on; if not, answer 409 with the current hash."""
        digest, algorithm = await current_hash(self.contents_manager, path)
        if condition.algorithm and algorithm and condition.algorithm != algorithm:
            raise web.HTTPError(400, f"hash_algorithm {condition.algorithm!r} does not match the server's "
                                     f"{algorithm!r}: send the hash a GET with hash=1 returned")
        if condition.holds(digest):
            return True
        message = (f"{path} does not exist: nothing to compare the expected hash with" if digest is None else
                   f"{path} changed since the version you have: reload it, or save without If-Match or hash "
                   "to overwrite")
        self.set_status(409)
        if digest:
            self.set_header("Etag", f'"{digest}"')
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"message": message, "reason": "Conflict", "hash": digest,
                                "hash_algorithm": algorithm}))
        return False

    async def delete(self, path: str = "") -> None:
        await self.contents_manager.delete(path)
        self.set_status(204)
        self.finish()


class CheckpointsHandler(ContentsAPIHandler):
    """``/api/contents/<path>/checkpoints``: list (GET) and create (POST)."""

    async def get(self, path: str = "") -> None:
        await self.finish_json(await self.contents_manager.list_checkpoints(path))

    async def post(self, path: str = "") -> None:
        checkpoint = await self.contents_manager.create_checkpoint(path)
        self.set_header("Location", self.location_url(path.strip("/"), "checkpoints", checkpoint["id"]))
        await self.finish_json(checkpoint, 201)


class ModifyCheckpointsHandler(ContentsAPIHandler):
    """``/api/contents/<path>/checkpoints/<id>``: restore (POST) and delete (DELETE)."""

    async def post(self, path: str, checkpoint_id: str) -> None:
        await self.contents_manager.restore_checkpoint(checkpoint_id, path)
        self.set_status(204)
        self.finish()

    async def delete(self, path: str, checkpoint_id: str) -> None:
        await self.contents_manager.delete_checkpoint(checkpoint_id, path)
        self.set_status(204)
        self.finish()


class TrustNotebooksHandler(ContentsAPIHandler):
    """``/api/contents/<path>/trust``: POST signs the notebook (201, empty body)."""

    async def post(self, path: str = "") -> None:
        await self.contents_manager.trust_notebook(path)
        self.set_status(201)
        self.finish()


class RedirectHandler(JupyterHandler):
    """Old and trailing-slash spellings of contents URLs: 302 to the canonical one."""

    allow_unauthenticated = True

    def initialize(self, target: str) -> None:
        self.target = target

    async def get(self, path: str = "") -> None:
        url = url_path_join(self.base_url, self.target, url_escape(path.strip("/")))
        if self.request.query:
            url += "?" + self.request.query
        self.redirect(url)


def files_route(base_url: str, contents_manager: ContentsManager) -> tuple[str, type, dict[str, Any]]:
    """The /files/ route, with the manager's ``files_handler_class`` and ``files_handler_params``."""
    from ._files_handler import FilesHandler

    handler = getattr(contents_manager, "files_handler_class", FilesHandler)
    params = dict(getattr(contents_manager, "files_handler_params", {}) or {})
    if isinstance(handler, type) and issubclass(handler, FilesHandler):
        params["contents_manager"] = contents_manager
    elif isinstance(handler, type) and issubclass(handler, web.StaticFileHandler):
        # A static-file handler (jupyter_server's AuthenticatedFileHandler, say) serves
        # a folder: the manager's root unless the params name another.
        root = getattr(contents_manager, "root_dir", None)
        if root and "path" not in params:
            params["path"] = root
    return (url_path_join(base_url, r"/files/(.*)"), handler, params)


def contents_routes(base_url: str, contents_manager: ContentsManager) -> list[Any]:
    """Every route of the wheel: /api/contents (checkpoints and trust first, their URLs
    look like paths), the old /api/notebooks spelling, /files/ and /view/."""
    from ._view import ViewHandler

    kwargs = {"contents_manager": contents_manager}
    api = url_path_join(base_url, "api")
    return [
        (api + "/contents" + PATH_REGEX + "/checkpoints", CheckpointsHandler, kwargs),
        (api + "/contents" + PATH_REGEX + "/checkpoints/" + CHECKPOINT_ID_REGEX, ModifyCheckpointsHandler, kwargs),
        (api + "/contents" + PATH_REGEX + "/trust", TrustNotebooksHandler, kwargs),
        (api + "/contents/(?P<path>.+)/", RedirectHandler, {"target": "api/contents"}),
        (api + "/contents" + PATH_REGEX, ContentsHandler, kwargs),
        (api + "/notebooks/?(?P<path>.*)", RedirectHandler, {"target": "api/contents"}),
        files_route(base_url, contents_manager),
        (url_path_join(base_url, "view") + PATH_REGEX, ViewHandler, kwargs),
    ]
