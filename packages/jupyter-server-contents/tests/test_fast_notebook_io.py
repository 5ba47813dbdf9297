"""The fast notebook writer and signature give exactly nbformat's bytes and signatures."""

from __future__ import annotations

import copy
import json
import logging
from pathlib import Path
from typing import Any

import nbformat
import pytest
from jupyter_server_contents._nbjson import Unsupported, dumps_v4, mark_lines, signature_bytes
from jupyter_server_contents._trust import check_signature, sign
from nbformat.sign import NotebookNotary
from nbformat.v4.rwbase import split_lines, strip_transient

EVERY_CHARACTER = "".join(chr(c) for c in range(0x3000)) + "\U0001F600\ue000\uffff"


def _tricky() -> dict[str, Any]:
    """A notebook with every JSON value kind where the writer takes a different path."""
    return {
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "floats": [0.1, 1e16, 1e-7, -0.0, 1.5e300, 10**30, -7, float("nan"), float("inf"), -float("inf")],
            "empty": {"d": {}, "l": [], "s": ""},
            "nested": [[], [[]], {}, ["a", 1], ["a", ["b"]], [None, True, False], ("t", "u")],
            "text": EVERY_CHARACTER,
            "zz": {"b": 1, "a": 2, "ä": 3, "A": 4, "_": 5},
        },
        "cells": [
            {"cell_type": "markdown", "id": "m", "metadata": {}, "source": "# title\r\nline\rnext\u2028x\n\n",
             "attachments": {"a.png": {"image/png": "aGVsbG8=\n"}}},
            {"cell_type": "code", "id": "c1", "metadata": {"trusted": True, "tags": ["x"]}, "execution_count": 3,
             "source": "print('\\x7f in a line: \x7f')\nx = 1\n",
             "outputs": [
                 {"output_type": "stream", "name": "stdout", "text": "a\nb\x7fc\n"},
                 {"output_type": "execute_result", "execution_count": 3, "metadata": {},
                  "data": {"text/plain": "1\n2", "application/json": {"k": [1, 2.5]}, "text/html": ["<b>", "x</b>"]}},
                 {"output_type": "error", "ename": "E", "evalue": "\"quoted\" \\ back", "traceback": ["\x1b[0;31m", ""]},
             ]},
            {"cell_type": "raw", "id": "r", "metadata": {}, "source": ""},
            {"cell_type": "code", "id": "c2", "metadata": {}, "execution_count": None, "source": ["a\n", "b"],
             "outputs": []},
        ],
    }


def _big(cells: int = 50) -> dict[str, Any]:
    line = "y" * 50 + "é\t\"\\\n"
    return {
        "nbformat": 4, "nbformat_minor": 5, "metadata": {},
        "cells": [{"cell_type": "code", "id": f"c{i}", "metadata": {}, "execution_count": i, "source": f"print({i})",
                   "outputs": [{"output_type": "stream", "name": "stdout", "text": line * 40}]} for i in range(cells)],
    }


def _plain_lines() -> dict[str, Any]:
    """Texts whose only line break is "\n" and without backslashes (the one-escape path)."""
    texts = ["", "\n", "\n\n", "a", "a\n", "a\nb", "a\nb\n", "é\t\"q\"\x00\x7f\n\n x", "ü\n" * 30]
    return {
        "nbformat": 4, "nbformat_minor": 5, "metadata": {},
        "cells": [{"cell_type": "code", "id": f"c{i}", "metadata": {}, "execution_count": None, "source": text,
                   "outputs": [{"output_type": "stream", "name": "stdout", "text": text},
                               {"output_type": "display_data", "metadata": {},
                                "data": {"text/plain": text, "image/svg+xml": text, "image/png": text + "x"}}]}
                  for i, text in enumerate(texts)],
    }


@pytest.mark.parametrize("make", [_tricky, _big, _plain_lines])
def test_writer_bytes_equal_nbformat_writes(make: Any) -> None:
    nb = nbformat.from_dict(make())
    expected = nbformat.writes(nb).encode("utf-8")
    split = copy.deepcopy(nb)
    split_lines(split)
    strip_transient(split)
    assert dumps_v4(split) == expected
    mark_lines(nb)
    strip_transient(nb)
    assert dumps_v4(nb) == expected


def test_writer_refuses_what_only_the_general_path_encodes() -> None:
    with pytest.raises(Unsupported):
        dumps_v4({"a": b"bytes"})
    with pytest.raises(Unsupported):
        dumps_v4({1: "non-string key"})
    with pytest.raises(Unsupported):
        dumps_v4({"a": ["lone \ud800 surrogate"]})

LOG = logging.getLogger("test")


@pytest.mark.parametrize("make", [_tricky, _big])
def test_signature_equals_the_notarys(make: Any, tmp_path: Path) -> None:
    notary = NotebookNotary(data_dir=str(tmp_path))
    nb = nbformat.from_dict(make())
    nb.metadata["signature"] = "sha256:stale"  # left out of the signature, as nbformat does
    assert signature_bytes({k: v for k, v in nb.items() if k != "metadata"}) == b"".join(
        __import__("nbformat.sign", fromlist=["yield_everything"]).yield_everything(
            {k: v for k, v in nb.items() if k != "metadata"}))
    assert not check_signature(notary, nb, LOG)
    sign(notary, nb, LOG)
    assert notary.check_signature(nb)  # nbformat finds the signature we stored
    assert check_signature(notary, nb, LOG)
    nb.cells[0].source += "changed"
    assert not check_signature(notary, nb, LOG)
    notary.sign(nb)
    assert check_signature(notary, nb, LOG)  # and we find the one nbformat stored


def test_an_overriding_notary_is_called(tmp_path: Path) -> None:
    class Always(NotebookNotary):
        def compute_signature(self, nb: Any) -> str:
            return "fixed"

    notary = Always(data_dir=str(tmp_path))
    nb = nbformat.from_dict(_tricky())
    sign(notary, nb, LOG)
    assert notary.store.check_signature("fixed", notary.algorithm)
    assert check_signature(notary, nbformat.from_dict(_big()), LOG)


async def test_saved_big_and_tricky_notebooks_are_nbformat_bytes(contents: Any, jp_root_dir: Path) -> None:
    for name, make in (("tricky.ipynb", _tricky), ("big.ipynb", _big), ("plain.ipynb", _plain_lines)):
        model = make()
        if name == "tricky.ipynb":
            del model["metadata"]["floats"]  # NaN and Infinity are not JSON: the body could not carry them
        status, _, _ = await contents("PUT", name, body=json.dumps({"type": "notebook", "content": model}))
        assert status == 201
        on_disk = (jp_root_dir / name).read_bytes()
        assert on_disk == nbformat.writes(nbformat.from_dict(model)).encode("utf-8") + b"\n"


async def test_lone_surrogate_in_a_saved_notebook_is_a_400(contents: Any, make_notebook: Any) -> None:
    body = json.dumps({"type": "notebook", "content": make_notebook(source="\ud800")})
    status, reply, _ = await contents("PUT", "bad.ipynb", body=body)
    assert status == 400
    assert reply["message"].startswith("Invalid notebook")


async def test_loaded_notebook_answers_the_values_json_would(contents: Any, jp_root_dir: Path) -> None:
    """NaN and infinities (json reads them from files), huge integers, non-ASCII text and
    dates all come back as ``json`` would send them."""
    model = _tricky()
    model["metadata"]["huge"] = 10**40
    (jp_root_dir / "odd.ipynb").write_text(json.dumps(model), encoding="utf-8")
    for name in ("odd.ipynb",):
        status, reply, response = await contents("GET", name)
        assert status == 200
        raw = response.body
        floats = raw.split(b'"floats"')[1].split(b"]")[0]
        assert b"NaN" in floats and b"-Infinity" in floats and b"null" not in floats
        meta = reply["content"]["metadata"]
        assert meta["huge"] == 10**40
        assert meta["text"] == EVERY_CHARACTER
        assert meta["floats"][:7] == [0.1, 1e16, 1e-7, -0.0, 1.5e300, 10**30, -7]
        assert meta["floats"][8:] == [float("inf"), -float("inf")]
        assert reply["content"]["cells"][1]["metadata"]["trusted"] is False
        assert reply["last_modified"].endswith("Z") and reply["created"].endswith("Z")
    del model["metadata"]["huge"]
    (jp_root_dir / "plain.ipynb").write_text(json.dumps(model), encoding="utf-8")
    status, reply, response = await contents("GET", "plain.ipynb")
    assert status == 200
    floats = response.body.split(b'"floats"')[1].split(b"]")[0]
    assert b"NaN" in floats and b"-Infinity" in floats and b"null" not in floats
    assert reply["content"]["metadata"]["text"] == EVERY_CHARACTER


async def test_big_answer_etag(contents: Any, jp_root_dir: Path, jp_fetch: Any) -> None:
    """A big model's Etag is the file's content hash; a model without content keeps
    tornado's (SHA-1 of the body)."""
    import hashlib

    (jp_root_dir / "big.ipynb").write_text(json.dumps(_big(400)), encoding="utf-8")
    status, _, response = await contents("GET", "big.ipynb")
    assert status == 200 and len(response.body) > 300_000
    on_disk = hashlib.sha256((jp_root_dir / "big.ipynb").read_bytes()).hexdigest()
    assert response.headers["Etag"] == f'"{on_disk}"'
    status, _, small = await contents("GET", "big.ipynb", params={"content": "0"})
    assert small.headers["Etag"] == f'"{hashlib.sha1(small.body).hexdigest()}"'


@pytest.mark.parametrize("kind", ["tricky", "big", "plain", "invalid", "missing", "v3", "nonsense"])
def test_read_equals_nbformat_reads(kind: str, tmp_path: Path) -> None:
    from jupyter_server_contents._nbjson import from_dict
    from jupyter_server_contents._notebooks import read_notebook

    model: Any = {"tricky": _tricky, "big": _big, "plain": _plain_lines}.get(kind, _plain_lines)()
    if kind == "invalid":
        model["cells"][0]["cell_type"] = "nonsense"
    if kind == "missing":
        del model["cells"]
    if kind == "v3":
        model = {"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": []}]}
    path = tmp_path / "n.ipynb"
    text = json.dumps(nbformat.from_dict(model)) if kind != "nonsense" else "{not json"
    path.write_text(text, encoding="utf-8")
    try:
        captured: dict[str, Any] = {}
        expected = nbformat.reads(text, as_version=4, capture_validation_error=captured)
    except Exception as exc:  # noqa: BLE001
        with pytest.raises(Exception) as info:
            read_notebook(str(path), "n.ipynb", False)
        assert repr(exc) in str(info.value)
        return
    nb, _, message = read_notebook(str(path), "n.ipynb", False)
    assert json.dumps(nb, sort_keys=True) == json.dumps(expected, sort_keys=True)  # NaN != NaN
    assert type(nb) is type(expected) and type(nb.cells[0] if nb.cells else nb) is type(expected.cells[0] if expected.cells else expected)
    assert (message is None) == ("ValidationError" not in captured)
    assert from_dict({"a": ("x", "y"), "b": [1, {"c": []}]}) == nbformat.from_dict({"a": ("x", "y"), "b": [1, {"c": []}]})
