"""Authentication and authorization over real HTTP: token, cookie, password login, logout,
the Authorizer on every API request, /api/me permissions."""

from __future__ import annotations

import json
import re
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from jupyter_server_core.auth import Authorizer, LoginHandler, passwd

NO_AUTH = {"Authorization": None}


def cookies_of(response) -> dict[str, str]:
    """name -> value of every Set-Cookie of a response."""
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.get_list("Set-Cookie"):
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


async def login_form(jp_fetch) -> dict[str, str]:
    """GET the login page; return its cookies (the _xsrf one) for the POST."""
    r = await jp_fetch("login", headers=NO_AUTH)
    assert r.code == 200
    cookies = cookies_of(r)
    assert cookies["_xsrf"] in r.body.decode()  # the form carries the same XSRF token
    return cookies


async def post_login(jp_fetch, password: str, next_url: str | None = None):
    cookies = await login_form(jp_fetch)
    params = {"next": next_url} if next_url is not None else None
    return await jp_fetch(
        "login", method="POST", params=params, raise_error=False,
        body=urlencode({"password": password, "_xsrf": cookies["_xsrf"]}),
        headers={"Authorization": None, "Cookie": cookie_header(cookies)},
    ), cookies


# -- token -----------------------------------------------------------------------------


async def test_token_header(jp_fetch, jp_token):
    assert (await jp_fetch("api", "status")).code == 200
    for header in (f"token {jp_token}x", "token ", f"basic {jp_token}"):
        r = await jp_fetch("api", "status", headers={"Authorization": header}, raise_error=False)
        assert r.code == 403, header
        assert set(json.loads(r.body)) == {"message", "reason"}


async def test_token_in_url_once_then_cookie(jp_fetch, jp_token):
    r = await jp_fetch("api", "status", params={"token": jp_token}, headers=NO_AUTH)
    assert r.code == 200
    set_cookie = " ".join(r.headers.get_list("Set-Cookie"))
    assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie
    login_cookies = {k: v for k, v in cookies_of(r).items() if k.startswith("username-")}
    assert len(login_cookies) == 1
    # Afterwards the cookie alone authenticates: the token need not travel again.
    r = await jp_fetch("api", "me", headers={"Authorization": None, "Cookie": cookie_header(login_cookies)})
    assert r.code == 200
    # A tampered cookie does not.
    name, value = next(iter(login_cookies.items()))
    forged = {name: value[:-4] + ("0000" if not value.endswith("0000") else "1111")}
    r = await jp_fetch("api", "me", raise_error=False,
                       headers={"Authorization": None, "Cookie": cookie_header(forged)})
    assert r.code == 403


async def test_wrong_url_token_sets_no_cookie(jp_fetch, jp_token):
    r = await jp_fetch("api", "status", params={"token": "nope"}, headers=NO_AUTH, raise_error=False)
    assert r.code == 403
    assert not any(k.startswith("username-") for k in cookies_of(r))


async def test_login_with_token_as_password(jp_fetch, jp_token, jp_base_url):
    r, _ = await post_login(jp_fetch, jp_token)
    assert r.code == 302
    assert r.headers["Location"] == jp_base_url
    r, _ = await post_login(jp_fetch, "wrong")
    assert r.code == 401
    assert b"Invalid credentials" in r.body


# -- password ----------------------------------------------------------------------------


class TestPassword:
    @pytest.fixture
    def jp_token(self):
        return ""  # with a password and no token, only the password logs in

    @pytest.fixture
    def jp_server_config(self):
        return {"PasswordIdentityProvider": {"hashed_password": passwd("correct horse", "sha256")}}

    async def test_password_login_logout_revokes_copied_cookie(self, jp_fetch, jp_base_url, jp_serverapp):
        assert (await jp_fetch("api", "status", raise_error=False)).code == 403
        r, form_cookies = await post_login(jp_fetch, "wrong")
        assert r.code == 401
        target = jp_base_url + "api/me"
        r, form_cookies = await post_login(jp_fetch, "correct horse", next_url=target)
        assert r.code == 302 and r.headers["Location"] == target
        session = {**form_cookies, **cookies_of(r)}
        copied = dict(session)  # what an attacker who stole the cookie holds
        headers = {"Authorization": None, "Cookie": cookie_header(session)}
        assert (await jp_fetch("api", "status", headers=headers)).code == 200

        r = await jp_fetch("logout", headers=headers)
        assert r.code == 200
        assert any(re.search(r"username-[^=]*=;|username-[^=]*=\"\";", h) or "expires" in h.lower()
                   for h in r.headers.get_list("Set-Cookie"))
        stale = {"Authorization": None, "Cookie": cookie_header(copied)}
        r = await jp_fetch("api", "status", headers=stale, raise_error=False)
        assert r.code == 403
        # The revocation is on disk (0600) for the next server on this runtime dir.
        revoked = json.loads(Path(jp_serverapp.identity_provider.revoked_sessions_file).read_bytes())  # noqa: ASYNC240
        assert len(revoked) == 1

    async def test_info_says_password(self, jp_serverapp):
        info = jp_serverapp.server_info()
        assert info["password"] is True and info["token"] == ""


class TestDefaultArgon2Password:
    """passwd() with no algorithm writes argon2 (argon2-cffi comes with core), and it logs in."""

    @pytest.fixture
    def jp_token(self):
        return ""

    @pytest.fixture
    def jp_server_config(self):
        return {"PasswordIdentityProvider": {"hashed_password": passwd("ünïcode pw")}}

    async def test_argon2_hash_logs_in(self, jp_fetch, jp_serverapp):
        hashed = jp_serverapp.identity_provider.hashed_password
        scheme, rest = hashed.split(":", 1)
        assert (scheme, rest[:10]) == ("argon2", "$argon2id$")
        assert (await post_login(jp_fetch, "unicode pw"))[0].code == 401
        r, form_cookies = await post_login(jp_fetch, "ünïcode pw")
        assert r.code == 302
        headers = {"Authorization": None, "Cookie": cookie_header({**form_cookies, **cookies_of(r)})}
        assert (await jp_fetch("api", "status", headers=headers)).code == 200


async def test_login_with_token_can_set_a_password(jp_fetch, jp_token, jp_environ, jp_serverapp):
    page = (await jp_fetch("login", headers=NO_AUTH)).body.decode()
    assert 'name="new_password"' in page  # offered: token login and allow_password_change
    cookies = await login_form(jp_fetch)
    r = await jp_fetch("login", method="POST", raise_error=False,
                       body=urlencode({"password": jp_token, "new_password": "n3w", "_xsrf": cookies["_xsrf"]}),
                       headers={"Authorization": None, "Cookie": cookie_header(cookies)})
    assert r.code == 302
    path = jp_environ["config"] / "jupyter_server_config.json"
    hashed = json.loads(path.read_text())["IdentityProvider"]["hashed_password"]
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert jp_serverapp.identity_provider.hashed_password == hashed
    r, _ = await post_login(jp_fetch, "n3w")  # the new password logs in at once
    assert r.code == 302


class TestNoPasswordChange:
    @pytest.fixture
    def jp_server_config(self):
        return {"PasswordIdentityProvider": {"allow_password_change": False}}

    async def test_not_offered_nor_done(self, jp_fetch, jp_token, jp_environ):
        assert b"new_password" not in (await jp_fetch("login", headers=NO_AUTH)).body
        cookies = await login_form(jp_fetch)
        r = await jp_fetch("login", method="POST", raise_error=False,
                           body=urlencode({"password": jp_token, "new_password": "x", "_xsrf": cookies["_xsrf"]}),
                           headers={"Authorization": None, "Cookie": cookie_header(cookies)})
        assert r.code == 302
        assert not (jp_environ["config"] / "jupyter_server_config.json").exists()


class TestNoAuth:
    @pytest.fixture
    def jp_token(self):
        return ""

    async def test_disabled_auth_is_warned_and_open(self, jp_fetch, jp_serverapp, caplog):
        assert (await jp_fetch("api", "status", headers=NO_AUTH)).code == 200
        jp_serverapp.identity_provider.validate_security(jp_serverapp)
        assert "All authentication is disabled" in caplog.text


def test_logout_stays_effective_after_restart(jp_environ, tmp_path):
    """A real server restarted on the same port and runtime dir still refuses the old cookie."""
    import http.cookiejar
    import os
    import sys
    import urllib.error
    import urllib.request

    from jupyter_server_core.pytest_plugin import ServerProcess, free_port

    port = free_port()
    hashed = passwd("pw", "sha256")
    argv = [sys.executable, "-m", "jupyter_server_core", "--allow-root", "--no-browser",
            "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
            f"--PasswordIdentityProvider.hashed_password={hashed}"]
    env = {k: v for k, v in os.environ.items() if k != "JUPYTER_TOKEN"}

    def start(n: int) -> ServerProcess:
        # no token: the leak check at stop() looks for a string that cannot occur
        server = ServerProcess(argv, env, tmp_path, port, "no-token-" + "x" * 20, tmp_path / f"server-{n}.log")
        server.wait_ready()
        return server

    def status(cookie: str) -> int:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/status", headers={"Cookie": cookie})
        try:
            with urllib.request.urlopen(request, timeout=10) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code

    first = start(1)
    try:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        opener.open(f"http://127.0.0.1:{port}/login", timeout=10).read()
        xsrf = next(c.value for c in jar if c.name == "_xsrf")
        opener.open(f"http://127.0.0.1:{port}/login?next=%2Fapi%2Fme", timeout=10,
                    data=f"password=pw&_xsrf={xsrf}".encode()).read()
        copied = "; ".join(f"{c.name}={c.value}" for c in jar)
        assert status(copied) == 200
        opener.open(f"http://127.0.0.1:{port}/logout", timeout=10).read()
        assert status(copied) == 403
    finally:
        assert first.stop() == 0
    second = start(2)
    try:
        assert status(copied) == 403
    finally:
        second.stop()


# -- authorizer --------------------------------------------------------------------------


class ReadOnlyAuthorizer(Authorizer):
    """Allows reads only, and remembers every question it was asked."""

    asked: list[tuple[str, str, str]] = []

    def is_authorized(self, handler, user, action, resource):
        type(self).asked.append((user.username, action, resource))
        return action == "read"


class TestAuthorizer:
    @pytest.fixture
    def jp_server_config(self):
        ReadOnlyAuthorizer.asked = []
        return {"ServerApp": {"authorizer_class": ReadOnlyAuthorizer}}

    async def test_reads_pass_writes_are_refused(self, jp_fetch, jp_serverapp):
        assert isinstance(jp_serverapp.authorizer, ReadOnlyAuthorizer)
        assert (await jp_fetch("api", "config", "notebook")).code == 200
        r = await jp_fetch("api", "config", "notebook", method="PATCH", body={"a": 1}, raise_error=False)
        assert r.code == 403
        assert "write" in json.loads(r.body)["message"]
        r = await jp_fetch("api", "config", "notebook", method="PUT", body={"a": 1}, raise_error=False)
        assert r.code == 403
        assert (await jp_fetch("api", "status")).code == 200
        actions = [(a, res) for _, a, res in ReadOnlyAuthorizer.asked]
        assert actions == [("read", "config"), ("write", "config"), ("write", "config"), ("read", "api")]

    async def test_me_permissions_ask_the_authorizer(self, jp_fetch):
        perms = json.dumps({"kernels": ["read", "write", "execute"], "contents": ["read"]})
        r = await jp_fetch("api", "me", params={"permissions": perms})
        assert json.loads(r.body)["permissions"] == {
            "kernels": ["read"], "contents": ["read"], "updatable_fields": UPDATABLE}
        assert [(a, res) for _, a, res in ReadOnlyAuthorizer.asked] == [
            ("read", "kernels"), ("write", "kernels"), ("execute", "kernels"), ("read", "contents")]


UPDATABLE = ["name", "display_name", "initials", "avatar_url", "color"]


async def test_me_identity_model(jp_fetch):
    model = json.loads((await jp_fetch("api", "me")).body)
    assert model["permissions"] == {"updatable_fields": UPDATABLE}  # as jupyter_server 2.x
    identity = model["identity"]
    assert set(identity) == {"username", "name", "display_name", "initials", "avatar_url", "color"}
    assert identity["name"].startswith("Anonymous ")


async def test_patch_me_updates_own_identity(jp_fetch, jp_token):
    r = await jp_fetch("api", "status", params={"token": jp_token}, headers=NO_AUTH)
    cookies = cookies_of(r)
    session = {"Authorization": None, "Cookie": cookie_header(cookies), "X-XSRFToken": cookies["_xsrf"]}
    r = await jp_fetch("api", "me", method="PATCH", body={"display_name": "Ada", "color": "#f00"}, headers=session)
    model = json.loads(r.body)
    assert model["status"] == "success"
    assert model["identity"]["display_name"] == "Ada" and model["identity"]["color"] == "#f00"
    cookies.update(cookies_of(r))
    session["Cookie"] = cookie_header(cookies)
    identity = json.loads((await jp_fetch("api", "me", headers=session)).body)["identity"]
    assert identity["display_name"] == "Ada" and identity["username"] == model["identity"]["username"]


@pytest.mark.parametrize("body", ['{"username": "root"}', '{"foo": 1}', "[1]", "{}", "bad", '{"color": 3}'])
async def test_patch_me_refuses_other_fields(jp_fetch, body):
    r = await jp_fetch("api", "me", method="PATCH", body=body, raise_error=False)
    assert r.code == 400
    assert set(json.loads(r.body)) == {"message", "reason"}


class CustomLogin(LoginHandler):
    def get(self):
        self.finish("custom login page")


@pytest.mark.parametrize("section", ["IdentityProvider", "ServerApp"])  # ServerApp: deprecated
class TestLoginHandlerClass:
    @pytest.fixture
    def jp_server_config(self, section):
        return {section: {"login_handler_class": CustomLogin}}

    async def test_custom_login_page(self, jp_fetch, jp_serverapp, section):
        assert (await jp_fetch("login", headers=NO_AUTH)).body == b"custom login page"
        assert jp_serverapp.identity_provider.login_handler_class is CustomLogin


class TestUpdatableFields:
    @pytest.fixture
    def jp_server_config(self):
        return {"IdentityProvider": {"updatable_fields": ["color"]}}

    async def test_only_configured_fields(self, jp_fetch):
        model = json.loads((await jp_fetch("api", "me")).body)
        assert model["permissions"]["updatable_fields"] == ["color"]
        r = await jp_fetch("api", "me", method="PATCH", body={"name": "x"}, raise_error=False)
        assert r.code == 400
        assert (await jp_fetch("api", "me", method="PATCH", body={"color": "red"})).code == 200


class TokenNotingAuthorizer(Authorizer):
    """Notes whether each request it is asked about authenticated with the token."""

    seen: list[bool] = []

    def is_authorized(self, handler, user, action, resource):
        type(self).seen.append(handler.identity_provider.is_token_authenticated(handler))
        return True


class TestIdentityProviderApi:
    @pytest.fixture
    def jp_server_config(self):
        TokenNotingAuthorizer.seen = []
        return {"ServerApp": {"authorizer_class": TokenNotingAuthorizer}}

    async def test_token_or_cookie(self, jp_fetch, jp_token, jp_serverapp):
        provider = jp_serverapp.identity_provider
        assert provider.login_available and provider.logout_available
        assert [path for path, _ in provider.get_handlers()] == ["/login", "/logout"]
        r = await jp_fetch("api", "status", params={"token": jp_token}, headers=NO_AUTH)
        await jp_fetch("api", "status", headers={"Authorization": None, "Cookie": cookie_header(cookies_of(r))})
        await jp_fetch("api", "status")
        assert TokenNotingAuthorizer.seen == [True, False, True]
