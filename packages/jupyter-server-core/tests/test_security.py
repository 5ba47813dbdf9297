"""Attacks the base handlers refuse, over real HTTP and WebSocket: forged requests (XSRF),
foreign origins (CORS, WebSocket Origin), DNS rebinding (Host), open redirects after login,
missing security headers, and the token leaking into logs."""

from __future__ import annotations

import json
import logging
from urllib.parse import urlencode

import pytest
from jupyter_server_core import APIHandler, JupyterHandler, url_path_join
from jupyter_server_core._base_handlers import WebSocketMixin
from tornado.httpclient import HTTPClientError
from tornado.websocket import WebSocketHandler

from .test_auth import NO_AUTH, cookie_header, cookies_of, post_login


class EchoHandler(WebSocketMixin, WebSocketHandler, JupyterHandler):
    """Test-only WebSocket route: echoes messages back."""

    def on_message(self, message):
        self.write_message(message)


class BrokenAPI(APIHandler):
    """Test-only API route that fails with an unexpected error (a 500)."""

    def get(self):
        raise RuntimeError("something broke")


class PrivatePage(JupyterHandler):
    """Test-only page that needs a login."""

    def get(self):
        self.finish("private")


@pytest.fixture
def browser(jp_browser_headers):
    """A logged-in browser (cookie, no token): origin checks apply to it, while a request
    carrying the token itself skips them (no foreign page can know the token)."""
    return jp_browser_headers


@pytest.fixture
def test_routes(jp_serverapp):
    base = jp_serverapp.base_url
    jp_serverapp.web_app.add_handlers(".*$", [
        (url_path_join(base, "test-echo"), EchoHandler),
        (url_path_join(base, "test-private"), PrivatePage),
        (url_path_join(base, "api", "test-broken"), BrokenAPI),
    ])


# -- XSRF ------------------------------------------------------------------------------


async def test_xsrf_required_for_cookie_auth(jp_fetch, jp_token):
    r = await jp_fetch("api", "status", params={"token": jp_token}, headers=NO_AUTH)
    cookies = cookies_of(r)
    assert "_xsrf" in cookies  # an authenticated GET hands out the XSRF cookie
    session = {"Authorization": None, "Cookie": cookie_header(cookies)}
    # GET with the cookie works; an unsafe method without the XSRF token is refused.
    assert (await jp_fetch("api", "config", "x", headers=session)).code == 200
    r = await jp_fetch("api", "config", "x", method="PATCH", body={"a": 1}, headers=session, raise_error=False)
    assert r.code == 403 and "_xsrf" in json.loads(r.body)["message"]
    r = await jp_fetch("api", "config", "x", method="PATCH", body={"a": 1}, raise_error=False,
                       headers={**session, "X-XSRFToken": "2|0|" + "0" * 32 + "|1"})
    assert r.code == 403
    r = await jp_fetch("api", "config", "x", method="PATCH", body={"a": 1},
                       headers={**session, "X-XSRFToken": cookies["_xsrf"]})
    assert r.code == 200


async def cookie_session(jp_fetch, jp_token) -> tuple[dict[str, str], dict[str, str]]:
    r = await jp_fetch("api", "status", params={"token": jp_token}, headers=NO_AUTH)
    cookies = cookies_of(r)
    return {"Authorization": None, "Cookie": cookie_header(cookies)}, cookies


async def test_cross_site_referer_refused_on_cookie_api_gets(jp_fetch, jp_token, jp_serverapp):
    session, _ = await cookie_session(jp_fetch, jp_token)
    here = f"http://localhost:{jp_serverapp.port}/lab"
    for referer, code in [(here, 200), (None, 200), ("http://evil.example/page", 403),
                          (f"http://localhost.evil.example:{jp_serverapp.port}/", 403)]:
        r = await jp_fetch("api", "status", headers={**session, "Referer": referer}, raise_error=False)
        assert r.code == code, referer
    assert "evil.example" in json.loads(r.body)["message"]
    # The token proves the request is not another site's: its Referer does not matter.
    r = await jp_fetch("api", "status", headers={"Referer": "http://evil.example/"})
    assert r.code == 200


@pytest.mark.parametrize("jp_server_config", [{"ServerApp": {"allow_origin": "http://friend.example"}}])
async def test_allowed_origin_may_be_the_referer(jp_fetch, jp_token, jp_server_config):
    session, _ = await cookie_session(jp_fetch, jp_token)
    r = await jp_fetch("api", "status", headers={**session, "Referer": "http://friend.example/app"})
    assert r.code == 200


async def test_no_xsrf_needed_with_token(jp_fetch, jp_token):
    # The token proves the request is not forged by another site (jupyter_server agrees).
    assert (await jp_fetch("api", "config", "x", method="PATCH", body={"a": 1})).code == 200
    r = await jp_fetch("api", "config", "x", method="PATCH", body={"a": 2},
                       params={"token": jp_token}, headers=NO_AUTH)
    assert r.code == 200
    r = await jp_fetch("api", "config", "x", method="PATCH", body={"a": 2}, raise_error=False,
                       params={"token": "wrong"}, headers=NO_AUTH)
    assert r.code == 403


# -- CORS ------------------------------------------------------------------------------


async def test_cross_origin_api_request_refused_by_default(jp_fetch, jp_serverapp, browser):
    r = await jp_fetch("api", "status", headers={**browser, "Origin": "http://evil.example"}, raise_error=False)
    assert r.code == 404
    assert "Access-Control-Allow-Origin" not in r.headers
    own = f"http://localhost:{jp_serverapp.port}"
    assert (await jp_fetch("api", "status", headers={**browser, "Origin": own})).code == 200
    # The token proves the caller is no foreign page (jupyter_server skips the check too),
    # but earns no CORS permission.
    r = await jp_fetch("api", "status", headers={"Origin": "http://evil.example"})
    assert r.code == 200 and "Access-Control-Allow-Origin" not in r.headers
    # The preflight gets an answer (200, as jupyter_server) but no permission.
    r = await jp_fetch("api", "status", method="OPTIONS", headers={
        "Authorization": None, "Origin": "http://evil.example", "Access-Control-Request-Method": "POST"})
    assert r.code == 200 and "Access-Control-Allow-Origin" not in r.headers


class TestAllowOrigin:
    @pytest.fixture
    def jp_server_config(self):
        return {"ServerApp": {"allow_origin": "http://good.example", "allow_credentials": True}}

    async def test_allowed_origin(self, jp_fetch, browser):
        r = await jp_fetch("api", "status", headers={**browser, "Origin": "http://good.example"})
        assert r.headers["Access-Control-Allow-Origin"] == "http://good.example"
        assert r.headers["Access-Control-Allow-Credentials"] == "true"
        r = await jp_fetch("api", "status", headers={**browser, "Origin": "http://evil.example"}, raise_error=False)
        assert r.code == 404 and "Access-Control-Allow-Origin" not in r.headers

    async def test_preflight(self, jp_fetch):
        r = await jp_fetch("api", "config", "x", method="OPTIONS", headers={
            "Authorization": None, "Origin": "http://good.example",
            "Access-Control-Request-Method": "PATCH"})
        assert r.code == 200
        assert r.headers["Access-Control-Allow-Origin"] == "http://good.example"
        assert "PATCH" in r.headers["Access-Control-Allow-Methods"]
        assert "authorization" in r.headers["Access-Control-Allow-Headers"].lower()
        r = await jp_fetch("api", "config", "x", method="OPTIONS", headers={
            "Authorization": None, "Origin": "http://evil.example",
            "Access-Control-Request-Method": "PATCH"}, raise_error=False)
        assert r.code == 200 and "Access-Control-Allow-Origin" not in r.headers


class TestAllowOriginPattern:
    @pytest.fixture
    def jp_server_config(self):
        return {"ServerApp": {"allow_origin_pat": r"https://([a-z]+\.)?good\.example$"}}

    @pytest.mark.parametrize(("origin", "allowed"), [
        ("https://good.example", True), ("https://app.good.example", True),
        ("https://good.example.evil.example", False), ("http://good.example", False),
        ("https://evilgood.example", False),
    ])
    async def test_pattern(self, jp_fetch, browser, origin, allowed):
        r = await jp_fetch("api", "status", headers={**browser, "Origin": origin}, raise_error=False)
        assert (r.code == 200) is allowed
        assert (r.headers.get("Access-Control-Allow-Origin") == origin) is allowed
        assert "Access-Control-Allow-Credentials" not in r.headers


    async def test_websocket_follows_the_pattern(self, jp_ws_fetch, browser, test_routes):
        ws = await jp_ws_fetch("test-echo", headers={**browser, "Origin": "https://app.good.example"})
        ws.close()
        with pytest.raises(HTTPClientError) as e:
            await jp_ws_fetch("test-echo", headers={**browser, "Origin": "https://good.example.evil.example"})
        assert e.value.code == 403


class TestAllowAnyOrigin:
    @pytest.fixture
    def jp_server_config(self):
        return {"ServerApp": {"allow_origin": "*"}}

    async def test_star(self, jp_fetch):
        r = await jp_fetch("api", "status", headers={"Origin": "http://anything.example"})
        assert r.headers["Access-Control-Allow-Origin"] == "*"


# -- Host header (DNS rebinding) -------------------------------------------------------


@pytest.mark.parametrize(("host", "ok"), [
    ("localhost", True), ("LOCALHOST:1234", True), ("127.0.0.1:8888", True), ("127.1.2.3", True),
    ("[::1]:8888", True), ("evil.example", False), ("evil.example:8888", False),
    ("localhost.evil.example", False), ("10.0.0.1", False), ("myhost", False),
])
async def test_host_header_checked(jp_fetch, host, ok):
    r = await jp_fetch("api", "status", headers={"Host": host}, raise_error=False)
    assert r.code == (200 if ok else 403)
    r = await jp_fetch("login", headers={"Host": host, "Authorization": None}, raise_error=False)
    assert r.code == (200 if ok else 403)


class TestLocalHostnames:
    @pytest.fixture
    def jp_server_config(self):
        return {"ServerApp": {"local_hostnames": ["localhost", "myhost"]}}

    async def test_listed_name_is_local(self, jp_fetch):
        assert (await jp_fetch("api", "status", headers={"Host": "myhost:1"})).code == 200
        r = await jp_fetch("api", "status", headers={"Host": "evil.example"}, raise_error=False)
        assert r.code == 403


class TestAllowRemoteAccess:
    @pytest.fixture
    def jp_server_config(self):
        return {"ServerApp": {"allow_remote_access": True}}

    async def test_any_host(self, jp_fetch):
        assert (await jp_fetch("api", "status", headers={"Host": "evil.example"})).code == 200


# -- WebSocket Origin ------------------------------------------------------------------


async def test_websocket_origin(jp_ws_fetch, jp_serverapp, browser, test_routes):
    ws = await jp_ws_fetch("test-echo", headers=browser)  # no Origin: not a browser
    await ws.write_message("hi")
    assert await ws.read_message() == "hi"
    ws.close()
    ws = await jp_ws_fetch("test-echo", headers={**browser, "Origin": f"http://localhost:{jp_serverapp.port}"})
    ws.close()
    with pytest.raises(HTTPClientError) as e:
        await jp_ws_fetch("test-echo", headers={**browser, "Origin": "http://evil.example"})
    assert e.value.code == 403
    with pytest.raises(HTTPClientError) as e:
        await jp_ws_fetch("test-echo", headers={"Authorization": None})
    assert e.value.code == 403


async def test_unauthenticated_page_redirects_to_login(jp_fetch, jp_base_url, test_routes):
    r = await jp_fetch("test-private", headers=NO_AUTH, raise_error=False)
    assert r.code == 302
    assert r.headers["Location"] == jp_base_url + "login?next=" + "%2Fa%2540b%2Ftest-private"
    assert (await jp_fetch("test-private")).body == b"private"


# -- login `next` ----------------------------------------------------------------------

EVIL_NEXT = [
    "//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example", "/\\/evil.example",
    "https:evil.example", "https://evil.example", "http:/evil.example", "javascript:alert(1)",
    "%2F%2Fevil.example", "/%2F/evil.example", "%2f%2fevil.example", "/%5Cevil.example",
    "%5C%5Cevil.example", "%252F%252Fevil.example", "/\t/evil.example",
    "\t//evil.example", " //evil.example", "/%09/evil.example", "/%0A/evil.example",
    "//evil.example/a%40b/", "evil.example",
]


@pytest.mark.parametrize("target", EVIL_NEXT)
async def test_login_next_never_leaves_the_origin(jp_fetch, jp_token, jp_base_url, target):
    r, _ = await post_login(jp_fetch, jp_token, next_url=target)
    assert r.code == 302
    assert r.headers["Location"] == jp_base_url
    # Already logged in: GET /login redirects to `next` at once, checked the same way.
    r = await jp_fetch("login", params={"next": target}, raise_error=False)
    assert r.code == 302 and r.headers["Location"] == jp_base_url


@pytest.mark.parametrize("target", ["/\n/evil.example", "/tree\r\nSet-Cookie: a=b", "/lab\r/x"])
async def test_login_next_with_a_line_break_is_400(jp_fetch, jp_token, target):
    r, _ = await post_login(jp_fetch, jp_token, next_url=target)
    assert r.code == 400 and "line break" in r.body.decode()
    r = await jp_fetch("login", params={"next": target}, raise_error=False)
    assert r.code == 400


class TestRedirectsAtTheRoot:
    """CVE-2020-26232 and CVE-2020-26215: a crafted link to the server must not bounce the
    browser to another site, whatever redirect the path triggers (trailing slash, ...)."""

    @pytest.fixture
    def jp_base_url(self):
        return "/"

    @pytest.mark.parametrize("path", [
        "//evil.example/", "//evil.example/%2e%2e", "//evil.example/%2e%2e/", "/%2F%2Fevil.example/",
        "/%5Cevil.example/", "/\\evil.example/", "///evil.example/", "//evil.example/tree/",
        "/login/", "/api/", "/tree//evil.example/",
    ])
    async def test_no_redirect_leaves_the_server(self, jp_serverapp, jp_token, path):
        from tornado.httpclient import AsyncHTTPClient, HTTPRequest

        for headers in ({}, {"Authorization": f"token {jp_token}"}):
            request = HTTPRequest(f"http://localhost:{jp_serverapp.port}{path}", headers=headers,
                                  follow_redirects=False)
            r = await AsyncHTTPClient().fetch(request, raise_error=False)
            if 300 <= r.code < 400:
                location = r.headers["Location"]
                assert location.startswith("/") and location[1:2] not in ("/", "\\"), (path, location)


async def test_login_next_on_this_server_is_followed(jp_fetch, jp_token, jp_base_url):
    target = jp_base_url + "api/status?x=1"
    r, _ = await post_login(jp_fetch, jp_token, next_url=target)
    assert r.headers["Location"] == target


# -- headers and errors ----------------------------------------------------------------


@pytest.mark.parametrize("path", [("api", "status"), ("api", "nope"), ("login",), ("no-such-page",)])
async def test_security_headers_everywhere(jp_fetch, path):
    for headers in ({}, NO_AUTH):
        r = await jp_fetch(*path, headers=headers, raise_error=False)
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'self'" in r.headers["Content-Security-Policy"]


@pytest.mark.parametrize(("method", "path", "code"), [
    ("GET", ("api", "no", "such"), 404), ("POST", ("api", "status"), 405),
    ("DELETE", ("api",), 405), ("PUT", ("api", "spec.yaml"), 405), ("POST", ("api", "config", "x"), 405),
    ("PATCH", ("api", "config", "x"), 400), ("PROPFIND", ("api", "status"), 405),
])
async def test_api_errors_are_json(jp_fetch, method, path, code):
    body = "not json" if method in ("PATCH", "PUT", "POST") else None
    r = await jp_fetch(*path, method=method, body=body, raise_error=False)
    assert r.code == code
    assert r.headers["Content-Type"].startswith("application/json")
    model = json.loads(r.body)
    assert set(model) == {"message", "reason"} and model["message"]


# -- the token never reaches the log ---------------------------------------------------


async def test_token_not_logged(jp_fetch, jp_token, jp_base_url, caplog):
    caplog.set_level(logging.DEBUG)
    referer = f"http://localhost/{jp_base_url}?token={jp_token}&x=1"
    await jp_fetch("api", "nope", params={"token": jp_token}, headers={"Referer": referer, **NO_AUTH},
                   raise_error=False)
    await jp_fetch("no-such-page", params={"token": jp_token, "a": "b"}, headers={"Referer": referer},
                   raise_error=False)
    await jp_fetch("api", "status", params={"token": jp_token}, headers=NO_AUTH)
    await jp_fetch("api", "status", params={"token": jp_token + "x"}, raise_error=False,
                   headers={"Referer": referer, **NO_AUTH})
    await jp_fetch("login", method="POST", body=urlencode({"password": jp_token}),
                   headers={"Referer": referer, **NO_AUTH}, raise_error=False)
    text = caplog.text
    assert "/api/nope" in text and "no-such-page" in text and "Referer" in text  # they were logged
    assert "[secret]" in text
    assert jp_token not in text


async def test_a_500_shows_and_logs_no_secret(jp_fetch, jp_token, jp_base_url, jp_http_port, browser, test_routes,
                                              caplog):
    # CVE-2022-24757 (cookies and headers logged on a 5xx), CVE-2026-86049 (the Referer's
    # token logged on a 5xx), CVE-2023-49080 (tracebacks in JSON error bodies).
    caplog.set_level(logging.DEBUG)
    cookie = browser["Cookie"]
    # A Referer from this very server (another origin's would be refused before the handler)
    referer = f"http://localhost:{jp_http_port}{jp_base_url}?token={jp_token}"
    for headers in ({"Referer": referer}, {**browser, "Referer": referer}):
        r = await jp_fetch("api", "test-broken", headers=headers, raise_error=False)
        assert r.code == 500
        assert json.loads(r.body) == {"message": "Unhandled error", "reason": None}
        assert b"Traceback" not in r.body and b"something broke" not in r.body
    assert "something broke" in caplog.text  # the operator sees what failed ...
    assert jp_token not in caplog.text  # ... and no credential
    assert cookie.split("=", 1)[1].split(";")[0] not in caplog.text


def test_token_not_in_subprocess_log(jp_server_process):
    import urllib.error
    import urllib.request

    server = jp_server_process("--debug")
    for path in (f"api/nope?token={server.token}", f"nothing?token={server.token}",
                 f"api/status?token={server.token}"):
        request = urllib.request.Request(server.url + path,
                                         headers={"Referer": f"http://x/?token={server.token}"})
        try:
            urllib.request.urlopen(request, timeout=10).read()
        except urllib.error.HTTPError:
            pass
    assert server.stop() == 0
    log = server.log_path.read_text()
    assert "/api/nope" in log and "Referer" in log
    assert "200 GET /api/status?token=[secret]" in log  # --debug logs successful requests too
    assert server.token not in log


async def test_login_form_keeps_next_intact(jp_fetch, jp_base_url):
    target = jp_base_url + 'api/me?a=1&b="<x>"'
    r = await jp_fetch("login", params={"next": target}, headers=NO_AUTH)
    page = r.body.decode()
    assert '"<x>"' not in page  # escaped in the page
    action = page.split('action="', 1)[1].split('"', 1)[0]
    from html import unescape
    from urllib.parse import parse_qs, urlsplit

    assert parse_qs(urlsplit(unescape(action)).query)["next"] == [target]


@pytest.mark.parametrize(
    ("method", "parts"),
    [("POST", ("api", "sessions")), ("POST", ("api", "kernels")), ("PATCH", ("api", "config", "x")),
     ("POST", ("api", "events")), ("PATCH", ("api", "me"))],
)
async def test_deeply_nested_body_is_400(jp_fetch, method, parts):
    deep = "[" * 100_000 + "]" * 100_000
    r = await jp_fetch(*parts, method=method, body=deep, raise_error=False)
    assert r.code == 400, r.body
    assert "nested too deeply" in json.loads(r.body)["message"]
