"""Nothing outside root_dir is ever read or written, however the path is spelled; hidden
files follow allow_hidden; concurrent saves leave one whole version."""

from __future__ import annotations

import asyncio
import json
import os

import pytest

# root_dir's parent holds secret.txt: one level up from the root is the target.
TRAVERSALS = [
    "..%2fsecret.txt",
    "%2e%2e/secret.txt",
    "%2e%2e%2fsecret.txt",
    "%2E%2E%2Fsecret.txt",
    "inside/..%2f..%2fsecret.txt",
    "inside/%2e%2e/%2e%2e/secret.txt",
    "inside%2f..%2f..%2fsecret.txt",
    "%2fetc%2fpasswd",
    "a%00b",
    "inside/a%00b.txt",
]


@pytest.fixture
def layout(tmp_path, jp_root_dir):
    """root_dir/inside/ok.txt, a secret next to root_dir, and symlinks leading out and in."""
    (tmp_path / "secret.txt").write_text("secret")
    (tmp_path / "outside_dir").mkdir()
    (tmp_path / "outside_dir" / "x.txt").write_text("outside")
    (jp_root_dir / "inside").mkdir()
    (jp_root_dir / "inside" / "ok.txt").write_text("ok")
    os.symlink(tmp_path / "secret.txt", jp_root_dir / "escape.txt")
    os.symlink(tmp_path / "outside_dir", jp_root_dir / "escape_dir")
    os.symlink(jp_root_dir / "inside" / "ok.txt", jp_root_dir / "internal.txt")
    (jp_root_dir / ".hidden.txt").write_text("h")
    (jp_root_dir / ".hdir").mkdir()
    (jp_root_dir / ".hdir" / "in.txt").write_text("in hidden dir")
    return tmp_path


def _leaks(body: bytes) -> bool:
    return b"secret" in body.replace(b"secret.txt", b"") or b"root:" in body


# allow_hidden=True too: with it off, ".." already looks hidden and the root check is not reached.
BOTH_HIDDEN = pytest.mark.parametrize(
    "jp_server_config", [{}, {"FileContentsManager": {"allow_hidden": True}}], ids=["default", "allow_hidden"]
)


@BOTH_HIDDEN
@pytest.mark.parametrize("path", TRAVERSALS)
async def test_traversal_get_is_refused(jp_fetch, layout, path):
    for prefix in (("api", "contents"), ("files",)):
        r = await jp_fetch(*prefix, path, raise_error=False)
        assert r.code in (400, 403, 404), (prefix, path, r.code)
        assert not _leaks(r.body)


@BOTH_HIDDEN
@pytest.mark.parametrize("path", TRAVERSALS)
async def test_traversal_writes_are_refused(jp_fetch, layout, path):
    before = sorted(os.listdir(layout))
    body = json.dumps({"type": "file", "format": "text", "content": "pwned"})
    for method, payload in (("PUT", body), ("POST", json.dumps({"copy_from": "inside/ok.txt"})),
                            ("DELETE", None), ("PATCH", json.dumps({"path": "inside/moved.txt"}))):
        r = await jp_fetch("api", "contents", path, method=method, body=payload, raise_error=False)
        assert 400 <= r.code < 500, (method, path, r.code, r.body)
    assert sorted(os.listdir(layout)) == before
    assert (layout / "secret.txt").read_text() == "secret"


@BOTH_HIDDEN
async def test_rename_and_copy_targets_outside_are_refused(jp_fetch, layout):
    for target in ("../stolen.txt", "inside/../../stolen.txt", "/../stolen.txt"):
        r = await jp_fetch("api", "contents", "inside/ok.txt", method="PATCH", body={"path": target}, raise_error=False)
        assert r.code == 404, target
        r = await jp_fetch("api", "contents", "inside", method="POST", body={"copy_from": target}, raise_error=False)
        assert r.code == 404, target
    assert not (layout / "stolen.txt").exists()
    assert (layout / "root_dir" / "inside" / "ok.txt").exists()


async def test_absolute_looking_paths_stay_in_root(jp_fetch, layout, jp_root_dir):
    # "/etc/passwd" names root_dir/etc/passwd, which does not exist
    r = await jp_fetch("api", "contents", "%2Fetc%2Fpasswd", raise_error=False)
    assert r.code == 404 and b"root:" not in r.body
    r = await jp_fetch("api", "contents", "%2Ftmp", method="PUT",
                       body={"type": "file", "format": "text", "content": "x"}, raise_error=False)
    assert r.code == 201 and (jp_root_dir / "tmp").read_text() == "x"


@BOTH_HIDDEN
async def test_symlink_escape_is_refused_everywhere(jp_fetch, layout):
    for path in ("escape.txt", "escape_dir", "escape_dir/x.txt"):
        r = await jp_fetch("api", "contents", path, raise_error=False)
        assert r.code == 404 and b"outside root" in r.body, path
        r = await jp_fetch("files", path, raise_error=False)
        assert r.code == 403, path
        assert b"secret" not in r.body and b"outside" not in r.body.replace(b"outside root", b"")
    r = await jp_fetch("api", "contents", "escape.txt", method="PUT",
                       body={"type": "file", "format": "text", "content": "pwned"}, raise_error=False)
    assert r.code == 404
    r = await jp_fetch("api", "contents", "escape_dir/new.txt", method="PUT",
                       body={"type": "file", "format": "text", "content": "pwned"}, raise_error=False)
    assert r.code == 404
    r = await jp_fetch("api", "contents", "", method="POST", body={"copy_from": "escape.txt"}, raise_error=False)
    assert r.code == 404
    assert (layout / "secret.txt").read_text() == "secret"
    assert os.listdir(layout / "outside_dir") == ["x.txt"]
    # listings leave the escaping links out, keep the internal one
    names = {m["name"] for m in json.loads((await jp_fetch("api", "contents")).body)["content"]}
    assert "escape.txt" not in names and "escape_dir" not in names and "internal.txt" in names
    r = await jp_fetch("api", "contents", "internal.txt")
    assert json.loads(r.body)["content"] == "ok"


async def test_hidden_files_refused_by_default(jp_fetch, layout):
    names = {m["name"] for m in json.loads((await jp_fetch("api", "contents")).body)["content"]}
    assert not any(n.startswith(".") for n in names)
    for path in (".hidden.txt", ".hdir/in.txt", ".hdir"):
        assert (await jp_fetch("api", "contents", path, raise_error=False)).code == 404
        assert (await jp_fetch("files", path, raise_error=False)).code == 404
    writes = [
        ("PUT", ".new.txt", {"type": "file", "format": "text", "content": "x"}),
        ("PUT", ".hdir/new.txt", {"type": "file", "format": "text", "content": "x"}),
        ("DELETE", ".hidden.txt", None),
        ("PATCH", ".hidden.txt", {"path": "visible.txt"}),
        ("PATCH", "inside/ok.txt", {"path": ".sneaky.txt"}),
        ("POST", "", {"copy_from": ".hidden.txt"}),
        ("POST", ".hdir", {"type": "file"}),
    ]
    for method, path, body in writes:
        r = await jp_fetch("api", "contents", path, method=method, body=body, raise_error=False)
        assert r.code in (400, 404), (method, path, r.code)
    assert (layout / "root_dir" / ".hidden.txt").exists()
    assert not (layout / "root_dir" / ".new.txt").exists()


@pytest.mark.parametrize("jp_server_config", [{"FileContentsManager": {"allow_hidden": True}}])
async def test_hidden_files_allowed_when_configured(jp_fetch, layout, jp_server_config):
    names = {m["name"] for m in json.loads((await jp_fetch("api", "contents")).body)["content"]}
    assert {".hidden.txt", ".hdir"} <= names
    assert json.loads((await jp_fetch("api", "contents", ".hdir/in.txt")).body)["content"] == "in hidden dir"
    assert (await jp_fetch("files", ".hidden.txt")).body == b"h"
    r = await jp_fetch("api", "contents", ".new.txt", method="PUT",
                       body={"type": "file", "format": "text", "content": "x"})
    assert r.code == 201
    r = await jp_fetch("api", "contents", ".new.txt", method="DELETE")
    assert r.code == 204


async def test_concurrent_saves_leave_one_whole_version(jp_fetch, jp_root_dir):
    versions = [chr(ord("a") + i) * 400_000 for i in range(6)]

    async def save(text):
        return await jp_fetch("api", "contents", "race.txt", method="PUT",
                              body={"type": "file", "format": "text", "content": text})

    results = await asyncio.gather(*(save(v) for v in versions))
    assert all(r.code in (200, 201) for r in results)
    assert (jp_root_dir / "race.txt").read_text() in versions
    assert not [n for n in os.listdir(jp_root_dir) if n != "race.txt"]  # no temporary files left


async def test_save_keeps_file_mode(jp_fetch, jp_root_dir):
    target = jp_root_dir / "script.sh"
    target.write_text("echo hi\n")
    target.chmod(0o750)
    await jp_fetch("api", "contents", "script.sh", method="PUT",
                   body={"type": "file", "format": "text", "content": "echo bye\n"})
    assert target.stat().st_mode & 0o777 == 0o750
    assert target.read_text() == "echo bye\n"


@BOTH_HIDDEN
@pytest.mark.parametrize("sibling", ["root_dirsecret", "root_dir-secret", "root_dir.bak"])
async def test_a_sibling_whose_name_starts_like_the_root_stays_out(jp_fetch, jp_root_dir, tmp_path, sibling):
    # CVE-2026-35397: a containment check by string prefix lets root_dir's sibling
    # "root_dirsecret" pass for a folder inside root_dir.
    assert jp_root_dir.name == "root_dir"
    (tmp_path / sibling).mkdir()
    (tmp_path / sibling / "x.txt").write_text("s3cr3t-content")
    for path in (f"..%2f{sibling}%2fx.txt", f"%2e%2e/{sibling}/x.txt", f"inside%2f..%2f..%2f{sibling}%2fx.txt"):
        for prefix in (("api", "contents"), ("files",)):
            r = await jp_fetch(*prefix, path, raise_error=False)
            assert r.code in (400, 403, 404), (prefix, path, r.code)
            assert b"s3cr3t-content" not in r.body
        r = await jp_fetch("api", "contents", path, method="PUT", raise_error=False,
                           body={"type": "file", "format": "text", "content": "pwned"})
        assert 400 <= r.code < 500, (path, r.code)
    assert (tmp_path / sibling / "x.txt").read_text() == "s3cr3t-content"


async def test_a_body_naming_a_hidden_path_is_refused(contents, jp_root_dir):
    for named in (".hidden.txt", ".hdir/in.txt"):
        body = json.dumps({"type": "file", "format": "text", "content": "x", "path": named})
        status, reply, _ = await contents("PUT", "plain.txt", body=body)
        assert status == 400 and named in reply["message"]
    assert not (jp_root_dir / "plain.txt").exists()
    body = json.dumps({"type": "file", "format": "text", "content": "x", "path": "other.txt"})
    assert (await contents("PUT", "plain.txt", body=body))[0] == 201  # a visible name is fine


async def test_copy_of_a_folder_into_a_new_folder_and_hidden_copies(contents, jp_root_dir):
    (jp_root_dir / "src").mkdir()
    (jp_root_dir / "src" / "f.txt").write_text("f")
    status, reply, _ = await contents("POST", "newdir", body=json.dumps({"copy_from": "src"}))
    assert status == 201 and reply["path"] == "newdir/src"
    assert (jp_root_dir / "newdir" / "src" / "f.txt").read_text() == "f"
    for target, source in ((".hid", "src"), ("newdir", ".hidden.txt")):
        assert (await contents("POST", target, body=json.dumps({"copy_from": source})))[0] == 400
