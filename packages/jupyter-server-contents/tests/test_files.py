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


# A folder (the root too) is 403, as jupyter_server answers: it exists, but is no file.
@pytest.mark.parametrize(("path", "code"), [("nope.txt", 404), ("dir", 403), ("dir/", 403), ("/", 403), ("..%2fx", 403)])
async def test_missing_and_directories(jp_fetch, files, path, code):
    r = await jp_fetch("files", path, raise_error=False)
    assert r.code == code


@pytest.mark.parametrize(
    ("range_header", "code", "content_range", "piece"),
    [
        ("bytes=0-9", 206, "bytes 0-9/2097152", slice(0, 10)),
        ("bytes=2097150-", 206, "bytes 2097150-2097151/2097152", slice(2097150, None)),
        ("bytes=-5", 206, "bytes 2097147-2097151/2097152", slice(-5, None)),
        ("bytes=1000-9999999", 206, "bytes 1000-2097151/2097152", slice(1000, None)),
        ("bytes=1048570-1048590", 206, "bytes 1048570-1048590/2097152", slice(1048570, 1048591)),
        # The whole file, several ranges, another unit or garbage: a plain 200.
        ("bytes=0-", 200, None, slice(None)),
        ("bytes=0-1,5-6", 200, None, slice(None)),
        ("lines=1-2", 200, None, slice(None)),
        ("bytes=x-y", 200, None, slice(None)),
    ],
)
async def test_range_requests(jp_fetch, files, range_header, code, content_range, piece):
    whole = (files / "data.bin").read_bytes()
    r = await jp_fetch("files", "data.bin", headers={"Range": range_header})
    assert r.code == code
    assert r.body == whole[piece]
    assert r.headers.get("Content-Range") == content_range
    assert int(r.headers["Content-Length"]) == len(r.body)
    assert r.headers["Accept-Ranges"] == "bytes"


@pytest.mark.parametrize("range_header", ["bytes=2097152-", "bytes=10-5", "bytes=-0"])
async def test_unsatisfiable_range_is_416(jp_fetch, files, range_header):
    r = await jp_fetch("files", "data.bin", headers={"Range": range_header}, raise_error=False)
    assert r.code == 416 and r.body == b""
    assert r.headers["Content-Range"] == "bytes */2097152"


async def test_range_on_head_and_every_answer_advertises_ranges(jp_fetch, files):
    r = await jp_fetch("files", "a.txt", method="HEAD", headers={"Range": "bytes=1-2"})
    assert (r.code, r.body, r.headers["Content-Length"], r.headers["Content-Range"]) == (206, b"", "2", "bytes 1-2/6")
    assert (await jp_fetch("files", "a.txt")).headers["Accept-Ranges"] == "bytes"


async def test_files_need_auth(jp_fetch, files):
    r = await jp_fetch("files", "a.txt", headers={"Authorization": None}, raise_error=False)
    assert r.code in (302, 403) and b"hello" not in r.body


async def test_cookie_requests_need_this_servers_referer_or_the_xsrf_token(jp_fetch, files, jp_token, jp_serverapp):
    """Another site's page must not include a file (a script, say) with the user's cookie."""
    from http.cookies import SimpleCookie

    r = await jp_fetch("api", "status", params={"token": jp_token}, headers={"Authorization": None})
    jar: SimpleCookie = SimpleCookie()
    for header in r.headers.get_list("Set-Cookie"):
        jar.load(header)
    session = {"Authorization": None, "Cookie": "; ".join(f"{k}={m.value}" for k, m in jar.items())}
    here = f"http://localhost:{jp_serverapp.port}/lab/tree/a.txt"
    for extra, code in [({"Referer": here}, 200), ({}, 403), ({"Referer": "http://evil.example/"}, 403),
                        ({"X-XSRFToken": jar["_xsrf"].value}, 200)]:
        r = await jp_fetch("files", "a.txt", headers={**session, **extra}, raise_error=False)
        assert r.code == code, extra
        assert (b"hello" in r.body) == (code == 200)
    # With the token itself (not a cookie), no Referer is needed.
    assert (await jp_fetch("files", "a.txt")).body == b"hello\n"
