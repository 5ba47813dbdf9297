"""/api/terminals over real HTTP: models, status codes, cwd rules, auth and config."""

from __future__ import annotations

import json

import pytest
from jupyter_server_core.auth import Authorizer


async def test_create_get_list_delete(jp_fetch, new_terminal, alive):
    r = await jp_fetch("api", "terminals")
    assert json.loads(r.body) == []
    model = await new_terminal()
    assert set(model) == {"name", "last_activity"}
    assert model["last_activity"].endswith("Z")
    name = model["name"]
    r = await jp_fetch("api", "terminals", name)
    assert json.loads(r.body)["name"] == name
    r = await jp_fetch("api", "terminals")
    assert [t["name"] for t in json.loads(r.body)] == [name]

    r = await jp_fetch("api", "terminals", name, method="DELETE")
    assert r.code == 204
    r = await jp_fetch("api", "terminals", name, raise_error=False)
    assert r.code == 404
    assert json.loads(r.body) == {"message": f"Terminal not found: {name}", "reason": None}
    r = await jp_fetch("api", "terminals", name, method="DELETE", raise_error=False)
    assert r.code == 404
    r = await jp_fetch("api", "terminals")
    assert json.loads(r.body) == []


async def test_named_terminal_and_same_name_again(jp_fetch, new_terminal):
    first = await new_terminal(name="my term")
    assert first["name"] == "my term"
    again = await new_terminal(name="my term")
    assert again["name"] == "my term"
    r = await jp_fetch("api", "terminals")
    assert [t["name"] for t in json.loads(r.body)] == ["my term"]
    r = await jp_fetch("api", "terminals", "my%20term")
    assert json.loads(r.body)["name"] == "my term"


async def test_automatic_names_count_up(new_terminal):
    names = [(await new_terminal())["name"] for _ in range(2)]
    assert names == ["1", "2"]


@pytest.mark.parametrize(
    "body",
    ["[1]", "not json", '{"name": 5}', '{"name": ""}', '{"name": "a/b"}', '{"cwd": 3}',
     '{"cwd": "/etc"}', '{"cwd": ".."}', '{"cwd": "sub/../../"}'],
)
async def test_bad_bodies_are_400(jp_fetch, jp_root_dir, body):
    (jp_root_dir / "sub").mkdir()
    r = await jp_fetch("api", "terminals", method="POST", body=body, raise_error=False)
    assert r.code == 400, r.body
    assert set(json.loads(r.body)) == {"message", "reason"}
    r = await jp_fetch("api", "terminals")
    assert json.loads(r.body) == []


async def test_symlink_out_of_root_is_400(jp_fetch, jp_root_dir, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (jp_root_dir / "link").symlink_to(outside)
    r = await jp_fetch("api", "terminals", method="POST", body='{"cwd": "link"}', raise_error=False)
    assert r.code == 400
    assert "outside" in json.loads(r.body)["message"]


async def test_unauthenticated_is_403(jp_fetch):
    for method, body in (("GET", None), ("POST", "{}")):
        r = await jp_fetch("api", "terminals", method=method, body=body, raise_error=False,
                           headers={"Authorization": None})
        assert r.code == 403


async def test_cross_origin_is_refused(jp_fetch, jp_browser_headers):
    r = await jp_fetch("api", "terminals", method="POST", body="{}", raise_error=False,
                       headers={**jp_browser_headers, "Origin": "http://evil.example"})
    assert r.code == 404
    r = await jp_fetch("api", "terminals")
    assert json.loads(r.body) == []


class NoTerminals(Authorizer):
    def is_authorized(self, handler, user, action, resource):
        return resource != "terminals"


@pytest.mark.parametrize("jp_server_config", [{"ServerApp": {"authorizer_class": NoTerminals}}])
async def test_authorizer_refuses_terminals(jp_fetch, jp_serverapp):
    r = await jp_fetch("api", "terminals", raise_error=False)
    assert r.code == 403
    r = await jp_fetch("api", "terminals", method="POST", body="{}", raise_error=False)
    assert r.code == 403
    assert len(jp_serverapp.terminal_manager) == 0


@pytest.mark.parametrize("jp_server_config", [{"ServerApp": {"terminals_enabled": False}}])
async def test_terminals_disabled_means_no_routes(jp_fetch):
    r = await jp_fetch("api", "terminals", raise_error=False)
    assert r.code == 404
    r = await jp_fetch("api", "terminals", method="POST", body="{}", raise_error=False)
    assert r.code == 404
    r = await jp_fetch("terminals", "websocket", "1", raise_error=False)
    assert r.code == 404


@pytest.mark.parametrize("jp_extensions", [{}])
async def test_core_without_the_extension_answers_404(jp_fetch):
    for parts in (("api", "terminals"), ("api", "terminals", "1"), ("terminals", "websocket", "1")):
        r = await jp_fetch(*parts, raise_error=False)
        assert r.code == 404, parts


async def test_spec_and_busy_count(jp_fetch, jp_serverapp, new_terminal):
    r = await jp_fetch("api", "spec.yaml")
    paths = json.loads(r.body)["paths"]
    assert "Terminal" in json.loads(r.body)["definitions"]
    assert {"/api/terminals", "/api/terminals/{terminal_id}"} <= set(paths)
    assert sum(jp_serverapp.extension_manager.activity_counts()) == 0
    await new_terminal()
    assert sum(jp_serverapp.extension_manager.activity_counts()) == 1
    assert jp_serverapp.web_app.settings["terminals_available"] is True


@pytest.mark.parametrize("jp_server_config", [{"ServerApp": {"terminado_settings": {"max_terminals": 1}}}])
async def test_max_terminals(jp_fetch, new_terminal):
    await new_terminal()
    r = await jp_fetch("api", "terminals", method="POST", body="{}", raise_error=False)
    assert r.code == 409
    assert "max_terminals" in json.loads(r.body)["message"]


@pytest.mark.parametrize("jp_server_config", [{"ServerApp": {"terminado_settings": {"shell_command": ["/no/such/shell"]}}}])
async def test_missing_shell_is_a_clear_error(jp_fetch):
    r = await jp_fetch("api", "terminals", method="POST", body="{}", raise_error=False)
    assert r.code == 500
    assert "/no/such/shell" in json.loads(r.body)["message"]
