"""/api/config/<section>: GET/PUT/PATCH over real HTTP, stored where jupyter_server stores
sections (<config dir>/serverconfig/<section>.json), merged over the other config levels."""

from __future__ import annotations

import json

import pytest


def section_file(jp_environ, name: str):
    return jp_environ["config"] / "serverconfig" / f"{name}.json"


async def test_missing_section_is_empty(jp_fetch):
    r = await jp_fetch("api", "config", "notebook")
    assert r.code == 200 and json.loads(r.body) == {}


async def test_put_then_patch(jp_fetch, jp_environ):
    r = await jp_fetch("api", "config", "notebook", method="PUT", body={"a": {"b": 1, "c": 2}, "d": 3})
    assert r.code == 204 and r.body == b""
    assert json.loads(section_file(jp_environ, "notebook").read_text()) == {"a": {"b": 1, "c": 2}, "d": 3}

    r = await jp_fetch("api", "config", "notebook", method="PATCH", body={"a": {"b": 10}, "e": [1]})
    assert json.loads(r.body) == {"a": {"b": 10, "c": 2}, "d": 3, "e": [1]}
    # null deletes a key; a dict left empty goes too
    r = await jp_fetch("api", "config", "notebook", method="PATCH", body={"a": {"b": None, "c": None}, "d": None})
    assert json.loads(r.body) == {"e": [1]}
    assert json.loads((await jp_fetch("api", "config", "notebook")).body) == {"e": [1]}

    r = await jp_fetch("api", "config", "notebook", method="PUT", body={"only": True})
    assert json.loads((await jp_fetch("api", "config", "notebook")).body) == {"only": True}


async def test_sections_merge_across_config_levels(jp_fetch, jp_environ):
    env_dir = jp_environ["env_config"] / "serverconfig"
    env_dir.mkdir()
    (env_dir / "tree.json").write_text(json.dumps({"theme": "dark", "nested": {"x": 1}}))
    assert json.loads((await jp_fetch("api", "config", "tree")).body) == {"theme": "dark", "nested": {"x": 1}}
    r = await jp_fetch("api", "config", "tree", method="PATCH", body={"nested": {"y": 2}})
    assert json.loads(r.body) == {"theme": "dark", "nested": {"x": 1, "y": 2}}
    # only the user's own level is written
    assert json.loads(section_file(jp_environ, "tree").read_text()) == {"nested": {"y": 2}}


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
@pytest.mark.parametrize("body", ["not json", "[1, 2]", '"text"', "3", ""])
async def test_bad_bodies_are_400(jp_fetch, jp_environ, method, body):
    r = await jp_fetch("api", "config", "notebook", method=method, body=body, raise_error=False)
    assert r.code == 400  # jupyter_server answers a JSON non-object with a 500
    assert set(json.loads(r.body)) == {"message", "reason"}
    assert not section_file(jp_environ, "notebook").exists()


@pytest.mark.parametrize("name", ["a.b", "a-b", "..", "%2E%2E%2Fescape", "a%2Fb", "%00"])
async def test_odd_section_names_are_404(jp_fetch, jp_environ, name):
    for method, body in (("GET", None), ("PUT", "{}")):
        r = await jp_fetch("api", "config", name, method=method, body=body, raise_error=False)
        assert r.code == 404
        assert r.headers["Content-Type"].startswith("application/json")
    assert not any((jp_environ["config"]).rglob("*.json"))


async def test_config_needs_auth(jp_fetch):
    r = await jp_fetch("api", "config", "notebook", headers={"Authorization": None}, raise_error=False)
    assert r.code == 403


async def test_unreadable_section_file_reads_as_empty(jp_fetch, jp_environ):
    path = section_file(jp_environ, "broken")
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    assert json.loads((await jp_fetch("api", "config", "broken")).body) == {}
