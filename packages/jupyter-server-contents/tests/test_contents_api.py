"""/api/contents over real HTTP: models, saves, creation, copies, renames, deletes, errors."""

from __future__ import annotations

import base64
import json

import pytest

MODEL_KEYS = {"name", "path", "last_modified", "created", "content", "format", "mimetype", "size",
              "writable", "hash", "hash_algorithm", "type"}


@pytest.fixture
def tree(jp_root_dir, make_notebook):
    (jp_root_dir / "sub").mkdir()
    (jp_root_dir / "sub" / "a.txt").write_text("hello\n")
    (jp_root_dir / "bin.dat").write_bytes(b"\xff\xfe\x00")
    (jp_root_dir / "nb.ipynb").write_text(json.dumps(make_notebook()))
    (jp_root_dir / "bad.ipynb").write_text("not json")
    (jp_root_dir / "caf\u00e9 1.txt").write_text("x")
    return jp_root_dir


async def test_root_listing(contents, tree):
    code, model, r = await contents("GET")
    assert code == 200
    assert set(model) == MODEL_KEYS
    assert (model["type"], model["format"], model["path"], model["name"]) == ("directory", "json", "", "")
    names = {m["name"]: m for m in model["content"]}
    assert set(names) == {"sub", "bin.dat", "nb.ipynb", "bad.ipynb", "caf\u00e9 1.txt"}
    assert names["sub"]["type"] == "directory" and names["sub"]["size"] is None
    assert names["nb.ipynb"]["type"] == "notebook" and names["nb.ipynb"]["mimetype"] is None
    assert all(m["content"] is None and m["format"] is None and set(m) == MODEL_KEYS for m in model["content"])
    assert model["last_modified"].endswith("Z")
    assert "Last-Modified" in r.headers


async def test_trailing_slash_and_old_notebooks_url_redirect(contents, tree, jp_fetch):
    r = await jp_fetch("api", "contents", "sub/", raise_error=False)
    assert r.code == 302 and r.headers["Location"].endswith("/api/contents/sub")
    r = await jp_fetch("api", "notebooks", "nb.ipynb", raise_error=False)
    assert r.code == 302 and r.headers["Location"].endswith("/api/contents/nb.ipynb")


async def test_get_text_file_with_hash(contents, tree):
    code, model, _ = await contents("GET", "sub/a.txt", params={"hash": "1"})
    assert code == 200
    assert (model["content"], model["format"], model["mimetype"], model["size"]) == ("hello\n", "text", "text/plain", 6)
    assert model["hash_algorithm"] == "sha256"
    assert model["hash"] == "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
    code, model, _ = await contents("GET", "sub/a.txt", params={"content": "0", "hash": "1"})
    assert model["content"] is None and model["hash"].startswith("5891b5")
    code, model, _ = await contents("GET", "sub/a.txt", params={"content": "0"})
    assert model["hash"] is None and model["hash_algorithm"] is None


async def test_get_binary_file_is_base64(contents, tree):
    code, model, _ = await contents("GET", "bin.dat")
    assert code == 200 and model["format"] == "base64"
    assert base64.b64decode(model["content"]) == b"\xff\xfe\x00"
    assert model["mimetype"] == "application/octet-stream"
    code, model, _ = await contents("GET", "sub/a.txt", params={"format": "base64", "type": "file"})
    assert base64.b64decode(model["content"]) == b"hello\n"


async def test_get_notebook(contents, tree):
    code, model, _ = await contents("GET", "nb.ipynb", params={"hash": "1"})
    assert code == 200
    assert (model["type"], model["format"], model["mimetype"]) == ("notebook", "json", None)
    assert model["content"]["cells"][0]["source"] == "1+1"
    assert "trusted" in model["content"]["cells"][0]["metadata"]
    assert len(model["hash"]) == 64
    code, model, _ = await contents("GET", "nb.ipynb", params={"type": "file"})
    assert model["type"] == "file" and json.loads(model["content"])["nbformat"] == 4


@pytest.mark.parametrize(
    ("path", "params", "status", "words"),
    [
        ("bin.dat", {"format": "text"}, 400, "not UTF-8"),
        ("sub", {"type": "file"}, 400, "is a directory"),
        ("sub/a.txt", {"type": "directory"}, 400, "not a directory"),
        ("sub/a.txt", {"type": "notebook"}, 400, "Unreadable Notebook"),
        ("sub", {"type": "bogus"}, 400, "is a directory, not a file"),
        ("sub/a.txt", {"format": "xx"}, 400, "Format 'xx' is invalid"),
        ("sub/a.txt", {"content": "2"}, 400, "Content '2' is invalid"),
        ("sub/a.txt", {"hash": "x"}, 400, "Hash argument"),
        ("bad.ipynb", {}, 400, "Unreadable Notebook"),
        ("nope.txt", {}, 404, "does not exist"),
    ],
)
async def test_get_errors(contents, tree, path, params, status, words):
    code, body, r = await contents("GET", path, params=params)
    assert code == status
    assert set(body) == {"message", "reason"} and words in body["message"]
    assert str(tree) not in body["message"]  # no server paths in messages


async def test_error_reason_is_null_unless_the_handler_names_one(contents, tree):
    code, body, _ = await contents("GET", "nope.txt")
    assert (code, body["reason"]) == (404, None)
    # A specific reason a client can match on is kept.
    code, body, _ = await contents("GET", "sub", params={"type": "file"})
    assert (code, body["reason"]) == (400, "bad type")


async def test_put_creates_then_saves(contents, tree):
    code, model, r = await contents("PUT", "new.txt", body={"type": "file", "format": "text", "content": "abc"})
    assert code == 201 and r.headers["Location"].endswith("/api/contents/new.txt")
    assert set(model) == MODEL_KEYS and model["content"] is None and model["size"] == 3
    code, model, _ = await contents("PUT", "new.txt", body={"type": "file", "format": "text", "content": "abcd"})
    assert code == 200 and model["size"] == 4
    assert (tree / "new.txt").read_text() == "abcd"
    code, model, _ = await contents("PUT", "b.bin", body={"type": "file", "format": "base64",
                                                           "content": base64.b64encode(b"\x00\x01").decode()})
    assert code == 201 and (tree / "b.bin").read_bytes() == b"\x00\x01"
    code, model, _ = await contents("PUT", "empty.txt", body={"type": "file", "format": "text"})
    assert code == 201 and (tree / "empty.txt").read_text() == ""


async def test_put_notebook_and_directory(contents, tree, make_notebook):
    code, model, _ = await contents("PUT", "n2.ipynb", body={"type": "notebook", "content": make_notebook("2+2")})
    assert code == 201 and model["type"] == "notebook"
    saved = json.loads((tree / "n2.ipynb").read_text())
    assert "".join(saved["cells"][0]["source"]) == "2+2"
    assert (tree / "n2.ipynb").read_text().endswith("\n")
    # a first save of a notebook leaves a checkpoint, as jupyter_server does
    code, cps, _ = await contents("GET", "n2.ipynb", suffix="checkpoints")
    assert code == 200 and [c["id"] for c in cps] == ["checkpoint"]
    code, model, _ = await contents("PUT", "newdir", body={"type": "directory"})
    assert code == 201 and model["type"] == "directory" and (tree / "newdir").is_dir()
    code, model, _ = await contents("PUT", "sub", body={"type": "directory"})
    assert code == 201 and model["type"] == "directory"


async def test_invalid_notebook_schema_saves_with_message(contents, tree, make_notebook):
    nb = make_notebook()
    nb["cells"][0]["bogus_field"] = 1
    code, model, _ = await contents("PUT", "odd.ipynb", body={"type": "notebook", "content": nb})
    assert code == 201 and "message" in model and "validation" in model["message"].lower()


@pytest.mark.parametrize(
    ("path", "body", "status", "words"),
    [
        ("e.txt", {"type": "file", "content": "abc"}, 400, "format"),
        ("e.txt", {"type": "file", "format": "base64", "content": "!!!"}, 400, "base64"),
        ("e.txt", {"type": "file", "format": "text", "content": 12}, 400, "string"),
        ("nodir/e.txt", {"type": "file", "format": "text", "content": "x"}, 404, "No such directory: nodir"),
        ("e.ipynb", {"type": "notebook", "content": {"nope": 1}}, 400, "Invalid notebook"),
        ("e.ipynb", {"type": "notebook", "content": "str"}, 400, "Invalid notebook"),
        ("e.ipynb", {"type": "notebook", "content": {"nbformat": 4, "cells": "x", "metadata": {}}}, 400, "Invalid notebook"),
        ("sub", {"type": "file", "format": "text", "content": "x"}, 400, "is a directory"),
        ("sub/a.txt", {"type": "directory"}, 400, "not a directory"),
        ("e.txt", {"type": "weird", "content": "x"}, 400, "Unhandled contents type"),
        ("e.txt", {"type": "file", "format": "text", "content": "x", "copy_from": "sub/a.txt"}, 400, "Cannot copy with PUT"),
        ("e.txt", [1, 2], 400, "JSON object"),
        ("sub/a.txt", {"type": "file", "format": "text"}, 400, "No file content"),
        ("e.txt", {"type": "file", "format": "text", "content": "x", "chunk": 0}, 400, "chunk"),
        ("e.ipynb", {"type": "notebook", "content": {}, "chunk": 1}, 400, "large file transfer"),
    ],
)
async def test_put_errors(contents, tree, path, body, status, words):
    code, err, _ = await contents("PUT", path, body=body)
    assert code == status, err
    assert words in err["message"]


async def test_put_invalid_json_and_lone_surrogate(contents, tree):
    code, err, _ = await contents("PUT", "e.txt", body="not json")
    assert code == 400 and "Invalid JSON" in err["message"]
    code, err, _ = await contents("PUT", "e.txt", body='{"type": "file", "format": "text", "content": "\\ud800"}')
    assert code == 400 and "text" in err["message"].lower()


async def test_put_empty_body_creates_untitled(contents, tree):
    code, model, _ = await contents("PUT", "sub")
    assert code == 201 and model["path"] == "sub/untitled"
    code, err, _ = await contents("PUT", "missing")
    assert code == 404


async def test_post_untitled_names(contents, tree):
    names = []
    for body in ({"type": "notebook"}, {"type": "notebook"}, {"ext": ".py"}, {"type": "directory"},
                 {"type": "directory"}, {"type": "file"}, None, {"type": "file", "ext": "md"}, {"ext": ".ipynb"}):
        code, model, r = await contents("POST", "sub", body=body)
        assert code == 201, model
        assert r.headers["Location"].endswith("/api/contents/" + "/".join(
            p.replace(" ", "%20") for p in model["path"].split("/")))
        names.append(model["name"])
    assert names == ["Untitled.ipynb", "Untitled1.ipynb", "untitled.py", "Untitled Folder", "Untitled Folder 1",
                     "untitled", "untitled1", "untitled.md", "Untitled2.ipynb"]


@pytest.mark.parametrize(
    ("path", "body", "status", "words"),
    [
        ("sub/a.txt", {}, 400, "Cannot POST to files"),
        ("nodir", {}, 404, "No such directory"),
        ("sub", {"type": "bogus"}, 400, "Unexpected type"),
        ("sub", {"ext": 3}, 400, "ext"),
        ("", {"copy_from": "nope.txt"}, 404, "No such file or directory"),
        ("nodir", {"copy_from": "sub/a.txt"}, 404, "No such directory"),
        ("sub", {"copy_from": ["x"]}, 400, "copy_from"),
        ("sub", {"copy_from": ""}, 201, ""),
    ],
)
async def test_post_errors(contents, tree, path, body, status, words):
    code, err, _ = await contents("POST", path, body=body)
    assert code == status, err
    if words:
        assert words in err["message"]


async def test_copy_naming_and_directories(contents, tree):
    code, model, _ = await contents("POST", "sub", body={"copy_from": "nb.ipynb"})
    assert code == 201 and model["path"] == "sub/nb.ipynb"
    code, model, _ = await contents("POST", "sub", body={"copy_from": "nb.ipynb"})
    assert model["path"] == "sub/nb-Copy1.ipynb"
    code, model, _ = await contents("POST", "sub", body={"copy_from": "sub/nb-Copy1.ipynb"})
    assert model["path"] == "sub/nb-Copy2.ipynb"
    assert (tree / "sub" / "nb-Copy2.ipynb").read_bytes() == (tree / "nb.ipynb").read_bytes()
    code, model, _ = await contents("POST", "", body={"copy_from": "sub"})
    assert code == 201 and model == {**model, "path": "sub-Copy1", "type": "directory"}
    assert (tree / "sub-Copy1" / "a.txt").read_text() == "hello\n"
    code, err, _ = await contents("POST", "sub", body={"copy_from": "sub"})
    assert code == 400 and "into itself" in err["message"]


async def test_copy_folder_size_limit(contents, tree, jp_serverapp):
    jp_serverapp.contents_manager.max_copy_folder_size_mb = 0  # an Int, as jupyter_server 2.x
    code, err, _ = await contents("POST", "", body={"copy_from": "sub"})
    assert code == 400 and "larger than" in err["message"]


async def test_rename(contents, tree):
    code, model, r = await contents("PATCH", "sub/a.txt", body={"path": "moved.txt"})
    assert code == 200 and model["path"] == "moved.txt" and r.headers["Location"].endswith("/moved.txt")
    assert (tree / "moved.txt").exists() and not (tree / "sub" / "a.txt").exists()
    code, model, _ = await contents("PATCH", "moved.txt", body={})
    assert code == 200 and model["path"] == "moved.txt"
    code, model, _ = await contents("PATCH", "sub", body={"path": "sub2"})
    assert code == 200 and model["type"] == "directory"


@pytest.mark.parametrize(
    ("path", "body", "status", "words"),
    [
        ("nope.txt", {"path": "z.txt"}, 404, "does not exist"),
        ("nb.ipynb", {"path": "bad.ipynb"}, 409, "already exists"),
        ("nb.ipynb", {"path": "nodir/nb.ipynb"}, 404, "No such directory"),
        ("sub", {"path": "sub/inner"}, 400, "into itself"),
        ("nb.ipynb", None, 400, "JSON body missing"),
        ("nb.ipynb", {"path": 5}, 400, "string"),
        ("nb.ipynb", {"path": "../out.ipynb"}, 404, "outside root"),
    ],
)
async def test_rename_errors(contents, tree, path, body, status, words):
    code, err, _ = await contents("PATCH", path, body=body)
    assert code == status, err
    assert words in err["message"]


async def test_delete_file_and_errors(contents, tree):
    code, body, _ = await contents("DELETE", "sub/a.txt")
    assert code == 204 and not (tree / "sub" / "a.txt").exists()
    code, err, _ = await contents("DELETE", "sub/a.txt")
    assert code == 404 and "does not exist" in err["message"]
    code, err, _ = await contents("DELETE", "")
    assert code == 400 and "root" in err["message"]


async def test_json_bodies_never_500(contents, tree):
    for method, path in (("PUT", "x.txt"), ("POST", "sub"), ("PATCH", "nb.ipynb")):
        for body in ("[", "null", "1", '"s"', "\xff"):
            code, err, _ = await contents(method, path, body=body)
            assert 400 <= code < 500 or (body == "null" and code in (201, 404)), (method, body, code, err)


async def test_spec_lists_contents_paths(jp_fetch):
    doc = json.loads((await jp_fetch("api", "spec.yaml")).body)
    assert "/api/contents/{path}" in doc["paths"] and "/files/{path}" in doc["paths"]
    assert {"Contents", "Checkpoints"} <= set(doc["definitions"])


async def test_saved_notebook_is_nbformat_canonical(contents, jp_root_dir, make_notebook):
    import nbformat

    nb = make_notebook("a\nb\u00fc\n", cells=3)
    nb["cells"][1]["metadata"]["trusted"] = True  # transient: never written
    await contents("PUT", "canon.ipynb", body={"type": "notebook", "content": nb})
    text = (jp_root_dir / "canon.ipynb").read_text(encoding="utf-8")
    assert text == nbformat.writes(nbformat.reads(text, as_version=4)) + "\n"
    assert "trusted" not in text and '"a\\n",' in text


@pytest.mark.parametrize(
    ("asked", "found"),
    [
        ("sub/a.txt", "sub/a.txt"),
        ("{root}/sub/a.txt", "sub/a.txt"),
        ("{root}", ""),
        ("sub/", "sub"),
        ("nope.txt", None),
        ("../outside.txt", None),
        ("{outside}", None),
        ("~/not-there-surely.txt", None),
    ],
)
async def test_resolve_path_server_scope(jp_fetch, tree, tmp_path, asked, found):
    (tmp_path / "outside.txt").write_text("no")
    path = asked.format(root=tree, outside=tmp_path / "outside.txt")
    r = await jp_fetch("api", "resolvePath", params={"path": path})
    expected = [{"scope": "server", "path": found}] if found is not None else []
    assert json.loads(r.body) == {"resolved": expected}


async def test_deeply_nested_body_is_400(contents, tree):
    for method, path in (("PUT", "x.txt"), ("POST", "")):
        code, err, _ = await contents(method, path, body="[" * 100_000 + "]" * 100_000)
        assert code == 400 and "nested too deeply" in err["message"]


async def test_unknown_type_reads_as_file(contents, tree):
    # As jupyter_server: an unknown ?type= is taken as "file".
    code, model, _ = await contents("GET", "sub/a.txt", params={"type": "bogus"})
    assert (code, model["type"], model["content"]) == (200, "file", "hello\n")
    code, model, _ = await contents("GET", "nb.ipynb", params={"type": "bogus"})
    assert (code, model["type"], model["format"]) == (200, "file", "text")


@pytest.mark.parametrize("name", [".hidden.txt", "sub/.hidden.txt", ".hdir/x.txt"])
async def test_hidden_uploads_are_refused(contents, tree, name):
    for chunk in (None, 1, -1):
        body = {"type": "file", "format": "text", "content": "x"}
        if chunk is not None:
            body["chunk"] = chunk
        code, err, _ = await contents("PUT", name, body=body)
        assert code == 400 and "Cannot create file or directory" in err["message"]
    assert not list(tree.rglob(".h*"))


async def test_an_item_deleted_while_it_is_read_is_404_never_500(contents, jp_root_dir):
    # Another process (a file browser's delete, a shell) removes items while clients read
    # them: whatever the moment, the answer is the item or 404.
    import shutil
    import threading

    stop = threading.Event()

    def churn() -> None:
        while not stop.is_set():
            (jp_root_dir / "flicker" / "sub").mkdir(parents=True, exist_ok=True)
            (jp_root_dir / "flicker" / "f.txt").write_text("x")
            (jp_root_dir / "flicker.txt").write_text("y")
            shutil.rmtree(jp_root_dir / "flicker", ignore_errors=True)
            (jp_root_dir / "flicker.txt").unlink(missing_ok=True)

    worker = threading.Thread(target=churn, daemon=True)
    worker.start()
    try:
        codes = set()
        for _ in range(150):
            for path in ("flicker", "flicker.txt", "flicker/f.txt"):
                codes.add((await contents("GET", path))[0])
    finally:
        stop.set()
        worker.join()
    assert codes <= {200, 404}, codes
