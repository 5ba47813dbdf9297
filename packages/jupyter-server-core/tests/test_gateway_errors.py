"""A gateway that is slow, down, answers errors or is not a gateway: clear errors, no hangs.

The other side is a real HTTP server in the test's loop, playing each kind of gateway
behaviour under a path of its own (``/slow``, ``/html``, ``/broken``, ``/cookies``).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from jupyter_server_core.pytest_plugin import free_port
from tornado import httpserver, netutil, web
from tornado.httpclient import HTTPClientError

LISTING = {"default": "python3", "kernelspecs": {"python3": {
    "name": "python3", "spec": {"argv": [], "display_name": "Python 3", "language": "python"}, "resources": {}}}}


class Slow(web.RequestHandler):
    async def get(self) -> None:
        await asyncio.sleep(10)


class Html(web.RequestHandler):
    def get(self) -> None:
        self.finish("<html><body>a login page</body></html>")


class Broken(web.RequestHandler):
    def post(self) -> None:
        self.set_status(500)
        self.finish({"message": "kernel launch failed: no node has room", "reason": "Internal Server Error"})

    def get(self) -> None:
        self.set_status(503)
        self.finish("")


class Cookies(web.RequestHandler):
    seen: list[str] = []
    users: list[str | None] = []

    def get(self) -> None:
        Cookies.seen.append(self.request.headers.get("Cookie", ""))
        Cookies.users.append(self.get_query_argument("user", None))
        self.set_header("Set-Cookie", "node=a7; Path=/")
        self.finish(LISTING)


@pytest.fixture
async def other_side() -> AsyncIterator[str]:
    app = web.Application([
        (r"/slow/api/kernelspecs", Slow), (r"/html/api/kernelspecs", Html),
        (r"/broken/api/kernels", Broken), (r"/broken/api/kernelspecs", Broken),
        (r"/cookies/api/kernelspecs", Cookies),
    ])
    server = httpserver.HTTPServer(app)
    sockets = netutil.bind_sockets(0, "127.0.0.1")
    server.add_sockets(sockets)
    Cookies.seen, Cookies.users = [], []
    try:
        yield f"http://127.0.0.1:{sockets[0].getsockname()[1]}"
    finally:
        server.stop()


@pytest.fixture
def mode() -> str:
    return "slow"


@pytest.fixture
def jp_server_config(other_side: str, mode: str) -> dict[str, Any]:
    url = f"http://127.0.0.1:{free_port()}" if mode == "down" else f"{other_side}/{mode}"
    return {
        "GatewayClient": {"url": url, "request_timeout": 0.5, "connect_timeout": 0.5, "accept_cookies": True},
        "GatewayKernelSpecManager": {"listing_max_age": 0},
    }


async def error_of(jp_fetch: Any, *parts: str, method: str = "GET") -> tuple[int, str]:
    with pytest.raises(HTTPClientError) as err:
        await jp_fetch(*parts, method=method)
    assert err.value.response is not None
    body = json.loads(err.value.response.body)
    assert set(body) == {"message", "reason"}
    return err.value.code, body["message"]


async def test_a_slow_gateway_times_out_with_504(jp_fetch: Any, jp_serverapp: Any) -> None:
    code, message = await error_of(jp_fetch, "api", "kernelspecs")
    assert code == 504
    assert jp_serverapp.gateway_config.url in message and "did not answer within 0.5s" in message


@pytest.mark.parametrize("mode", ["down"])
async def test_a_gateway_that_is_down_is_503_and_the_server_carries_on(jp_fetch: Any, jp_serverapp: Any) -> None:
    url = jp_serverapp.gateway_config.url
    for parts, method in ((("api", "kernelspecs"), "GET"), (("api", "kernels"), "GET"), (("api", "kernels"), "POST"),
                          (("api", "kernels", "00000000-0000-0000-0000-000000000000", "restart"), "POST")):
        code, message = await error_of(jp_fetch, *parts, method=method)
        assert code == 503 and url in message and "not reachable" in message
    assert (await jp_fetch("api", "status")).code == 200
    assert json.loads((await jp_fetch("api", "sessions")).body) == []


@pytest.mark.parametrize("mode", ["html"])
async def test_something_that_is_not_a_gateway_is_a_502(jp_fetch: Any) -> None:
    code, message = await error_of(jp_fetch, "api", "kernelspecs")
    assert code == 502 and "not JSON" in message and "GatewayClient.url" in message


@pytest.mark.parametrize("mode", ["broken"])
async def test_gateway_errors_keep_their_status_and_message(jp_fetch: Any) -> None:
    code, message = await error_of(jp_fetch, "api", "kernels", method="POST")
    assert code == 500 and "kernel launch failed: no node has room" in message
    code, message = await error_of(jp_fetch, "api", "kernelspecs")
    assert code == 503 and "answered 503" in message


@pytest.mark.parametrize("mode", ["cookies"])
async def test_cookies_of_the_gateway_are_sent_back(jp_fetch: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KERNEL_USERNAME", raising=False)
    for user in (None, "ada lovelace"):
        if user:  # Enterprise Gateway lists the kernelspecs KERNEL_USERNAME may use
            monkeypatch.setenv("KERNEL_USERNAME", user)
        specs = json.loads((await jp_fetch("api", "kernelspecs")).body)
        assert list(specs["kernelspecs"]) == ["python3"]
    assert Cookies.seen == ["", "node=a7"]
    assert Cookies.users == [None, "ada lovelace"]
