"""/files/<path>: raw bytes, content types, downloads, HEAD, 304s, and sandboxed HTML/SVG."""

from __future__ import annotations

import json
import os
import time
from email.utils import formatdate

import pytest


@pytest.fixture
def files(jp_root_dir):
    (jp_root_dir / "page.html").write_text("<script>alert(document.cookie)</script>")
    (jp_root_dir / "pic.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>')
    (jp_root_dir / "a.txt").write_text("hello\n")
    (jp_root_dir / "data.bin").write_bytes(bytes(range(256)) * 8192)  # 2 MiB, several blocks
    (jp_root_dir / "nb.ipynb").write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    (jp_root_dir / 'we"ird;\r\nname\u00e9.txt').write_text("w")
    (jp_root_dir / "dir").mkdir()
    return jp_root_dir


async def test_raw_bytes_and_types(jp_fetch, files):
    r = await jp_fetch("files", "a.txt")
    assert r.body == b"hello\n" and r.headers["Content-Type"] == "text/plain; charset=UTF-8"
    assert "Content-Disposition" not in r.headers
    r = await jp_fetch("files", "data.bin")
    assert r.body == (files / "data.bin").read_bytes()
    assert r.headers["Content-Type"] == "application/octet-stream"
    r = await jp_fetch("files", "nb.ipynb")
    assert r.headers["Content-Type"] == "application/x-ipynb+json"
    assert r.headers["Content-Disposition"] == "attachment; filename*=utf-8''nb.ipynb"


@pytest.mark.parametrize("name", ["page.html", "pic.svg"])
async def test_html_and_svg_are_sandboxed(jp_fetch, files, name):
    r = await jp_fetch("files", name)
    csp = r.headers["Content-Security-Policy"]
    assert "sandbox" in csp.split(";")[-1] and "allow-same-origin" not in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"


async def test_download_has_safe_file_name(jp_fetch, files):
    r = await jp_fetch("files", "a.txt", params={"download": "1"})
    assert r.headers["Content-Disposition"] == "attachment; filename*=utf-8''a.txt"
    r = await jp_fetch("files", "we%22ird%3B%0D%0Aname%C3%A9.txt", params={"download": "1"})
    disposition = r.headers["Content-Disposition"]
    assert disposition == "attachment; filename*=utf-8''we%22ird%3B%0D%0Aname%C3%A9.txt"
    assert r.body == b"w"


async def test_head(jp_fetch, files):
    r = await jp_fetch("files", "data.bin", method="HEAD")
    assert r.code == 200 and r.body == b""
    assert int(r.headers["Content-Length"]) == 2 * 1024 * 1024
    assert r.headers["Etag"] and r.headers["Last-Modified"]


async def test_conditional_requests(jp_fetch, files):
    r = await jp_fetch("files", "a.txt")
    etag, modified = r.headers["Etag"], r.headers["Last-Modified"]
    r = await jp_fetch("files", "a.txt", headers={"If-None-Match": etag}, raise_error=False)
    assert r.code == 304 and r.body == b""
    r = await jp_fetch("files", "a.txt", headers={"If-Modified-Since": modified}, raise_error=False)
    assert r.code == 304
    past = formatdate(time.time() - 86400, usegmt=True)
    r = await jp_fetch("files", "a.txt", headers={"If-Modified-Since": past}, raise_error=False)
    assert r.code == 200
    r = await jp_fetch("files", "a.txt", headers={"If-Modified-Since": "garbage"}, raise_error=False)
    assert r.code == 200
    os.utime(files / "a.txt", (time.time() + 10, time.time() + 10))
    r = await jp_fetch("files", "a.txt", headers={"If-None-Match": etag}, raise_error=False)
    assert r.code == 200


@pytest.mark.parametrize(("path", "code"), [("nope.txt", 404), ("dir", 404), ("", 404), ("..%2fx", 403)])
async def test_missing_and_directories(jp_fetch, files, path, code):
    r = await jp_fetch("files", path, raise_error=False)
    assert r.code == code


async def test_files_need_auth(jp_fetch, files):
    r = await jp_fetch("files", "a.txt", headers={"Authorization": None}, raise_error=False)
    assert r.code in (302, 403) and b"hello" not in r.body
