"""CVE-2026-40110 (GHSA-24qx-w28j-9m6p): ``allow_origin_pat`` must match the whole origin.

A pattern written for ``https://trusted.example.com`` once let any origin that merely
*starts* with it in. Here the look-alikes are tried as a browser would send them (the
login cookie, no token) over real HTTP and on every WebSocket of the core: kernels,
events, and kernels relayed to a gateway. The terminals WebSocket has the same test in
the terminals wheel.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from jupyter_server_core._origin import origin_allowed
from tornado.httpclient import HTTPClientError

from .test_gateway import Gateway, gateway, gateway_protocols, token_sent  # noqa: F401 - fixtures

TRUSTED = "https://trusted.example.com"
PATTERN = r"https://trusted\.example\.com"
LOOK_ALIKES = [
    "https://trusted.example.com.evil.example",
    "https://trusted.example.comevil.example",
    "https://trusted.example.com:8443.evil.example",
]
#: A pattern that legitimately allows many origins: any subdomain, any port.
WIDE_PATTERN = r"https://([a-z0-9-]+\.)*trusted\.example\.com(:[0-9]+)?"


@pytest.mark.parametrize(("origin", "host", "allow_origin", "pattern", "allowed"), [
    (None, "localhost:8888", "", PATTERN, True),  # no Origin: not a browser
    ("http://evil.example", None, "", PATTERN, True),  # no Host: not a browser either
    ("http://localhost:8888", "localhost:8888", "", None, True),  # the server's own origin
    ("HTTP://LOCALHOST:8888", "localhost:8888", "", None, True),
    ("http://evil.example", "localhost:8888", "", None, False),
    ("http://evil.example", "localhost:8888", "*", None, True),
    (TRUSTED, "localhost:8888", TRUSTED, None, True),
    (TRUSTED.upper(), "localhost:8888", TRUSTED, None, True),
    (TRUSTED + ":443", "localhost:8888", TRUSTED, None, False),  # exact means exact
    (TRUSTED, "localhost:8888", "", PATTERN, True),
    *[(o, "localhost:8888", "", PATTERN, False) for o in LOOK_ALIKES],
    *[(o, "localhost:8888", TRUSTED, None, False) for o in LOOK_ALIKES],
    ("https://app.trusted.example.com:8443", "localhost:8888", "", WIDE_PATTERN, True),
    *[(o, "localhost:8888", "", WIDE_PATTERN, False) for o in LOOK_ALIKES],
    ("null", "localhost:8888", "", PATTERN, False),  # sandboxed frames send "null"
    ("", "localhost:8888", "", PATTERN, False),
])
def test_the_rule(origin, host, allow_origin, pattern, allowed):
    compiled = re.compile(pattern) if pattern else None
    assert origin_allowed(origin, host, allow_origin, compiled) is allowed


def test_a_prefix_only_match_is_refused_and_explained(caplog):
    pattern = re.compile(r"https://prefix-only\.example")
    assert not origin_allowed("https://prefix-only.example.evil", "localhost", "", pattern)
    assert "must match the whole origin" in caplog.text


@pytest.fixture
def browser(jp_browser_headers: dict[str, str | None]) -> dict[str, str | None]:
    return jp_browser_headers


async def assert_http_rule(jp_fetch: Any, browser: dict[str, str | None], allowed: list[str]) -> None:
    for origin in LOOK_ALIKES:
        for method, path in (("GET", "api/status"), ("POST", "api/kernels")):
            r = await jp_fetch(path, method=method, headers={**browser, "Origin": origin}, raise_error=False)
            assert r.code == 404, (method, origin)
            assert "Access-Control-Allow-Origin" not in r.headers
    for origin in allowed:
        r = await jp_fetch("api", "status", headers={**browser, "Origin": origin})
        assert r.headers["Access-Control-Allow-Origin"] == origin


async def assert_websocket_rule(jp_ws_fetch: Any, browser: dict[str, str | None], allowed: list[str],
                                *path: str) -> None:
    for origin in LOOK_ALIKES:
        with pytest.raises(HTTPClientError) as err:
            await jp_ws_fetch(*path, headers={**browser, "Origin": origin})
        assert err.value.code == 403, origin
    for origin in allowed:
        ws = await jp_ws_fetch(*path, headers={**browser, "Origin": origin})
        ws.close()


async def new_kernel(jp_fetch: Any) -> str:
    r = await jp_fetch("api", "kernels", method="POST", body={"name": "python3"})
    return str(json.loads(r.body)["id"])


class TestPattern:
    @pytest.fixture
    def jp_server_config(self) -> dict[str, Any]:
        return {"ServerApp": {"allow_origin_pat": PATTERN}}

    async def test_http(self, jp_fetch, browser):
        await assert_http_rule(jp_fetch, browser, [TRUSTED])

    async def test_kernel_websocket(self, jp_fetch, jp_ws_fetch, browser):
        kid = await new_kernel(jp_fetch)
        await assert_websocket_rule(jp_ws_fetch, browser, [TRUSTED], "api", "kernels", kid, "channels")

    async def test_events_websocket(self, jp_ws_fetch, browser):
        await assert_websocket_rule(jp_ws_fetch, browser, [TRUSTED], "api", "events", "subscribe")

    async def test_unsafe_page_request(self, jp_fetch, browser):
        # The login form is a page, not an API: its POST is held to the same rule.
        for origin in LOOK_ALIKES:
            r = await jp_fetch("login", method="POST", body="password=x",
                               headers={**browser, "Origin": origin}, raise_error=False)
            assert r.code == 404, origin


class TestWidePattern:
    @pytest.fixture
    def jp_server_config(self) -> dict[str, Any]:
        return {"ServerApp": {"allow_origin_pat": WIDE_PATTERN}}

    async def test_http_and_kernel_websocket(self, jp_fetch, jp_ws_fetch, browser):
        allowed = [TRUSTED, "https://app.trusted.example.com", "https://trusted.example.com:8443"]
        await assert_http_rule(jp_fetch, browser, allowed)
        kid = await new_kernel(jp_fetch)
        await assert_websocket_rule(jp_ws_fetch, browser, allowed, "api", "kernels", kid, "channels")


class TestExactOrigin:
    @pytest.fixture
    def jp_server_config(self) -> dict[str, Any]:
        return {"ServerApp": {"allow_origin": TRUSTED}}

    async def test_http_and_events_websocket(self, jp_fetch, jp_ws_fetch, browser):
        await assert_http_rule(jp_fetch, browser, [TRUSTED])
        await assert_websocket_rule(jp_ws_fetch, browser, [TRUSTED], "api", "events", "subscribe")


class TestGatewayRelay:
    @pytest.fixture
    def jp_server_config(self, gateway: Gateway, token_sent: str) -> dict[str, Any]:  # noqa: F811
        return {
            "ServerApp": {"allow_origin_pat": PATTERN},
            "GatewayClient": {"url": gateway.url, "auth_token": token_sent, "request_timeout": 30},
        }

    async def test_kernel_websocket(self, jp_fetch, jp_ws_fetch, browser, gateway):  # noqa: F811
        kid = await new_kernel(jp_fetch)
        assert kid in gateway.app.kernel_manager  # the kernel runs on the gateway
        await assert_websocket_rule(jp_ws_fetch, browser, [TRUSTED], "api", "kernels", kid, "channels")
