"""gzip for text responses: a tornado output transform, and a stream for handlers.

The transform sits on the application (``Application.add_transform``) and compresses a
response on its way out, chunk by chunk as the handler flushes, when all of these hold:

- the client accepts gzip (``Accept-Encoding``, q-values honoured);
- the type is text-like (``text/*``, JSON, JavaScript, XML, SVG, ``+json``/``+xml``):
  images, archives, fonts and other already-compressed types pass untouched;
- the body is at least ``min_size`` bytes (known from ``Content-Length`` or a single
  finishing chunk; a body streamed in several chunks of unknown length is compressed);
- it is a full answer: no ``206``/``Content-Range``, no body-less status, no
  ``Content-Encoding`` already set, and the URL does not name a compressed file (``.gz``...).

A handler that builds a big body can compress it itself, off the event loop, with
:func:`start_gzip`: it sets the headers and returns a :class:`GzipStream`; the transform
then sees ``Content-Encoding`` and passes the bytes through.
"""

from __future__ import annotations

import mimetypes
import zlib
from dataclasses import dataclass
from typing import Any, ClassVar

from tornado import httputil, web

__all__ = ["GzipPolicy", "GzipStream", "GzipTransform", "gzip_policy", "gzip_transform", "start_gzip"]

# nginx's default level: most of the saving at a fraction of the CPU of level 6, which
# matters when a 20 MB notebook goes out on a fast local link.
GZIP_LEVEL = 1
_TEXT_TYPES = frozenset({
    "application/json", "application/javascript", "application/x-javascript", "application/xml",
    "application/x-ipynb+json", "application/x-yaml", "application/yaml", "application/toml",
    "application/wasm", "image/svg+xml",
})


def _accepts_gzip(accept_encoding: str) -> bool:
    """Whether an ``Accept-Encoding`` value allows gzip (``gzip``, ``x-gzip`` or ``*``, q > 0)."""
    wildcard = None
    for item in accept_encoding.split(","):
        coding, _, params = item.strip().partition(";")
        coding = coding.strip().lower()
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if coding in ("gzip", "x-gzip"):
            return quality > 0
        if coding == "*":
            wildcard = quality > 0
    return bool(wildcard)


def _names_compressed_file(path: str) -> bool:
    """``/files/a.csv.gz``: the bytes are compressed already, whatever the type says."""
    name = path.rpartition("/")[2]
    return bool(name) and mimetypes.guess_type(name, strict=False)[1] is not None


@dataclass(frozen=True)
class GzipPolicy:
    """When to compress: the configured threshold, the level, and the type rules."""

    min_size: int
    level: int = GZIP_LEVEL

    @staticmethod
    def compressible_type(content_type: str) -> bool:
        ctype = content_type.split(";")[0].strip().lower()
        return (ctype.startswith("text/") or ctype in _TEXT_TYPES
                or ctype.endswith("+json") or ctype.endswith("+xml"))

    def applies(self, request: httputil.HTTPServerRequest, status: int, headers: httputil.HTTPHeaders) -> bool:
        """Whether this answer may be compressed, before looking at its size."""
        return (
            200 <= status < 300 and status not in (204, 206)
            and "Content-Encoding" not in headers and "Content-Range" not in headers
            and self.compressible_type(headers.get("Content-Type", ""))
            and _accepts_gzip(request.headers.get("Accept-Encoding", ""))
            and not _names_compressed_file(request.path)
        )


class GzipStream:
    """A gzip member built piece by piece: every :meth:`compress` returns bytes that can
    be sent at once (a sync flush), :meth:`finish` the trailer."""

    def __init__(self, level: int = GZIP_LEVEL) -> None:
        self._z = zlib.compressobj(level, zlib.DEFLATED, 16 + zlib.MAX_WBITS)

    def compress(self, data: bytes) -> bytes:
        return self._z.compress(data) + self._z.flush(zlib.Z_SYNC_FLUSH)

    def finish(self, data: bytes = b"") -> bytes:
        return self._z.compress(data) + self._z.flush(zlib.Z_FINISH)


def _add_vary(headers: httputil.HTTPHeaders) -> None:
    vary = headers.get("Vary", "")
    if "accept-encoding" not in vary.lower():
        headers["Vary"] = f"{vary}, Accept-Encoding" if vary else "Accept-Encoding"


def _weaken_ranged_etag(headers: httputil.HTTPHeaders) -> None:
    # Where byte ranges are offered, a gzip copy must not validate an If-Range for the
    # identity bytes (strong comparison): its tag becomes weak, as nginx does.
    etag = headers.get("Etag")
    if etag and "Accept-Ranges" in headers and not etag.startswith("W/"):
        headers["Etag"] = "W/" + etag


class GzipTransform(web.OutputTransform):
    """The output transform; :func:`gzip_transform` binds it to a policy."""

    policy: ClassVar[GzipPolicy] = GzipPolicy(min_size=1400)

    def __init__(self, request: httputil.HTTPServerRequest) -> None:
        self._request = request
        self._stream: GzipStream | None = None

    def transform_first_chunk(self, status_code: int, headers: httputil.HTTPHeaders, chunk: bytes,
                              finishing: bool) -> tuple[int, httputil.HTTPHeaders, bytes]:
        policy = self.policy
        if status_code in (204, 304) or not policy.compressible_type(headers.get("Content-Type", "")):
            return status_code, headers, chunk
        _add_vary(headers)
        if not policy.applies(self._request, status_code, headers):
            return status_code, headers, chunk
        length = headers.get("Content-Length")
        size = int(length) if length and length.isdigit() else (len(chunk) if finishing else None)
        if size is not None and size < policy.min_size:
            return status_code, headers, chunk
        headers["Content-Encoding"] = "gzip"
        headers.pop("Content-Length", None)
        _weaken_ranged_etag(headers)
        if self._request.method == "HEAD":
            return status_code, headers, b""  # the headers a GET would get, no body
        self._stream = GzipStream(policy.level)
        chunk = self.transform_chunk(chunk, finishing)
        if finishing:
            headers["Content-Length"] = str(len(chunk))
        return status_code, headers, chunk

    def transform_chunk(self, chunk: bytes, finishing: bool) -> bytes:
        if self._stream is None:
            return chunk
        return self._stream.finish(chunk) if finishing else self._stream.compress(chunk)


def gzip_transform(min_size: int) -> type[GzipTransform]:
    """A :class:`GzipTransform` class bound to a threshold, for ``Application.add_transform``."""
    return type("ConfiguredGzipTransform", (GzipTransform,), {"policy": GzipPolicy(min_size=min_size)})


def gzip_policy(application: web.Application) -> GzipPolicy | None:
    """The policy of the gzip transform installed on ``application``, None when off."""
    for transform in application.transforms:
        if isinstance(transform, type) and issubclass(transform, GzipTransform):
            return transform.policy
    return None


def start_gzip(handler: web.RequestHandler, size: int) -> GzipStream | None:
    """Compress this answer in the handler (say, in a worker thread) if the policy allows.

    Call after setting status and ``Content-Type``, before the first flush. Returns None when
    the body goes out as is; otherwise ``Content-Encoding`` and ``Vary`` are set and the
    caller writes ``stream.compress(piece)`` for each piece and ``stream.finish()`` last.
    """
    policy = gzip_policy(handler.application)
    headers: Any = handler._headers  # tornado keeps the pending headers here
    if policy is None or size < policy.min_size:
        return None
    if not policy.applies(handler.request, handler.get_status(), headers):
        return None
    handler.set_header("Content-Encoding", "gzip")
    _add_vary(headers)
    handler.clear_header("Content-Length")
    return GzipStream(policy.level)
