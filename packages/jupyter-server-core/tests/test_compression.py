"""gzip of text answers over real HTTP: when it applies, when it must not, and its switches."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest
from jupyter_server_core._compression import GzipPolicy, _accepts_gzip


async def raw(jp_fetch: Any, *parts: str, accept: str | None = "gzip, deflate, br", **kwargs: Any) -> Any:
    """A request whose answer is not decoded by the client: the bytes as they came."""
    headers = {"Accept-Encoding": accept} if accept is not None else {}
    headers.update(kwargs.pop("headers", {}))
    return await jp_fetch(*parts, headers=headers, decompress_response=False, **kwargs)


async def test_big_text_answer_is_gzipped_and_decodes_to_the_same_bytes(jp_fetch):
    plain = await raw(jp_fetch, "api", "spec.yaml", accept="identity")
    assert "Content-Encoding" not in plain.headers and len(plain.body) > 5000
    assert plain.headers["Vary"] == "Accept-Encoding"
    packed = await raw(jp_fetch, "api", "spec.yaml")
    assert packed.headers["Content-Encoding"] == "gzip"
    assert packed.headers["Vary"] == "Accept-Encoding"
    assert int(packed.headers["Content-Length"]) == len(packed.body) < len(plain.body) / 3
    assert gzip.decompress(packed.body) == plain.body
    assert packed.headers["Etag"] == plain.headers["Etag"]


async def test_small_answer_is_not_compressed(jp_fetch):
    r = await raw(jp_fetch, "api", "status")
    assert len(r.body) < 1400
    assert "Content-Encoding" not in r.headers
    json.loads(r.body)


@pytest.mark.parametrize("accept", [None, "identity", "gzip;q=0", "br, deflate", "*;q=0", "GZIP;q=0.0"])
async def test_no_gzip_unless_the_client_accepts_it(jp_fetch, accept):
    r = await raw(jp_fetch, "api", "spec.yaml", accept=accept)
    assert "Content-Encoding" not in r.headers
    json.loads(r.body)


@pytest.mark.parametrize("accept", ["gzip", "x-gzip", "*", "deflate, gzip;q=0.5", "br;q=1, GZip"])
async def test_every_spelling_of_accepting_gzip(jp_fetch, accept):
    r = await raw(jp_fetch, "api", "spec.yaml", accept=accept)
    assert r.headers["Content-Encoding"] == "gzip"


def test_accept_encoding_parsing_edges():
    assert not _accepts_gzip("")
    assert not _accepts_gzip("gzip;q=nonsense")
    assert _accepts_gzip("*, gzip;q=0.001")
    assert not _accepts_gzip("*, gzip;q=0")


def test_types_that_are_compressed_already_are_left_alone():
    assert GzipPolicy.compressible_type("application/json")
    assert GzipPolicy.compressible_type("text/plain; charset=UTF-8")
    assert GzipPolicy.compressible_type("application/x-ipynb+json")
    assert GzipPolicy.compressible_type("application/vnd.api+json")
    for ctype in ("image/png", "image/jpeg", "application/zip", "application/gzip", "font/woff2",
                  "application/octet-stream", "application/pdf", ""):
        assert not GzipPolicy.compressible_type(ctype), ctype


async def test_binary_static_file_is_not_compressed(jp_fetch):
    r = await raw(jp_fetch, "static", "favicons", "favicon.ico")
    assert r.code == 200 and "Content-Encoding" not in r.headers


async def test_not_modified_answer_is_not_compressed(jp_fetch):
    first = await raw(jp_fetch, "api", "spec.yaml")
    again = await raw(jp_fetch, "api", "spec.yaml", headers={"If-None-Match": first.headers["Etag"]},
                      raise_error=False)
    assert again.code == 304 and again.body == b"" and "Content-Encoding" not in again.headers


class TestSwitchedOff:
    @pytest.fixture
    def jp_server_config(self) -> dict[str, Any]:
        return {"ServerApp": {"compress_responses": False}}

    async def test_nothing_is_compressed(self, jp_fetch):
        r = await raw(jp_fetch, "api", "spec.yaml")
        assert "Content-Encoding" not in r.headers
        json.loads(r.body)


class TestThreshold:
    @pytest.fixture
    def jp_server_config(self) -> dict[str, Any]:
        return {"ServerApp": {"compress_min_size": 10}}

    async def test_a_lower_threshold_compresses_small_answers(self, jp_fetch):
        r = await raw(jp_fetch, "api", "status")
        assert r.headers["Content-Encoding"] == "gzip"
        assert set(json.loads(gzip.decompress(r.body))) >= {"started", "kernels"}


def test_negative_threshold_is_refused(jp_environ):
    from jupyter_server_core import ServerApp

    with pytest.raises(ValueError, match="compress_min_size"):
        ServerApp(compress_min_size=-1)


async def test_partial_and_pre_encoded_answers_pass_untouched():
    """A 206 (what /files/ answers to a Range) and a body the handler encoded itself are never
    compressed (again), on a real tornado server with the transform installed."""
    from jupyter_server_core._compression import gzip_transform
    from tornado import httpclient, httpserver, netutil, web

    body = b"0123456789abcdef" * 1000

    class Partial(web.RequestHandler):
        def get(self) -> None:
            self.set_status(206)
            self.set_header("Content-Type", "text/plain")
            self.set_header("Content-Range", f"bytes 0-{len(body) - 1}/{len(body) * 2}")
            self.finish(body)

    class Ranged(web.RequestHandler):
        def get(self) -> None:
            self.set_header("Content-Type", "text/plain")
            self.set_header("Accept-Ranges", "bytes")
            self.set_header("Etag", '"v1"')
            self.finish(body)

    class PreEncoded(web.RequestHandler):
        def get(self) -> None:
            self.set_header("Content-Type", "text/plain")
            self.set_header("Content-Encoding", "gzip")
            self.finish(gzip.compress(body))

    app = web.Application([("/partial", Partial), ("/ranged", Ranged), ("/encoded", PreEncoded)])
    app.add_transform(gzip_transform(100))
    server = httpserver.HTTPServer(app)
    [sock] = netutil.bind_sockets(0, "127.0.0.1")
    server.add_sockets([sock])
    port = sock.getsockname()[1]
    client = httpclient.AsyncHTTPClient()
    try:
        def get(path: str) -> Any:
            return client.fetch(f"http://127.0.0.1:{port}{path}", headers={"Accept-Encoding": "gzip"},
                                decompress_response=False)

        r = await get("/partial")
        assert r.code == 206 and "Content-Encoding" not in r.headers and r.body == body
        r = await get("/encoded")
        assert r.headers["Content-Encoding"] == "gzip" and gzip.decompress(r.body) == body
        # Where ranges are offered, the gzip copy's tag is weak: an If-Range never matches it.
        r = await get("/ranged")
        assert r.headers["Content-Encoding"] == "gzip" and r.headers["Etag"] == 'W/"v1"'
    finally:
        server.stop()
