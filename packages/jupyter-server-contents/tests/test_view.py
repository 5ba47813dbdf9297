"""/view/<path>: the page that shows a file in a sandboxed frame, over real HTTP."""

from __future__ import annotations

import re

import pytest


@pytest.fixture
def pages(jp_root_dir):
    (jp_root_dir / "page.html").write_text("<p>hello</p>")
    (jp_root_dir / "sub dir").mkdir()
    (jp_root_dir / "sub dir" / "a&b.html").write_text("<p>amp</p>")
    return jp_root_dir


async def test_view_page_frames_the_file_sandboxed(jp_fetch, pages, jp_base_url):
    r = await jp_fetch("view", "page.html")
    assert r.code == 200
    assert r.headers["Content-Type"] == "text/html; charset=UTF-8"
    assert r.headers["Content-Security-Policy"].startswith("frame-ancestors 'self'")
    assert r.headers["Etag"]
    html = r.body.decode()
    frame = re.search(r'<iframe sandbox="allow-scripts" src="([^"]+)"', html)
    assert frame and frame.group(1) == f"{jp_base_url}files/page.html"
    assert "<title>page.html</title>" in html
    # The frame's source is the file itself, served from /files/.
    assert (await jp_fetch("files", "page.html")).body == b"<p>hello</p>"


async def test_view_escapes_names(jp_fetch, pages, jp_base_url):
    r = await jp_fetch("view", "sub%20dir", "a%26b.html")
    html = r.body.decode()
    assert f'src="{jp_base_url}files/sub%20dir/a%26b.html"' in html
    assert "<title>a&amp;b.html</title>" in html


@pytest.mark.parametrize("path", ["nope.html", "sub%20dir", ""])
async def test_view_of_missing_file_or_folder_is_404(jp_fetch, pages, path):
    r = await jp_fetch("view", path, raise_error=False)
    assert r.code == 404
    assert r.headers["Content-Type"].startswith("text/html")


async def test_view_needs_login(jp_fetch, pages):
    r = await jp_fetch("view", "page.html", headers={"Authorization": None}, raise_error=False)
    assert r.code == 302 and "/login?next=" in r.headers["Location"]
