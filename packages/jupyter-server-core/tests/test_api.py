"""/api, /api/status, /api/me, /api/spec.yaml and JSON errors, over real HTTP."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from tornado.httpclient import HTTPClientError


async def test_api_version_is_open(jp_fetch):
    r = await jp_fetch("api", headers={"Authorization": None})
    assert json.loads(r.body)["version"]


async def test_status_requires_auth(jp_fetch):
    with pytest.raises(HTTPClientError) as e:
        await jp_fetch("api", "status", headers={"Authorization": None})
    assert e.value.code == 403
    body = json.loads(e.value.response.body)
    assert set(body) == {"message", "reason"}


async def test_status_fields(jp_fetch):
    r = await jp_fetch("api", "status")
    model = json.loads(r.body)
    assert set(model) == {"started", "last_activity", "kernels", "connections"}
    assert model["started"].endswith("Z")
    assert model["kernels"] == 0


async def test_unknown_api_path_is_json_404(jp_fetch):
    r = await jp_fetch("api", "no", "such", "thing", raise_error=False)
    assert r.code == 404
    assert r.headers["Content-Type"].startswith("application/json")
    assert json.loads(r.body)["reason"] is None


async def test_unknown_api_path_unauthenticated_is_403(jp_fetch):
    r = await jp_fetch("api", "no", "such", raise_error=False, headers={"Authorization": None})
    assert r.code == 403


async def test_me_identity_and_permissions(jp_fetch):
    perms = json.dumps({"kernels": ["read", "write"], "contents": ["execute"]})
    r = await jp_fetch("api", "me", params={"permissions": perms})
    model = json.loads(r.body)
    assert model["permissions"] == {"kernels": ["read", "write"], "contents": ["execute"],
                                    "updatable_fields": ["name", "display_name", "initials", "avatar_url", "color"]}
    assert set(model["identity"]) >= {"username", "name", "display_name", "initials", "avatar_url", "color"}


async def test_me_unknown_action_goes_to_the_authorizer(jp_fetch):
    # jupyter_server passes actions it does not know to the authorizer; AllowAll allows them.
    r = await jp_fetch("api", "me", params={"permissions": '{"kernels": ["fly"]}'})
    assert json.loads(r.body)["permissions"]["kernels"] == ["fly"]


@pytest.mark.parametrize("bad", ["not json", "[1]", '{"kernels": "read"}', '{"kernels": [1]}'])
async def test_me_bad_permissions_is_400(jp_fetch, bad):
    r = await jp_fetch("api", "me", params={"permissions": bad}, raise_error=False)
    assert r.code == 400
    assert "permissions" in json.loads(r.body)["message"] or "action" in json.loads(r.body)["message"]


async def test_spec_lists_core_paths(jp_fetch, jp_base_url):
    import yaml

    r = await jp_fetch("api", "spec.yaml")
    assert r.headers["Content-Type"].startswith("text/x-yaml")
    doc = yaml.safe_load(r.body)
    # Swagger 2.0 with definitions, as jupyter_server serves it.
    assert doc["swagger"] == "2.0" and doc["basePath"] == jp_base_url
    assert {"APIStatus", "Identity", "Permissions", "ResolvedPath"} <= set(doc["definitions"])
    assert doc["paths"]["/api/status"]["get"]["responses"]["200"]["schema"] == {"$ref": "#/definitions/APIStatus"}
    assert "components" not in json.dumps(doc)
    for path in ("/api", "/api/status", "/api/me", "/api/spec.yaml", "/api/config/{section_name}",
                 "/api/resolvePath", "/api/shutdown", "/api/security/csp-report"):
        assert path in doc["paths"]
    assert set(doc["paths"]["/api/config/{section_name}"]) >= {"get", "put", "patch"}
    r = await jp_fetch("api", "spec.yaml", headers={"Authorization": None}, raise_error=False)
    assert r.code == 403


def when(text: str) -> datetime:
    assert text.endswith("Z") and len(text) == len("2026-01-01T00:00:00.000000Z")
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def test_status_last_activity_moves_with_api_requests(jp_fetch, jp_serverapp):
    first = json.loads((await jp_fetch("api", "status")).body)
    assert first["last_activity"] == first["started"]  # nothing happened yet
    # Polling the status is no activity (monitors poll it), nor is an unauthenticated request.
    again = json.loads((await jp_fetch("api", "status")).body)
    await jp_fetch("api", "me", headers={"Authorization": None}, raise_error=False)
    assert json.loads((await jp_fetch("api", "status")).body)["last_activity"] == first["last_activity"]
    await jp_fetch("api", "me")
    later = json.loads((await jp_fetch("api", "status")).body)
    assert when(later["last_activity"]) > when(again["last_activity"])
    assert later["started"] == first["started"]
    assert jp_serverapp.activity.last("api") is not None


async def test_security_headers(jp_fetch, jp_base_url):
    r = await jp_fetch("api", "status")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    report = f"report-uri {jp_base_url}api/security/csp-report"
    assert r.headers["Content-Security-Policy"] == f"frame-ancestors 'self'; {report}; default-src 'none'"
    r = await jp_fetch("login", headers={"Authorization": None})
    assert r.headers["Content-Security-Policy"] == f"frame-ancestors 'self'; {report}"


async def test_csp_report_is_logged_without_xsrf_or_origin(jp_fetch, jp_token, caplog):
    from http.cookies import SimpleCookie

    r = await jp_fetch("api", "status", params={"token": jp_token}, headers={"Authorization": None})
    jar: SimpleCookie = SimpleCookie()
    for header in r.headers.get_list("Set-Cookie"):
        jar.load(header)
    # As a browser sends it: the login cookie, no XSRF token, maybe a foreign Origin.
    browser = {"Authorization": None, "Cookie": "; ".join(f"{k}={m.value}" for k, m in jar.items()),
               "Content-Type": "application/csp-report", "Origin": "null"}
    report = json.dumps({"csp-report": {"blocked-uri": "https://cdn.example/x.js"}})
    r = await jp_fetch("api", "security", "csp-report", method="POST", body=report, headers=browser)
    assert (r.code, r.body, r.headers["Content-Type"]) == (200, b"", "application/json")
    assert "cdn.example/x.js" in caplog.text
    r = await jp_fetch("api", "security", "csp-report", method="POST", body=report,
                       headers={"Authorization": None}, raise_error=False)
    assert r.code == 403


async def test_root_is_a_landing_page_by_default(jp_fetch, jp_base_url):
    for path in ("", "/"):
        r = await jp_fetch(path, headers={"Authorization": None})
        assert r.code == 200 and b"A Jupyter Server is running" in r.body
        assert r.headers["X-Content-Type-Options"] == "nosniff"


class TestDefaultUrl:
    @pytest.fixture
    def jp_server_config(self):
        return {"ServerApp": {"default_url": "/lab"}}

    async def test_root_redirects_to_default_url_with_query(self, jp_fetch, jp_base_url, jp_token):
        r = await jp_fetch("", headers={"Authorization": None}, raise_error=False)
        assert r.code == 302 and r.headers["Location"] == jp_base_url + "lab"
        r = await jp_fetch("", params={"token": jp_token}, headers={"Authorization": None}, raise_error=False)
        assert r.headers["Location"] == f"{jp_base_url}lab?token={jp_token}"


@pytest.mark.parametrize("name", ["favicon.ico", "favicon-busy-1.ico", "favicon-notebook.ico", "favicon-terminal.ico"])
async def test_favicons_are_served_to_anyone(jp_fetch, name):
    r = await jp_fetch("static", "favicons", name, headers={"Authorization": None})
    assert r.code == 200
    assert r.body[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert r.headers["X-Content-Type-Options"] == "nosniff"


async def test_static_paths_do_not_escape_their_folder(jp_fetch):
    r = await jp_fetch("static", "favicons", "..%2F_serverapp.py", raise_error=False)
    assert r.code in (403, 404)


async def test_resolve_path_in_a_kernel_and_for_an_unknown_kernel(jp_fetch, jp_root_dir):
    (jp_root_dir / "printed.py").write_text("1")
    kernel = json.loads((await jp_fetch("api", "kernels", method="POST", body="{}")).body)
    try:
        r = await jp_fetch("api", "resolvePath", params={"path": "printed.py", "kernel": kernel["id"]})
        assert r.headers["Content-Type"] == "application/json"
        # Core alone has no contents manager: only the kernel's scope answers.
        assert json.loads(r.body) == {"resolved": [{"scope": "kernel", "path": (jp_root_dir / "printed.py").as_posix()}]}
        r = await jp_fetch("api", "resolvePath", params={"path": "missing.py", "kernel": kernel["id"]})
        assert json.loads(r.body) == {"resolved": []}
    finally:
        await jp_fetch("api", "kernels", kernel["id"], method="DELETE")
    r = await jp_fetch("api", "resolvePath", params={"path": "printed.py", "kernel": "nope"})
    assert json.loads(r.body) == {
        "resolved": [], "unresolved": [{"scope": "kernel", "reason": "Kernel nope could not be found"}],
    }


async def test_resolve_path_needs_a_path_and_auth(jp_fetch):
    r = await jp_fetch("api", "resolvePath", raise_error=False)
    assert r.code == 400 and json.loads(r.body) == {"message": "Missing argument path", "reason": None}
    r = await jp_fetch("api", "resolvePath", params={"path": "x"}, headers={"Authorization": None}, raise_error=False)
    assert r.code == 403


@pytest.mark.parametrize(
    ("path", "target"),
    [("api/", "api"), ("api/kernels/", "api/kernels"), ("api/sessions/", "api/sessions"),
     ("api/kernelspecs/python3/", "api/kernelspecs/python3"), ("api/status/?x=1", "api/status?x=1"),
     ("api/no/such/", "api/no/such"), ("login/", "login")],
)
async def test_slash_terminated_urls_redirect_without_the_slash(jp_fetch, jp_base_url, path, target):
    # As jupyter_server: a 302 for anyone (the target decides about authentication).
    r = await jp_fetch(path, headers={"Authorization": None}, raise_error=False)
    assert (r.code, r.headers["Location"]) == (302, jp_base_url + target)


async def test_slash_redirect_stays_on_this_server(jp_serverapp):
    from tornado.httpclient import AsyncHTTPClient

    r = await AsyncHTTPClient().fetch(f"http://localhost:{jp_serverapp.port}//evil.example/",
                                      follow_redirects=False, raise_error=False)
    assert (r.code, r.headers["Location"]) == (302, "/evil.example")
