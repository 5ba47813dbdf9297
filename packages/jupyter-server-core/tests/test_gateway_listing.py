"""A gateway whose kernel listing is not the whole truth, and cookies that expire.

The gateway is a small real HTTP server in the test's loop: it starts "kernels" (models
only, no processes: the server under test never talks to them), lists them, and can be
told to leave one out of its next listing, as a gateway cluster answering from a node that
has not heard of a kernel yet does.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from tornado import httpserver, netutil, web
from tornado.httputil import HTTPHeaders

SPECS = {"default": "py", "kernelspecs": {"py": {
    "name": "py", "spec": {"argv": [], "display_name": "Py", "language": "python"}, "resources": {}}}}


class Book:
    """What the stand-in gateway runs; ``hide`` leaves kernels out of the next listing only."""

    def __init__(self) -> None:
        self.kernels: dict[str, dict[str, Any]] = {}
        self.hide: set[str] = set()


class Kernels(web.RequestHandler):
    def initialize(self, book: Book) -> None:
        self.book = book

    def get(self) -> None:
        shown = [m for k, m in self.book.kernels.items() if k not in self.book.hide]
        self.book.hide.clear()
        self.finish(json.dumps(shown))

    def post(self) -> None:
        name = json.loads(self.request.body).get("name", "py")
        model = {"id": str(uuid.uuid4()), "name": name, "execution_state": "idle", "connections": 0,
                 "last_activity": "2026-01-01T00:00:00Z"}
        self.book.kernels[model["id"]] = model
        self.set_status(201)
        self.finish(model)


class Kernel(web.RequestHandler):
    def initialize(self, book: Book) -> None:
        self.book = book

    def get(self, kernel_id: str) -> None:
        if kernel_id not in self.book.kernels:
            raise web.HTTPError(404)
        self.finish(self.book.kernels[kernel_id])

    def delete(self, kernel_id: str) -> None:
        self.book.kernels.pop(kernel_id, None)
        self.set_status(204)


class Specs(web.RequestHandler):
    def get(self) -> None:
        self.finish(SPECS)


@pytest.fixture
async def book() -> AsyncIterator[Book]:
    book = Book()
    app = web.Application([
        (r"/api/kernelspecs", Specs), (r"/api/kernels", Kernels, {"book": book}),
        (r"/api/kernels/([^/]+)", Kernel, {"book": book}),
    ])
    server = httpserver.HTTPServer(app)
    sockets = netutil.bind_sockets(0, "127.0.0.1")
    server.add_sockets(sockets)
    book.url = f"http://127.0.0.1:{sockets[0].getsockname()[1]}"  # type: ignore[attr-defined]
    try:
        yield book
    finally:
        server.stop()


@pytest.fixture
def jp_server_config(book: Book) -> dict[str, Any]:
    return {"GatewayClient": {"url": book.url, "accept_cookies": True}}  # type: ignore[attr-defined]


async def kernel_ids(jp_fetch: Any) -> list[str]:
    return [m["id"] for m in json.loads((await jp_fetch("api", "kernels")).body)]


async def test_a_kernel_left_out_of_one_listing_is_kept(jp_fetch: Any, book: Book) -> None:
    started = json.loads((await jp_fetch("api", "kernels", method="POST", body="{}")).body)["id"]
    book.hide.add(started)
    assert await kernel_ids(jp_fetch) == [started]  # asked about it one by one: still there
    book.kernels.pop(started)
    book.hide.add(started)
    assert await kernel_ids(jp_fetch) == []  # now its own URL is a 404: gone
    missing = await jp_fetch("api", "kernels", started, raise_error=False)
    assert missing.code == 404


async def test_sessions_survive_a_listing_that_misses_their_kernel(jp_fetch: Any, book: Book) -> None:
    body = json.dumps({"path": "a.ipynb", "type": "notebook", "kernel": {"name": "py"}})
    session = json.loads((await jp_fetch("api", "sessions", method="POST", body=body)).body)
    book.hide.add(session["kernel"]["id"])
    sessions = json.loads((await jp_fetch("api", "sessions")).body)
    assert [s["id"] for s in sessions] == [session["id"]]


def test_expired_cookies_are_not_sent_back(jp_serverapp: Any) -> None:
    client = jp_serverapp.gateway_config
    headers = HTTPHeaders()
    headers.add("Set-Cookie", "node=a7; Path=/; Max-Age=3600")
    headers.add("Set-Cookie", "lb=x; Path=/")
    headers.add("Set-Cookie", "stale=1; Path=/; Max-Age=-60")
    headers.add("Set-Cookie", "old=1; Path=/; Expires=Thu, 01 Jan 2015 00:00:00 GMT")
    client.keep_cookies(headers)
    assert client.request_headers()["Cookie"] == "node=a7; lb=x"
    later = HTTPHeaders()
    later.add("Set-Cookie", "node=a7; Path=/; Max-Age=0")
    client.keep_cookies(later)
    assert client.request_headers()["Cookie"] == "lb=x"
