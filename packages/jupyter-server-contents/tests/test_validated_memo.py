"""Bytes a save validated are not validated again when read back; anything else is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jupyter_server_contents._validated import MIN_BYTES, file_digest, is_known_valid


def _big_notebook(cells: int = 300) -> dict[str, Any]:
    text = "y" * 79 + "\n"
    return {
        "nbformat": 4, "nbformat_minor": 5, "metadata": {},
        "cells": [{"cell_type": "code", "id": f"c{i}", "metadata": {}, "execution_count": None,
                   "source": f"x = {i}", "outputs": [{"output_type": "stream", "name": "stdout",
                                                       "text": text * 50}]} for i in range(cells)],
    }


async def test_saved_bytes_are_known_valid_and_read_back_clean(jp_fetch, jp_root_dir: Path):
    body = json.dumps({"type": "notebook", "content": _big_notebook()})
    await jp_fetch("api", "contents", "big.ipynb", method="PUT", body=body)
    data = (jp_root_dir / "big.ipynb").read_bytes()
    assert len(data) >= MIN_BYTES
    assert is_known_valid(file_digest((data,)))
    model = json.loads((await jp_fetch("api", "contents", "big.ipynb")).body)
    assert "message" not in model or not model["message"]
    assert len(model["content"]["cells"]) == 300


async def test_an_edited_file_is_validated_again(jp_fetch, jp_root_dir: Path):
    body = json.dumps({"type": "notebook", "content": _big_notebook()})
    await jp_fetch("api", "contents", "edit.ipynb", method="PUT", body=body)
    path = jp_root_dir / "edit.ipynb"
    # Same size, new bytes, and now breaking the schema: execution_count must be an int or null.
    path.write_bytes(path.read_bytes().replace(b'"execution_count": null', b'"execution_count": "no"', 1))
    model = json.loads((await jp_fetch("api", "contents", "edit.ipynb")).body)
    assert "Notebook validation failed" in (model.get("message") or "")


async def test_invalid_bytes_are_never_remembered(jp_fetch, jp_root_dir: Path):
    nb = _big_notebook()
    nb["cells"][0]["execution_count"] = "no"
    data = json.dumps(nb).encode()
    (jp_root_dir / "bad.ipynb").write_bytes(data)
    for _ in range(2):
        model = json.loads((await jp_fetch("api", "contents", "bad.ipynb")).body)
        assert "Notebook validation failed" in (model.get("message") or "")
    assert not is_known_valid(file_digest((data,)))


async def test_missing_ids_are_not_remembered(jp_fetch, jp_root_dir: Path):
    nb = _big_notebook()
    for cell in nb["cells"]:
        del cell["id"]
    data = json.dumps(nb).encode()
    (jp_root_dir / "noids.ipynb").write_bytes(data)
    await jp_fetch("api", "contents", "noids.ipynb")
    # Validation gave the cells random ids: the next read must do the same again.
    assert not is_known_valid(file_digest((data,)))
