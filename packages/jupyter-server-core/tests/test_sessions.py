"""/api/sessions: create, find by path, rename, change kernel, delete, and every error."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3

import pytest
from jupyter_server_core.sessions import SessionManager
from traitlets import TraitError

MISSING = "00000000-0000-0000-0000-0000000000ff"


async def get_json(jp_fetch, *parts):
    return json.loads((await jp_fetch(*parts)).body)


def kernel_process(jp_serverapp, kernel_id):
    return jp_serverapp.kernel_manager.get_kernel(kernel_id).provisioner.pid


def environ(pid):
    with open(f"/proc/{pid}/environ", "rb") as f:
        return dict(item.split(b"=", 1) for item in f.read().split(b"\0") if b"=" in item)


async def post_session(jp_fetch, **body):
    return await jp_fetch("api", "sessions", method="POST", body=body, raise_error=False)


async def test_sessions_crud(jp_fetch, jp_serverapp, jp_root_dir, jp_base_url):
    (jp_root_dir / "sub").mkdir()
    r = await post_session(jp_fetch, path="sub/a.ipynb", name="a.ipynb", type="notebook", kernel={"name": "python3"})
    assert r.code == 201
    a = json.loads(r.body)
    assert r.headers["Location"] == f"{jp_base_url}api/sessions/{a['id']}"
    assert set(a) == {"id", "path", "name", "type", "kernel", "notebook"}
    assert a["notebook"] == {"path": "sub/a.ipynb", "name": "a.ipynb"}
    assert set(a["kernel"]) == {"id", "name", "last_activity", "execution_state", "connections"}
    k1 = a["kernel"]["id"]

    # The kernel runs next to the document and knows its file.
    pid = kernel_process(jp_serverapp, k1)
    assert os.readlink(f"/proc/{pid}/cwd") == os.path.realpath(jp_root_dir / "sub")  # noqa: ASYNC240
    assert environ(pid)[b"JPY_SESSION_NAME"] == os.fsencode(jp_root_dir / "sub" / "a.ipynb")

    # Same path: the same session, no new kernel.
    again = await post_session(jp_fetch, path="sub/a.ipynb", type="notebook", kernel={"name": "python3"})
    assert again.code == 201
    assert json.loads(again.body)["id"] == a["id"]
    assert len(jp_serverapp.kernel_manager.list_kernel_ids()) == 1

    b = json.loads((await post_session(jp_fetch, path="b.py", type="console")).body)
    assert "notebook" not in b and b["name"] is None
    k2 = b["kernel"]["id"]
    assert [s["id"] for s in await get_json(jp_fetch, "api", "sessions")] == [a["id"], b["id"]]
    assert (await get_json(jp_fetch, "api", "sessions", a["id"]))["kernel"]["id"] == k1

    async def patch(body):
        r = await jp_fetch("api", "sessions", a["id"], method="PATCH", body=body, raise_error=False)
        return r.code, json.loads(r.body)

    code, model = await patch({"path": "sub/renamed.ipynb", "name": "renamed.ipynb"})
    assert code == 200
    assert model["notebook"] == {"path": "sub/renamed.ipynb", "name": "renamed.ipynb"}
    assert model["kernel"]["id"] == k1
    code, model = await patch({"type": "console"})
    assert model["type"] == "console" and "notebook" not in model

    # A new kernel by name: the old one is shut down.
    code, model = await patch({"kernel": {"name": "python3"}})
    k3 = model["kernel"]["id"]
    assert code == 200 and k3 not in (k1, k2)
    assert (await jp_fetch("api", "kernels", k1, raise_error=False)).code == 404

    # A running kernel by id: shared with session b; k3 is no longer used and ends.
    code, model = await patch({"kernel": {"id": k2}})
    assert model["kernel"]["id"] == k2
    assert (await jp_fetch("api", "kernels", k3, raise_error=False)).code == 404

    # Deleting b keeps k2 (a still uses it); deleting a shuts it down.
    assert (await jp_fetch("api", "sessions", b["id"], method="DELETE")).code == 204
    assert (await jp_fetch("api", "kernels", k2)).code == 200
    assert (await jp_fetch("api", "sessions", a["id"], method="DELETE")).code == 204
    assert (await jp_fetch("api", "kernels", k2, raise_error=False)).code == 404
    assert await get_json(jp_fetch, "api", "sessions") == []
    assert jp_serverapp.kernel_manager.list_kernel_ids() == []


async def test_concurrent_posts_for_one_path_make_one_session(jp_fetch, jp_serverapp):
    first, second = await asyncio.gather(*(post_session(jp_fetch, path="same.ipynb", type="notebook") for _ in range(2)))
    assert first.code == second.code == 201
    assert json.loads(first.body)["id"] == json.loads(second.body)["id"]
    assert len(jp_serverapp.kernel_manager.list_kernel_ids()) == 1


async def test_session_of_a_vanished_kernel_is_dropped(jp_fetch):
    s = json.loads((await post_session(jp_fetch, path="x.ipynb", type="notebook")).body)
    assert (await jp_fetch("api", "kernels", s["kernel"]["id"], method="DELETE")).code == 204
    assert await get_json(jp_fetch, "api", "sessions") == []
    assert (await jp_fetch("api", "sessions", s["id"], raise_error=False)).code == 404


async def test_old_notebook_spelling_and_kernel_id(jp_fetch):
    kernel = json.loads((await jp_fetch("api", "kernels", method="POST", body={})).body)
    r = await post_session(jp_fetch, notebook={"path": "old.ipynb"}, kernel={"id": kernel["id"]})
    model = json.loads(r.body)
    assert r.code == 201
    assert (model["path"], model["type"], model["kernel"]["id"]) == ("old.ipynb", "notebook", kernel["id"])


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"type": "notebook"}, "Missing field in JSON data: path"),
        ({"path": "x.py"}, "Missing field in JSON data: type"),
        ({"path": 5, "type": "file"}, "path must be a string"),
        ({"path": "x.py", "type": "file", "kernel": "python3"}, "kernel must be an object"),
        ({"path": "x.py", "type": "file", "kernel": {"id": "nope"}}, "Invalid kernel id"),
        ({"path": "../x.ipynb", "type": "notebook"}, "outside"),
        ([1], "JSON object"),
    ],
)
async def test_create_errors_are_400(jp_fetch, jp_serverapp, body, fragment):
    r = await jp_fetch("api", "sessions", method="POST", body=body, raise_error=False)
    assert r.code == 400
    assert fragment in json.loads(r.body)["message"]
    assert jp_serverapp.kernel_manager.list_kernel_ids() == []


async def test_patch_errors(jp_fetch):
    s = json.loads((await post_session(jp_fetch, path="p.ipynb", type="notebook")).body)
    for body, fragment in [
        (None, "No JSON data provided"),
        ({"kernel": {"id": MISSING.replace("ff", "00")}}, "No such kernel"),
        ({"path": 3}, "path must be a string"),
    ]:
        r = await jp_fetch("api", "sessions", s["id"], method="PATCH", body=body, raise_error=False)
        assert r.code == 400, body
        assert fragment in json.loads(r.body)["message"]
    assert (await get_json(jp_fetch, "api", "sessions", s["id"]))["kernel"]["id"] == s["kernel"]["id"]


async def test_unknown_kernel_name_is_501_with_short_message(jp_fetch, jp_serverapp):
    # jupyter_server's contract: JupyterLab's kernel dialog shows short_message.
    r = await post_session(jp_fetch, path="x.py", type="file", kernel={"name": "nope"})
    body = json.loads(r.body)
    assert (r.code, set(body), body["short_message"]) == (501, {"message", "short_message"}, "Kernel nope not found")
    assert "No such kernel spec: 'nope'" in body["message"]
    assert jp_serverapp.kernel_manager.list_kernel_ids() == []
    s = json.loads((await post_session(jp_fetch, path="p.ipynb", type="notebook")).body)
    r = await jp_fetch("api", "sessions", s["id"], method="PATCH", body={"kernel": {"name": "nope"}}, raise_error=False)
    assert r.code == 501 and json.loads(r.body)["short_message"] == "Kernel nope not found"
    assert (await get_json(jp_fetch, "api", "sessions", s["id"]))["kernel"]["id"] == s["kernel"]["id"]


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
async def test_unknown_session_is_404(jp_fetch, method):
    body = {"path": "x"} if method == "PATCH" else None
    r = await jp_fetch("api", "sessions", MISSING, method=method, body=body, raise_error=False)
    assert r.code == 404
    assert json.loads(r.body) == {"message": f"No such session: {MISSING}", "reason": None}


@pytest.fixture
def jp_server_config(tmp_path):
    return {"SessionManager": {"database_filepath": str(tmp_path / "sessions.db")}}


async def test_sessions_in_a_database_file(jp_fetch, tmp_path):
    s = json.loads((await post_session(jp_fetch, path="db.ipynb", type="notebook")).body)
    with sqlite3.connect(tmp_path / "sessions.db") as db:
        rows = db.execute("SELECT session_id, path, kernel_id FROM session").fetchall()
    assert rows == [(s["id"], "db.ipynb", s["kernel"]["id"])]


def test_database_in_memory_by_default():
    assert SessionManager().database_filepath == ":memory:"


def test_database_filepath_must_be_sqlite(tmp_path):
    not_db = tmp_path / "notes.txt"
    not_db.write_text("hello")
    with pytest.raises(TraitError, match="not an SQLite database"):
        SessionManager(database_filepath=str(not_db))
    with pytest.raises(TraitError, match="is a directory"):
        SessionManager(database_filepath=str(tmp_path))


async def test_contents_manager_given_to_the_session_manager_places_kernels(jp_fetch, jp_serverapp, jp_root_dir):
    # jupyter_server 2.x builds SessionManager(kernel_manager=..., contents_manager=...):
    # the contents manager given so decides the kernel's directory.
    class KernelsInScratch:
        def get_kernel_path(self, path):
            return "scratch"

    (jp_root_dir / "scratch").mkdir()
    jp_serverapp.session_manager.contents_manager = KernelsInScratch()
    s = json.loads((await post_session(jp_fetch, path="deep/a.ipynb", type="notebook")).body)
    pid = jp_serverapp.kernel_manager.get_kernel(s["kernel"]["id"]).provisioner.pid
    assert os.readlink(f"/proc/{pid}/cwd") == os.path.realpath(jp_root_dir / "scratch")  # noqa: ASYNC240
