"""gzip on /api/contents and /files/ over real HTTP: big models streamed compressed, file
downloads compressed by type, never for what is compressed already."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from typing import Any

import pytest


async def raw(jp_fetch: Any, *parts: str, accept: str = "gzip", **kwargs: Any) -> Any:
    headers = {"Accept-Encoding": accept, **kwargs.pop("headers", {})}
    return await jp_fetch(*parts, headers=headers, decompress_response=False, raise_error=False, **kwargs)


def big_notebook(cells: int = 300) -> dict[str, Any]:
    text = "a line of output that repeats\n" * 100
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "id": f"c{i}", "metadata": {}, "execution_count": i, "source": f"print({i})",
         "outputs": [{"output_type": "stream", "name": "stdout", "text": text}]} for i in range(cells)]}


async def test_big_notebook_is_compressed_in_pieces_and_decodes_exactly(jp_fetch, jp_root_dir):
    (jp_root_dir / "big.ipynb").write_text(json.dumps(big_notebook()))
    plain = await raw(jp_fetch, "api", "contents", "big.ipynb", accept="identity")
    assert plain.code == 200 and len(plain.body) > 600_000 and "Content-Encoding" not in plain.headers
    packed = await raw(jp_fetch, "api", "contents", "big.ipynb")
    assert packed.code == 200 and packed.headers["Content-Encoding"] == "gzip"
    assert packed.headers.get("Transfer-Encoding") == "chunked"  # streamed, not buffered whole
    assert len(packed.body) < len(plain.body) / 20
    assert gzip.decompress(packed.body) == plain.body
    digest = hashlib.sha256((jp_root_dir / "big.ipynb").read_bytes()).hexdigest()
    assert packed.headers["Etag"] == plain.headers["Etag"] == f'"{digest}"'
    again = await raw(jp_fetch, "api", "contents", "big.ipynb", headers={"If-None-Match": f'"{digest}"'})
    assert again.code == 304 and again.body == b""


async def test_big_listing_is_compressed(jp_fetch, jp_root_dir):
    d = jp_root_dir / "many"
    d.mkdir()
    for i in range(2000):
        (d / f"file-{i:04d}.txt").write_text("x")
    plain = await raw(jp_fetch, "api", "contents", "many", accept="identity")
    packed = await raw(jp_fetch, "api", "contents", "many")
    assert packed.headers["Content-Encoding"] == "gzip" and gzip.decompress(packed.body) == plain.body
    assert packed.headers["Etag"] == plain.headers["Etag"]


async def test_small_model_is_not_compressed(jp_fetch, jp_root_dir):
    (jp_root_dir / "a.txt").write_text("tiny")
    r = await raw(jp_fetch, "api", "contents", "a.txt")
    assert r.code == 200 and "Content-Encoding" not in r.headers and json.loads(r.body)["content"] == "tiny"


async def test_text_file_download_is_compressed_and_head_says_so(jp_fetch, jp_root_dir):
    data = b"column,another,third\n" * 100_000  # 2 MB: several blocks, compressed as they go
    (jp_root_dir / "table.csv").write_bytes(data)
    r = await raw(jp_fetch, "files", "table.csv")
    assert r.code == 200 and r.headers["Content-Encoding"] == "gzip" and "Content-Length" not in r.headers
    assert gzip.decompress(r.body) == data
    head = await raw(jp_fetch, "files", "table.csv", method="HEAD")
    assert head.code == 200 and head.headers["Content-Encoding"] == "gzip" and head.body == b""
    assert "Content-Length" not in head.headers
    plain = await raw(jp_fetch, "files", "table.csv", accept="identity")
    assert plain.body == data and int(plain.headers["Content-Length"]) == len(data)


@pytest.mark.parametrize("name", ["photo.png", "archive.zip", "table.csv.gz", "data.bin"])
async def test_compressed_and_binary_files_go_as_they_are(jp_fetch, jp_root_dir, name):
    data = os.urandom(50_000)
    (jp_root_dir / name).write_bytes(data)
    r = await raw(jp_fetch, "files", name)
    assert r.code == 200 and "Content-Encoding" not in r.headers and r.body == data


async def test_small_text_file_is_not_compressed(jp_fetch, jp_root_dir):
    (jp_root_dir / "note.txt").write_text("short")
    r = await raw(jp_fetch, "files", "note.txt")
    assert "Content-Encoding" not in r.headers and r.body == b"short"
