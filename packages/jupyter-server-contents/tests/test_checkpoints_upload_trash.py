"""Checkpoints, notebook trust, chunked uploads and deletion to the trash."""

from __future__ import annotations

import base64
import json

import pytest


@pytest.fixture
def nb_path(jp_root_dir, make_notebook):
    (jp_root_dir / "sub").mkdir()
    path = jp_root_dir / "sub" / "nb.ipynb"
    path.write_text(json.dumps(make_notebook("original")))
    return path


async def test_checkpoint_lifecycle(contents, nb_path, make_notebook):
    code, cps, _ = await contents("GET", "sub/nb.ipynb", suffix="checkpoints")
    assert code == 200 and cps == []
    code, cp, r = await contents("POST", "sub/nb.ipynb", suffix="checkpoints")
    assert code == 201 and set(cp) == {"id", "last_modified"} and cp["id"] == "checkpoint"
    assert r.headers["Location"].endswith("/api/contents/sub/nb.ipynb/checkpoints/checkpoint")
    assert (nb_path.parent / ".ipynb_checkpoints" / "nb-checkpoint.ipynb").exists()
    code, cps, _ = await contents("GET", "sub/nb.ipynb", suffix="checkpoints")
    assert [c["id"] for c in cps] == ["checkpoint"]
    await contents("PUT", "sub/nb.ipynb", body={"type": "notebook", "content": make_notebook("changed")})
    assert "changed" in nb_path.read_text()
    code, _, _ = await contents("POST", "sub/nb.ipynb", suffix="checkpoints/checkpoint")
    assert code == 204 and "original" in nb_path.read_text()
    code, _, _ = await contents("DELETE", "sub/nb.ipynb", suffix="checkpoints/checkpoint")
    assert code == 204
    code, err, _ = await contents("DELETE", "sub/nb.ipynb", suffix="checkpoints/checkpoint")
    assert code == 404 and "Checkpoint does not exist" in err["message"]
    code, err, _ = await contents("POST", "sub/nb.ipynb", suffix="checkpoints/checkpoint")
    assert code == 404


async def test_checkpoint_errors_are_4xx(contents, nb_path):
    assert (await contents("GET", "nope.ipynb", suffix="checkpoints"))[0] == 200
    assert (await contents("POST", "nope.ipynb", suffix="checkpoints"))[0] == 404
    assert (await contents("POST", "sub", suffix="checkpoints"))[0] == 404
    assert (await contents("POST", "sub/nb.ipynb", suffix="checkpoints/nope"))[0] == 404
    assert (await contents("POST", "..%2fx.ipynb", suffix="checkpoints"))[0] == 404


async def test_checkpoints_follow_rename_and_delete(contents, nb_path, jp_root_dir):
    await contents("POST", "sub/nb.ipynb", suffix="checkpoints")
    code, _, _ = await contents("PATCH", "sub/nb.ipynb", body={"path": "sub/renamed.ipynb"})
    assert code == 200
    code, cps, _ = await contents("GET", "sub/renamed.ipynb", suffix="checkpoints")
    assert len(cps) == 1
    assert not (jp_root_dir / "sub" / ".ipynb_checkpoints" / "nb-checkpoint.ipynb").exists()
    await contents("DELETE", "sub/renamed.ipynb")
    assert not (jp_root_dir / "sub" / ".ipynb_checkpoints" / "renamed-checkpoint.ipynb").exists()


async def test_trust(contents, nb_path, jp_root_dir):
    code, model, _ = await contents("GET", "sub/nb.ipynb")
    assert model["content"]["cells"][0]["metadata"]["trusted"] is False
    code, body, _ = await contents("POST", "sub/nb.ipynb", suffix="trust")
    assert code == 201
    code, model, _ = await contents("GET", "sub/nb.ipynb")
    assert model["content"]["cells"][0]["metadata"]["trusted"] is True
    (jp_root_dir / "t.txt").write_text("x")
    assert (await contents("POST", "t.txt", suffix="trust"))[0] == 400
    assert (await contents("POST", "nope.ipynb", suffix="trust"))[0] == 404


async def test_notary_answers_on_other_threads(contents, nb_path, jp_serverapp):
    # The server signs on its worker thread; the notary it used must still answer here
    # (the event loop's thread) and on a fresh thread, as extensions read it.
    import asyncio

    import nbformat

    assert (await contents("POST", "sub/nb.ipynb", suffix="trust"))[0] == 201
    notary = jp_serverapp.contents_manager.notary
    nb = nbformat.reads(nb_path.read_text(), as_version=4)
    assert notary.check_signature(nb)
    assert await asyncio.to_thread(notary.check_signature, nb)
    nb.cells[0].source = "changed elsewhere"
    assert not await asyncio.to_thread(notary.check_signature, nb)


async def test_notary_set_from_another_thread_signs(contents, nb_path, jp_serverapp, tmp_path):
    # A notary built here (the loop's thread) and handed to the manager serves its
    # signing thread: trusting over HTTP works and is seen through that notary.
    import nbformat
    from nbformat.sign import NotebookNotary

    (tmp_path / "notary").mkdir()
    notary = NotebookNotary(data_dir=str(tmp_path / "notary"))
    jp_serverapp.contents_manager.notary = notary
    assert (await contents("POST", "sub/nb.ipynb", suffix="trust"))[0] == 201
    assert notary.check_signature(nbformat.reads(nb_path.read_text(), as_version=4))
    code, model, _ = await contents("GET", "sub/nb.ipynb")
    assert model["content"]["cells"][0]["metadata"]["trusted"] is True


async def test_saving_trusted_cells_keeps_trust(contents, nb_path):
    await contents("POST", "sub/nb.ipynb", suffix="trust")
    code, model, _ = await contents("GET", "sub/nb.ipynb")
    model["content"]["cells"][0]["source"] = "edited"
    await contents("PUT", "sub/nb.ipynb", body={"type": "notebook", "content": model["content"]})
    code, model, _ = await contents("GET", "sub/nb.ipynb")
    assert model["content"]["cells"][0]["metadata"]["trusted"] is True


def _chunk(data: bytes, n: int) -> dict:
    return {"type": "file", "format": "base64", "content": base64.b64encode(data).decode(), "chunk": n}


async def test_chunked_upload(contents, jp_root_dir):
    target = jp_root_dir / "big.bin"
    target.write_bytes(b"OLD")
    parts = [bytes([i]) * 100_000 for i in range(4)]
    code, model, _ = await contents("PUT", "big.bin", body=_chunk(parts[0], 1))
    assert code == 200 and model["size"] == 100_000
    assert target.read_bytes() == b"OLD"  # the old file stays whole until the last chunk
    for n, part in enumerate(parts[1:-1], start=2):
        code, model, _ = await contents("PUT", "big.bin", body=_chunk(part, n))
        assert code == 200
    code, model, _ = await contents("PUT", "big.bin", body=_chunk(parts[-1], -1))
    assert code == 200 and model["size"] == 400_000
    assert target.read_bytes() == b"".join(parts)
    assert sorted(p.name for p in jp_root_dir.iterdir()) == ["big.bin"]


async def test_chunked_upload_of_new_file_status_codes(contents, jp_root_dir):
    codes = []
    for n, text in ((1, "abc"), (2, "def"), (-1, "gh")):
        code, model, r = await contents("PUT", "new.txt", body={"type": "file", "format": "text", "content": text, "chunk": n})
        codes.append(code)
        assert r.headers["Location"].endswith("/new.txt")
    assert codes == [201, 200, 200]
    assert (jp_root_dir / "new.txt").read_text() == "abcdefgh"
    code, model, _ = await contents("GET", "new.txt")
    assert model["content"] == "abcdefgh"


async def test_upload_in_progress_is_not_listed(contents, jp_root_dir):
    await contents("PUT", "partial.txt", body={"type": "file", "format": "text", "content": "a", "chunk": 1})
    code, model, _ = await contents("GET")
    assert [m["name"] for m in model["content"]] == []
    code, model, _ = await contents("GET", params={"content": "1"})
    assert model["content"] == []


async def test_delete_to_trash(contents, jp_root_dir, monkeypatch, tmp_path):
    # send2trash reads $XDG_DATA_HOME once, at import: point its home trash into tmp_path
    import os

    import send2trash.plat_other as plat

    trash = str(tmp_path / "xdg" / "Trash")
    monkeypatch.setattr(plat, "HOMETRASH", trash)
    monkeypatch.setattr(plat, "HOMETRASH_B", os.fsencode(trash))
    (jp_root_dir / "d").mkdir()
    (jp_root_dir / "d" / "f.txt").write_text("x")
    (jp_root_dir / "g.txt").write_text("y")
    assert (await contents("DELETE", "g.txt"))[0] == 204
    assert (await contents("DELETE", "d"))[0] == 204  # non-empty: fine, it goes to the trash
    trashed = sorted(p.name for p in (tmp_path / "xdg" / "Trash" / "files").iterdir())
    assert trashed == ["d", "g.txt"]
    assert not (jp_root_dir / "d").exists()


@pytest.mark.parametrize("jp_server_config", [{"FileContentsManager": {"delete_to_trash": False}}])
async def test_permanent_delete_keeps_non_empty_dirs(contents, jp_root_dir, jp_server_config):
    (jp_root_dir / "d").mkdir()
    (jp_root_dir / "d" / "f.txt").write_text("x")
    (jp_root_dir / "e").mkdir()
    (jp_root_dir / "e" / ".ipynb_checkpoints").mkdir()
    code, err, _ = await contents("DELETE", "d")
    # The message clients of jupyter_server match on; the hint (always_delete_dir) is in the log.
    assert code == 400 and err["message"] == "Directory d not empty"
    assert (jp_root_dir / "d" / "f.txt").exists()
    assert (await contents("DELETE", "e"))[0] == 204  # only checkpoints inside


@pytest.mark.parametrize("jp_server_config", [{"FileContentsManager": {"delete_to_trash": False, "always_delete_dir": True}}])
async def test_always_delete_dir(contents, jp_root_dir, jp_server_config):
    (jp_root_dir / "d").mkdir()
    (jp_root_dir / "d" / "f.txt").write_text("x")
    assert (await contents("DELETE", "d"))[0] == 204
    assert not (jp_root_dir / "d").exists()


async def test_trash_that_refuses_is_400_and_deletes_nothing(contents, jp_root_dir, monkeypatch, tmp_path):
    import os

    import send2trash.plat_other as plat

    # A trash folder that cannot be created (its parent is a file): send2trash really fails.
    (tmp_path / "not-a-folder").write_text("")
    trash = str(tmp_path / "not-a-folder" / "Trash")
    monkeypatch.setattr(plat, "HOMETRASH", trash)
    monkeypatch.setattr(plat, "HOMETRASH_B", os.fsencode(trash))
    (jp_root_dir / "d").mkdir()
    (jp_root_dir / "d" / "f.txt").write_text("x")
    (jp_root_dir / "g.txt").write_text("y")
    for name in ("d", "g.txt"):
        code, err, _ = await contents("DELETE", name)
        assert code == 400 and "trash" in err["message"] and "not deleted" in err["message"]
    assert (jp_root_dir / "d" / "f.txt").exists() and (jp_root_dir / "g.txt").exists()


def test_send2trash_is_a_dependency():
    from importlib.metadata import requires

    assert any(r.startswith("send2trash") and "extra" not in r for r in requires("jupyter-server-contents") or [])
