"""``/files/<path>``: raw downloads of the files under the contents root.

Files are streamed in blocks read in a worker thread. Every answer carries
``Content-Security-Policy: sandbox allow-scripts``: an HTML or SVG file opened in the
browser runs in an opaque origin and cannot use the server's cookies, storage or API.
``?download=1`` (and every notebook) comes as an attachment, with an RFC 5987 file name.
A ``Range`` request gets its bytes with a 206 (see :mod:`._ranges`), so a large download
can be resumed or a media file seeked.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import stat
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

from jupyter_server_core import JupyterHandler
from tornado import httputil, web

from ._manager import ContentsManager
from ._models import guess_mimetype
from ._paths import is_hidden_api_path
from ._ranges import UnsatisfiableRange, requested_range

__all__ = ["FilesHandler", "content_disposition"]

_BLOCK = 1 << 20


def content_disposition(name: str) -> str:
    """``attachment; filename*=utf-8''<name>``, every unsafe byte percent-encoded (RFC 5987)."""
    return "attachment; filename*=utf-8''" + quote(name, safe="")


def _content_type(name: str) -> str:
    if name.endswith(".ipynb"):
        return "application/x-ipynb+json"
    mime = guess_mimetype(name) or "application/octet-stream"
    return "text/plain; charset=UTF-8" if mime == "text/plain" else mime


class FilesHandler(JupyterHandler):
    """GET and HEAD of a file's bytes, with Last-Modified/ETag and 304 answers."""

    auth_resource = "contents"
    # A file may be a script: only this server's pages (or the XSRF token) may fetch it
    # with the login cookie, so another site cannot include it (as jupyter_server).
    referer_check = "required"

    def initialize(self, contents_manager: ContentsManager, **kwargs: Any) -> None:
        self.contents_manager = contents_manager

    @property
    def content_security_policy(self) -> str:
        return super().content_security_policy + "; sandbox allow-scripts"

    async def head(self, path: str) -> None:
        await self.get(path, include_body=False)

    async def get(self, path: str, include_body: bool = True) -> None:
        cm = self.contents_manager
        resolve = getattr(cm, "_resolve_sync", None)
        if resolve is None:
            await self._from_model(path, include_body)
            return
        try:
            api_path, os_path = await asyncio.to_thread(resolve, path)
        except web.HTTPError as exc:
            # A path that climbs out of the root is forbidden, as jupyter_server answers.
            raise web.HTTPError(403 if "outside root" in (exc.log_message or "") else exc.status_code,
                                exc.log_message) from None
        if not cm.allow_hidden and is_hidden_api_path(api_path):
            raise web.HTTPError(404)
        try:
            st = await asyncio.to_thread(os.stat, os_path)
        except OSError:
            raise web.HTTPError(404) from None
        if stat.S_ISDIR(st.st_mode):
            # As jupyter_server answers: a folder exists but is no file to download.
            raise web.HTTPError(403, "%s is a directory, not a file", api_path)
        if not stat.S_ISREG(st.st_mode):
            raise web.HTTPError(404)
        name = api_path.rpartition("/")[2]
        etag = '"' + hashlib.sha1(f"{st.st_mtime_ns}-{st.st_size}-{st.st_ino}".encode()).hexdigest() + '"'
        self._set_file_headers(name, st.st_mtime, etag)
        if self._not_modified(st.st_mtime, etag):
            self.set_status(304)
            self.finish()
            return
        span = self._answer_range(st.st_size)
        if span is None:
            return
        if not include_body:
            self.finish()
            return
        await self._stream(os_path, *span)

    def _set_file_headers(self, name: str, mtime: float, etag: str) -> None:
        self.set_header("Content-Type", _content_type(name))
        if self.get_query_argument("download", "") not in ("", "0") or name.endswith(".ipynb"):
            self.set_header("Content-Disposition", content_disposition(name))
        self.set_header("Last-Modified", httputil.format_timestamp(mtime))
        self.set_header("Etag", etag)
        self.set_header("Cache-Control", "no-cache")
        self.set_header("Accept-Ranges", "bytes")

    def _answer_range(self, size: int) -> tuple[int, int] | None:
        """Set status and length for the bytes to send; None once a 416 has been sent."""
        try:
            span = requested_range(self.request.headers.get("Range"), size)
        except UnsatisfiableRange:
            self.set_status(416)
            self.set_header("Content-Type", "text/plain")
            self.set_header("Content-Range", f"bytes */{size}")
            self.finish()
            return None
        if span is not None:
            self.set_status(206)
            self.set_header("Content-Range", f"bytes {span[0]}-{span[1] - 1}/{size}")
        start, stop = span or (0, size)
        self.set_header("Content-Length", stop - start)
        return start, stop

    def _not_modified(self, mtime: float, etag: str) -> bool:
        if_none_match = self.request.headers.get("If-None-Match")
        if if_none_match:
            # Weak comparison: a proxy (or our gzip, where ranges are offered) may send W/"...".
            return etag in [t.strip().removeprefix("W/") for t in if_none_match.split(",")] or if_none_match.strip() == "*"
        since = self.request.headers.get("If-Modified-Since")
        if since:
            try:
                return parsedate_to_datetime(since).timestamp() >= int(mtime)
            except (TypeError, ValueError, IndexError, OverflowError):
                return False
        return False

    async def _stream(self, os_path: str, start: int, stop: int) -> None:
        try:
            f = await asyncio.to_thread(open, os_path, "rb")
        except OSError:
            raise web.HTTPError(404) from None
        try:
            if start:
                await asyncio.to_thread(f.seek, start)
            left = stop - start
            while left > 0:
                block = await asyncio.to_thread(f.read, min(_BLOCK, left))
                if not block:
                    break
                left -= len(block)
                self.write(block)
                await self.flush()
        finally:
            await asyncio.to_thread(f.close)
        self.finish()

    async def _from_model(self, path: str, include_body: bool) -> None:
        """Managers not backed by the local file system: the bytes come from ``get``."""
        cm = self.contents_manager
        if not cm.allow_hidden and await cm.is_hidden(path):
            raise web.HTTPError(404)
        model = await cm.get(path, type="file", content=include_body)
        name = model["name"]
        mtime = model["last_modified"].timestamp()
        etag = '"' + hashlib.sha1(f"{mtime}-{model.get('size')}".encode()).hexdigest() + '"'
        self._set_file_headers(name, mtime, etag)
        if self._not_modified(mtime, etag):
            self.set_status(304)
            self.finish()
            return
        if not include_body:
            self.finish()
            return
        content = model["content"]
        data = base64.b64decode(content) if model["format"] == "base64" else content.encode("utf-8")
        span = self._answer_range(len(data))
        if span is not None:
            self.finish(data[span[0]:span[1]])
