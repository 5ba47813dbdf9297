"""ETags, 304 answers and conflict-safe saves on /api/contents and /files/, over real HTTP."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os

import pytest


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def files(jp_root_dir, make_notebook):
    (jp_root_dir / "a.txt").write_text("one\n")
    (jp_root_dir / "nb.ipynb").write_text(json.dumps(make_notebook()))
    (jp_root_dir / "d").mkdir()
    (jp_root_dir / "d" / "x.txt").write_text("x")
    return jp_root_dir


# -- GET: ETag and If-None-Match --------------------------------------------------------


@pytest.mark.parametrize("name", ["a.txt", "nb.ipynb"])
async def test_etag_is_the_content_hash_and_revalidates(contents, files, name):
    code, model, r = await contents("GET", name)
    assert code == 200
    assert r.headers["Etag"] == f'"{sha256(files / name)}"'
    assert model["hash"] is None and model["hash_algorithm"] is None  # the body as before
    code, model, r = await contents("GET", name, params={"hash": "1"})
    assert r.headers["Etag"] == f'"{model["hash"]}"'

    code, model, again = await contents("GET", name, headers={"If-None-Match": r.headers["Etag"]})
    assert code == 304 and again.body == b""
    assert again.headers["Etag"] == r.headers["Etag"] and "Last-Modified" in again.headers
    code, _, again = await contents("GET", name, headers={"If-None-Match": f'"other", W/{r.headers["Etag"]}'})
    assert code == 304

    (files / name).write_text((files / name).read_text().replace("1", "2") + " ")
    code, model, changed = await contents("GET", name, headers={"If-None-Match": r.headers["Etag"]})
    assert code == 200 and changed.headers["Etag"] == f'"{sha256(files / name)}"' != r.headers["Etag"]
    assert model["content"]


async def test_metadata_only_and_directory_answers_revalidate_on_the_body(contents, files):
    for name in ("a.txt", "d"):
        params = {"content": "0"} if name == "a.txt" else {}
        code, _, r = await contents("GET", name, params=params)
        etag = r.headers["Etag"]
        assert etag == f'"{hashlib.sha1(r.body).hexdigest()}"'
        code, _, again = await contents("GET", name, params=params, headers={"If-None-Match": etag})
        assert code == 304 and again.body == b""
    (files / "d" / "y.txt").write_text("y")
    code, model, r = await contents("GET", "d", headers={"If-None-Match": etag})
    assert code == 200 and {m["name"] for m in model["content"]} == {"x.txt", "y.txt"}


async def test_if_none_match_on_a_missing_file_is_404(contents, files):
    code, body, _ = await contents("GET", "nope.txt", headers={"If-None-Match": '"abc"'})
    assert code == 404 and set(body) == {"message", "reason"}


async def test_files_etag_and_304(jp_fetch, files):
    r = await jp_fetch("files", "a.txt")
    etag = r.headers["Etag"]
    for sent in (etag, "W/" + etag, f'"x", {etag}', "*"):
        again = await jp_fetch("files", "a.txt", headers={"If-None-Match": sent}, raise_error=False)
        assert again.code == 304 and again.body == b"", sent
    (files / "a.txt").write_text("two, longer\n")
    again = await jp_fetch("files", "a.txt", headers={"If-None-Match": etag}, raise_error=False)
    assert again.code == 200 and again.body == b"two, longer\n" and again.headers["Etag"] != etag


# -- PUT: If-Match and the model's hash --------------------------------------------------


def text_model(content: str, **extra):
    return {"type": "file", "format": "text", "content": content, **extra}


async def test_put_without_a_condition_behaves_as_before(contents, files):
    for body in (text_model("plain save"), text_model("null hash", hash=None, hash_algorithm=None)):
        code, model, r = await contents("PUT", "a.txt", body=body)
        assert code == 200 and model["hash"] is None and "Etag" not in r.headers
        assert (files / "a.txt").read_text() == body["content"]


async def test_if_match_with_the_current_hash_saves_and_returns_the_new_one(contents, files):
    _, _, r = await contents("GET", "a.txt")
    code, model, saved = await contents("PUT", "a.txt", body=text_model("two\n"), headers={"If-Match": r.headers["Etag"]})
    assert code == 200
    assert (files / "a.txt").read_text() == "two\n"
    assert model["hash"] == sha256(files / "a.txt") and model["hash_algorithm"] == "sha256"
    assert saved.headers["Etag"] == f'"{model["hash"]}"'
    # The returned tag chains into the next save.
    code, _, _ = await contents("PUT", "a.txt", body=text_model("three\n"), headers={"If-Match": saved.headers["Etag"]})
    assert code == 200 and (files / "a.txt").read_text() == "three\n"


@pytest.mark.parametrize("how", ["header", "model"])
async def test_a_stale_version_is_409_and_the_file_is_untouched(contents, files, how):
    _, old, _ = await contents("GET", "nb.ipynb", params={"hash": "1"})
    (files / "nb.ipynb").write_text(json.dumps(old["content"] | {"metadata": {"by": "someone else"}}))
    before = (files / "nb.ipynb").read_bytes(), os.stat(files / "nb.ipynb").st_mtime_ns
    mine = {"type": "notebook", "content": old["content"]}
    if how == "header":
        code, body, r = await contents("PUT", "nb.ipynb", body=mine, headers={"If-Match": f'"{old["hash"]}"'})
    else:
        code, body, r = await contents("PUT", "nb.ipynb", body=mine | {"hash": old["hash"], "hash_algorithm": "sha256"})
    assert code == 409
    assert body["reason"] == "Conflict" and "changed" in body["message"]
    assert body["hash"] == sha256(files / "nb.ipynb") != old["hash"] and body["hash_algorithm"] == "sha256"
    assert r.headers["Etag"] == f'"{body["hash"]}"'
    assert ((files / "nb.ipynb").read_bytes(), os.stat(files / "nb.ipynb").st_mtime_ns) == before


async def test_if_match_header_wins_over_the_model_hash(contents, files):
    _, _, r = await contents("GET", "a.txt")
    code, _, _ = await contents("PUT", "a.txt", body=text_model("new", hash="0" * 64), headers={"If-Match": r.headers["Etag"]})
    assert code == 200 and (files / "a.txt").read_text() == "new"


async def test_if_match_star_and_missing_files(contents, files):
    code, _, _ = await contents("PUT", "a.txt", body=text_model("any version"), headers={"If-Match": "*"})
    assert code == 200 and (files / "a.txt").read_text() == "any version"
    for headers in ({"If-Match": "*"}, {"If-Match": '"abc"'}):
        code, body, _ = await contents("PUT", "new.txt", body=text_model("x"), headers=headers)
        assert code == 409 and body["hash"] is None and "does not exist" in body["message"]
        assert not (files / "new.txt").exists()
    code, _, _ = await contents("PUT", "d", body={"type": "directory"}, headers={"If-Match": '"abc"'})
    assert code == 409


async def test_weak_tags_never_match_a_save(contents, files):
    _, _, r = await contents("GET", "a.txt")
    code, _, _ = await contents("PUT", "a.txt", body=text_model("x"), headers={"If-Match": "W/" + r.headers["Etag"]})
    assert code == 409 and (files / "a.txt").read_text() == "one\n"


@pytest.mark.parametrize(("headers", "extra", "words"), [
    ({"If-Match": "abc"}, {}, "Invalid If-Match"),
    ({}, {"hash": 12}, "hash must be"),
    ({}, {"hash": ""}, "hash must be"),
    ({}, {"hash": "abc", "hash_algorithm": 5}, "hash_algorithm must be"),
    ({}, {"hash": "abc", "hash_algorithm": "md5"}, "does not match the server's 'sha256'"),
])
async def test_bad_conditions_are_400(contents, files, headers, extra, words):
    code, body, _ = await contents("PUT", "a.txt", body=text_model("x", **extra), headers=headers)
    assert code == 400 and words in body["message"] and body["reason"] is None
    assert (files / "a.txt").read_text() == "one\n"


async def test_two_saves_from_the_same_version_one_wins(contents, files):
    _, _, r = await contents("GET", "a.txt")
    tag = r.headers["Etag"]
    results = await asyncio.gather(*(contents("PUT", "a.txt", body=text_model(f"writer {i}\n"), headers={"If-Match": tag})
                                     for i in range(2)))
    codes = sorted(code for code, _, _ in results)
    assert codes == [200, 409]
    winner = next(i for i, (code, _, _) in enumerate(results) if code == 200)
    assert (files / "a.txt").read_text() == f"writer {winner}\n"
