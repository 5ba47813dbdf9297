"""/api/nbconvert, GET /nbconvert/<format>/<path> and POST /nbconvert/<format> over real HTTP."""

from __future__ import annotations

import io
import json
import threading
import zipfile

import nbformat
import pytest
from jupyter_server_core.auth import Authorizer
from nbconvert.preprocessors import Preprocessor


def _is_json_error(response) -> bool:
    body = json.loads(response.body)
    # No handler here gives a specific reason: it stays null, as jupyter_server sends it.
    return set(body) == {"message", "reason"} and body["reason"] is None


async def test_formats(jp_fetch):
    r = await jp_fetch("api", "nbconvert")
    formats = json.loads(r.body)
    assert formats["html"] == {"output_mimetype": "text/html"}
    assert formats["python"] == {"output_mimetype": "text/x-python"}
    assert formats["markdown"] == {"output_mimetype": "text/markdown"}
    r = await jp_fetch("api", "nbconvert", raise_error=False, headers={"Authorization": None})
    assert r.code == 403


async def test_html_page_is_sandboxed(jp_fetch, write_notebook):
    path = write_notebook()
    r = await jp_fetch("nbconvert", "html", path)
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Hello from a notebook" in r.body.decode()
    assert r.headers["Content-Security-Policy"].endswith("; sandbox allow-scripts")
    assert "Content-Disposition" not in r.headers
    assert r.headers["Last-Modified"]


@pytest.mark.parametrize(
    ("fmt", "filename", "content_type", "expected"),
    [
        ("html", "nb.html", "text/html; charset=utf-8", "Hello from a notebook"),
        ("script", "nb.py", "text/x-python; charset=utf-8", "print(6 * 7)"),
        ("python", "nb.py", "text/x-python; charset=utf-8", "print(6 * 7)"),
        ("markdown", "nb.md", "text/markdown; charset=utf-8", "# Hello from a notebook"),
    ],
)
async def test_download(jp_fetch, write_notebook, fmt, filename, content_type, expected):
    path = write_notebook()
    r = await jp_fetch("nbconvert", fmt, path, params={"download": "true"})
    assert r.headers["Content-Disposition"] == f"attachment; filename*=utf-8''{filename}"
    assert r.headers["Content-Type"] == content_type
    assert expected in r.body.decode()


async def test_download_name_in_a_subfolder_with_spaces(jp_fetch, write_notebook):
    write_notebook("sub dir/my nb é.ipynb")
    r = await jp_fetch("nbconvert", "markdown", "sub%20dir/my%20nb%20%C3%A9.ipynb", params={"download": "true"})
    assert r.headers["Content-Disposition"] == "attachment; filename*=utf-8''my%20nb%20%C3%A9.md"


async def test_images_come_as_a_zip(jp_fetch, write_notebook):
    path = write_notebook("fig.ipynb", with_image=True)
    r = await jp_fetch("nbconvert", "markdown", path, params={"download": "true"})
    assert r.headers["Content-Type"] == "application/zip"
    assert r.headers["Content-Disposition"] == "attachment; filename*=utf-8''fig.zip"
    with zipfile.ZipFile(io.BytesIO(r.body)) as archive:
        assert "fig.md" in archive.namelist()


@pytest.mark.parametrize(
    ("parts", "code", "words"),
    [
        (("nbconvert", "nope", "nb.ipynb"), 404, "Unknown export format"),
        (("nbconvert", "html", "missing.ipynb"), 404, "missing.ipynb"),
    ],
)
async def test_bad_requests_are_clear_4xx(jp_fetch, jp_root_dir, write_notebook, parts, code, words):
    write_notebook()
    (jp_root_dir / "a.txt").write_text("hello")
    (jp_root_dir / "folder").mkdir()
    r = await jp_fetch(*parts, raise_error=False)
    assert r.code == code, r.body
    assert words in r.body.decode()


@pytest.mark.parametrize(
    ("parts", "target"),
    [(("nbconvert", "html", "a%20b.txt"), "files/a%20b.txt"), (("nbconvert", "python", "folder"), "tree/folder"),
     (("nbconvert", "html", "folder", "c.py"), "files/folder/c.py")],
)
async def test_non_notebook_path_redirects_to_the_file_or_folder(jp_fetch, jp_root_dir, jp_base_url, parts, target):
    (jp_root_dir / "a b.txt").write_text("hello")
    (jp_root_dir / "folder").mkdir()
    (jp_root_dir / "folder" / "c.py").write_text("1")
    r = await jp_fetch(*parts, raise_error=False)
    assert (r.code, r.headers["Location"]) == (302, jp_base_url + target)


async def test_unauthenticated_page_redirects_to_login(jp_fetch, write_notebook):
    r = await jp_fetch("nbconvert", "html", write_notebook(), raise_error=False, headers={"Authorization": None})
    assert r.code == 302
    assert "/login" in r.headers["Location"]


@pytest.mark.parametrize("jp_server_config", [{"ServerApp": {"nbconvert_csp_sandbox": False}}])
async def test_csp_sandbox_can_be_turned_off(jp_fetch, write_notebook):
    r = await jp_fetch("nbconvert", "html", write_notebook())
    assert "sandbox" not in r.headers["Content-Security-Policy"]


# -- POST ------------------------------------------------------------------------------


async def test_post_converts_the_model(jp_fetch, notebook):
    model = {"name": "posted.ipynb", "content": json.loads(nbformat.writes(notebook()))}
    r = await jp_fetch("nbconvert", "markdown", method="POST", body=json.dumps(model))
    assert r.headers["Content-Type"] == "text/markdown; charset=utf-8"
    assert "# Hello from a notebook" in r.body.decode()
    r = await jp_fetch("nbconvert", "python", method="POST", body=json.dumps(model), params={"download": "true"})
    assert r.headers["Content-Disposition"] == "attachment; filename*=utf-8''posted.py"


async def test_posted_html_is_sandboxed_too(jp_fetch, notebook):
    # CVE-2026-44727 named both handlers: the converted page of a POSTed model must not run
    # in the server's origin either.
    model = {"content": json.loads(nbformat.writes(notebook()))}
    r = await jp_fetch("nbconvert", "html", method="POST", body=json.dumps(model))
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    assert r.headers["Content-Security-Policy"].endswith("; sandbox allow-scripts")


@pytest.mark.parametrize(
    ("fmt", "body", "code"),
    [
        ("markdown", "not json", 400),
        ("markdown", "[1]", 400),
        ("markdown", '{"name": "x.ipynb"}', 400),
        ("markdown", '{"content": {"cells": 5}}', 400),
        ("markdown", '{"content": {"nbformat": 4, "metadata": {}}}', 400),
        ("nope", '{"content": {}}', 404),
    ],
)
async def test_post_bad_input(jp_fetch, fmt, body, code):
    r = await jp_fetch("nbconvert", fmt, method="POST", body=body, raise_error=False)
    assert r.code == code, r.body
    assert _is_json_error(r)


async def test_post_cross_origin_is_refused(jp_fetch, notebook, jp_browser_headers):
    model = {"content": json.loads(nbformat.writes(notebook()))}
    r = await jp_fetch("nbconvert", "markdown", method="POST", body=json.dumps(model), raise_error=False,
                       headers={**jp_browser_headers, "Origin": "http://evil.example"})
    assert r.code == 404
    # The token itself proves no foreign page sent the request, as in jupyter_server.
    r = await jp_fetch("nbconvert", "markdown", method="POST", body=json.dumps(model),
                       headers={"Origin": "http://evil.example"})
    assert r.code == 200


class NoNbconvert(Authorizer):
    def is_authorized(self, handler, user, action, resource):
        return resource != "nbconvert"


@pytest.mark.parametrize("jp_server_config", [{"ServerApp": {"authorizer_class": NoNbconvert}}])
async def test_authorizer_refuses_nbconvert(jp_fetch, write_notebook):
    for parts, method, body in ((("api", "nbconvert"), "GET", None),
                                (("nbconvert", "html", write_notebook()), "GET", None),
                                (("nbconvert", "html"), "POST", "{}")):
        r = await jp_fetch(*parts, method=method, body=body, raise_error=False)
        assert r.code == 403, parts


@pytest.mark.parametrize("jp_extensions", [{}])
async def test_core_without_the_extension_answers_404(jp_fetch):
    for parts in (("api", "nbconvert"), ("nbconvert", "html", "nb.ipynb")):
        r = await jp_fetch(*parts, raise_error=False)
        assert r.code == 404, parts


async def test_spec_lists_nbconvert(jp_fetch):
    r = await jp_fetch("api", "spec.yaml")
    assert "/api/nbconvert" in json.loads(r.body)["paths"]


# -- conversion runs off the event loop --------------------------------------------------

RELEASE = threading.Event()
ENTERED = threading.Event()


class WaitingPreprocessor(Preprocessor):
    """Holds the conversion until the test says so: the server must answer meanwhile."""

    def preprocess(self, nb, resources):
        ENTERED.set()
        if not RELEASE.wait(30):
            raise RuntimeError("never released")
        return nb, resources


@pytest.mark.parametrize("jp_server_config", [{"Exporter": {"preprocessors": [WaitingPreprocessor]}}])
async def test_server_answers_while_converting(jp_fetch, notebook):
    import asyncio

    RELEASE.clear()
    ENTERED.clear()
    model = {"content": json.loads(nbformat.writes(notebook()))}
    conversion = asyncio.ensure_future(jp_fetch("nbconvert", "markdown", method="POST", body=json.dumps(model)))
    try:
        entered = await asyncio.get_running_loop().run_in_executor(None, ENTERED.wait, 30)
        assert entered and not conversion.done()
        # The conversion is in progress; on the event loop this request could not be served.
        r = await jp_fetch("api", "status", request_timeout=20)
        assert r.code == 200
        assert not conversion.done()
    finally:
        RELEASE.set()
    r = await conversion
    assert "# Hello from a notebook" in r.body.decode()


@pytest.mark.parametrize("jp_extensions", [{"jupyter_server_nbconvert": True}])
async def test_without_contents_service(jp_fetch, write_notebook, notebook):
    r = await jp_fetch("nbconvert", "html", write_notebook(), raise_error=False)
    assert r.code == 404
    assert "contents" in r.body.decode()
    model = {"content": json.loads(nbformat.writes(notebook()))}
    r = await jp_fetch("nbconvert", "markdown", method="POST", body=json.dumps(model))
    assert "# Hello from a notebook" in r.body.decode()
