"""The requests tools/compare_upstream.py sends to both servers, and the known differences.

Each scenario is a list of steps run in order against one server at a time; ``capture``
keeps a field of an answer (a kernel id) for the paths of later steps, so each server uses
its own ids. Every URL of every wheel appears here: core (``/api``, kernels, kernel specs,
sessions, config, events, identity, spec, resolvePath, CSP reports, login, metrics,
shutdown), contents (``/api/contents``, checkpoints, ``/files/``, ``/view/``), terminals and
nbconvert.

``DELIBERATE`` maps ``(step name, aspect)`` to the reason ours answers differently on
purpose; docs/compatibility.md lists the same entries.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["DELIBERATE", "SCENARIOS", "Step", "make_tree"]

UNKNOWN_ID = "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
NOTEBOOK = {"cells": [{"cell_type": "markdown", "id": "a1", "metadata": {}, "source": "# Title"}],
            "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
EVENT = {"schema_id": "https://events.jupyter.org/jupyter_server/contents_service/v1", "version": 1,
         "data": {"action": "save", "path": "x.txt"}}


@dataclass
class Step:
    name: str
    method: str
    path: str
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    auth: bool = True
    capture: dict[str, str] = field(default_factory=dict)
    until: tuple[str, Any] | None = None


def make_tree(root: Path) -> None:
    """The files both servers serve."""
    (root / "sub" / "deep").mkdir(parents=True)
    (root / "sub" / "deep" / "f.txt").write_text("deep\n")
    (root / "full").mkdir()
    (root / "full" / "one.txt").write_text("1\n")
    (root / "emptydir").mkdir()
    (root / "nums.txt").write_text("".join(f"{i}\n" for i in range(1, 1001)))
    (root / "page.html").write_text("<html><body><p>hello</p></body></html>\n")
    (root / "s.py").write_text("print(1)\n")
    (root / "n.ipynb").write_text(json.dumps(NOTEBOOK))
    (root / "bad.ipynb").write_text("not json")
    (root / "old.txt").write_text("rename me\n")


def _get(name: str, path: str, **kw: Any) -> Step:
    return Step(name, "GET", path, **kw)


SCENARIOS: dict[str, list[Step]] = {
    "api": [
        _get("/api", "/api"),
        _get("/api no auth", "/api", auth=False),
        _get("/api/status", "/api/status"),
        _get("/api/status no auth", "/api/status", auth=False),
        Step("POST /api/status", "POST", "/api/status", body=""),
        _get("/api/me", "/api/me"),
        _get("/api/me permissions", "/api/me?permissions=%7B%22contents%22:[%22read%22,%22write%22]%7D"),
        _get("/api/me bad permissions", "/api/me?permissions=nope"),
        _get("/api/spec.yaml", "/api/spec.yaml"),
        _get("/api/unknown", "/api/no/such/thing"),
        _get("/api/config/x", "/api/config/x"),
        Step("PATCH /api/config/x", "PATCH", "/api/config/x", body={"a": 1}),
        Step("PUT /api/config/x", "PUT", "/api/config/x", body={"b": 2}),
        Step("PATCH /api/config/x not json", "PATCH", "/api/config/x", body="{nope"),
        _get("/api/resolvePath", "/api/resolvePath?path=nums.txt"),
        _get("/api/resolvePath missing file", "/api/resolvePath?path=nope.txt"),
        _get("/api/resolvePath unknown kernel", "/api/resolvePath?path=nums.txt&kernel=nope"),
        _get("/api/resolvePath no path", "/api/resolvePath"),
        Step("POST /api/security/csp-report", "POST", "/api/security/csp-report",
             body={"csp-report": {"blocked-uri": "https://cdn.example/x.js"}},
             headers={"Content-Type": "application/csp-report"}),
        Step("POST /api/sessions nested body", "POST", "/api/sessions", body="[" * 50_000 + "]" * 50_000),
        _get("/metrics", "/metrics"),
        _get("/favicon.ico", "/favicon.ico", auth=False),
        _get("/static/favicon.ico", "/static/favicon.ico", auth=False),
    ],
    "login": [
        _get("/login", "/login", auth=False),
        _get("/login next", "/login?next=/api/status"),
        _get("/login next with CRLF", "/login?next=/tree%0d%0aSet-Cookie:%20a=b"),
        _get("/logout", "/logout", auth=False),
        _get("/ no auth", "/", auth=False),
    ],
    "trailing slashes": [
        _get(path, path, auth=False) for path in (
            "/api/", "/api/kernels/", "/api/sessions/", "/api/kernelspecs/", "/api/kernelspecs/python3/",
            "/api/terminals/", "/api/status/", "/api/me/", "/api/contents/sub/", "/api/nbconvert/",
            "/api/config/x/", "/api/nonexist/", "/login/", "/tree/", "/files/sub/", "/view/", "//evil.example/")
    ],
    "kernelspecs": [
        _get("/api/kernelspecs", "/api/kernelspecs"),
        _get("/api/kernelspecs/python3", "/api/kernelspecs/python3"),
        _get("/api/kernelspecs/nope", "/api/kernelspecs/nope"),
        _get("/kernelspecs/python3/logo-64x64.png", "/kernelspecs/python3/logo-64x64.png"),
        _get("/kernelspecs/python3/kernel.json", "/kernelspecs/python3/kernel.json"),
        _get("/kernelspecs/python3/nope.png", "/kernelspecs/python3/nope.png"),
    ],
    "kernels": [
        _get("/api/kernels", "/api/kernels"),
        Step("POST /api/kernels", "POST", "/api/kernels", body={}, capture={"kid": "id"}),
        _get("/api/kernels/<id>", "/api/kernels/{kid}"),
        _get("/api/resolvePath in kernel", "/api/resolvePath?path=nums.txt&kernel={kid}"),
        _get("/api/kernels/<id>/channels without upgrade", "/api/kernels/{kid}/channels"),
        Step("POST /api/kernels/<id>/interrupt", "POST", "/api/kernels/{kid}/interrupt", body=""),
        Step("POST /api/kernels/<id>/restart", "POST", "/api/kernels/{kid}/restart", body=""),
        _get("/api/kernels/<unknown>", f"/api/kernels/{UNKNOWN_ID}"),
        Step("POST /api/kernels unknown name", "POST", "/api/kernels", body={"name": "nokern"}),
        Step("POST /api/kernels not json", "POST", "/api/kernels", body="{nope"),
        Step("DELETE /api/kernels/<id>", "DELETE", "/api/kernels/{kid}"),
        Step("DELETE /api/kernels/<id> again", "DELETE", "/api/kernels/{kid}"),
    ],
    "sessions": [
        _get("/api/sessions", "/api/sessions"),
        Step("POST /api/sessions", "POST", "/api/sessions", capture={"sid": "id"},
             body={"path": "n.ipynb", "name": "n.ipynb", "type": "notebook", "kernel": {"name": "python3"}}),
        _get("/api/sessions/<id>", "/api/sessions/{sid}"),
        Step("PATCH /api/sessions/<id> path", "PATCH", "/api/sessions/{sid}", body={"path": "m.ipynb"}),
        Step("PATCH /api/sessions/<id> unknown kernel", "PATCH", "/api/sessions/{sid}", body={"kernel": {"name": "nokern"}}),
        Step("POST /api/sessions unknown kernel", "POST", "/api/sessions",
             body={"path": "z.ipynb", "type": "notebook", "kernel": {"name": "nokern"}}),
        Step("POST /api/sessions no path", "POST", "/api/sessions", body={"type": "notebook"}),
        Step("DELETE /api/sessions/<id>", "DELETE", "/api/sessions/{sid}"),
        _get("/api/sessions/<unknown>", f"/api/sessions/{UNKNOWN_ID}"),
    ],
    "events": [
        Step("POST /api/events", "POST", "/api/events", body=EVENT),
        Step("POST /api/events version 2", "POST", "/api/events", body={**EVENT, "version": 2}),
        Step("POST /api/events unknown schema", "POST", "/api/events", body={**EVENT, "schema_id": "nope"}),
        Step("POST /api/events no body", "POST", "/api/events", body=""),
        _get("/api/events/subscribe without upgrade", "/api/events/subscribe"),
    ],
    "contents": [
        _get("/api/contents", "/api/contents"),
        _get("/api/contents/nums.txt", "/api/contents/nums.txt"),
        _get("/api/contents/n.ipynb", "/api/contents/n.ipynb"),
        _get("/api/contents/sub", "/api/contents/sub"),
        _get("/api/contents/nums.txt content=0 hash=1", "/api/contents/nums.txt?content=0&hash=1"),
        _get("/api/contents/nums.txt type=bogus", "/api/contents/nums.txt?type=bogus"),
        _get("/api/contents/sub type=file", "/api/contents/sub?type=file"),
        _get("/api/contents/bad.ipynb", "/api/contents/bad.ipynb"),
        _get("/api/contents/nope", "/api/contents/nope"),
        Step("PUT /api/contents/new.txt", "PUT", "/api/contents/new.txt", body={"type": "file", "format": "text", "content": "x"}),
        Step("PUT /api/contents/new.txt again", "PUT", "/api/contents/new.txt", body={"type": "file", "format": "text", "content": "y"}),
        Step("PUT /api/contents/.hidden.txt", "PUT", "/api/contents/.hidden.txt", body={"type": "file", "format": "text", "content": "x"}),
        Step("PUT /api/contents/new.txt not json", "PUT", "/api/contents/new.txt", body="{nope"),
        Step("POST /api/contents/sub untitled", "POST", "/api/contents/sub", body={"type": "notebook"}),
        Step("POST /api/contents/sub copy", "POST", "/api/contents/sub", body={"copy_from": "nums.txt"}),
        Step("PATCH /api/contents/old.txt", "PATCH", "/api/contents/old.txt", body={"path": "renamed.txt"}),
        Step("POST /api/contents/n.ipynb/checkpoints", "POST", "/api/contents/n.ipynb/checkpoints", body="",
             capture={"cp": "id"}),
        _get("/api/contents/n.ipynb/checkpoints", "/api/contents/n.ipynb/checkpoints"),
        Step("POST restore checkpoint", "POST", "/api/contents/n.ipynb/checkpoints/{cp}", body=""),
        Step("DELETE checkpoint", "DELETE", "/api/contents/n.ipynb/checkpoints/{cp}"),
        Step("POST /api/contents/n.ipynb/trust", "POST", "/api/contents/n.ipynb/trust", body=""),
        Step("DELETE /api/contents/new.txt", "DELETE", "/api/contents/new.txt"),
        Step("DELETE /api/contents/full (not empty)", "DELETE", "/api/contents/full"),
        Step("DELETE /api/contents/emptydir", "DELETE", "/api/contents/emptydir"),
        Step("DELETE /api/contents/nope", "DELETE", "/api/contents/nope"),
        Step("POST /api/contents nested body", "POST", "/api/contents", body="[" * 50_000 + "]" * 50_000),
    ],
    "files and view": [
        _get("/files/nums.txt", "/files/nums.txt"),
        _get("/files/nums.txt range", "/files/nums.txt", headers={"Range": "bytes=0-9"}),
        _get("/files/nums.txt suffix range", "/files/nums.txt", headers={"Range": "bytes=-5"}),
        _get("/files/nums.txt open range", "/files/nums.txt", headers={"Range": "bytes=3890-"}),
        _get("/files/nums.txt unsatisfiable range", "/files/nums.txt", headers={"Range": "bytes=5000-6000"}),
        _get("/files/nums.txt two ranges", "/files/nums.txt", headers={"Range": "bytes=0-1,5-6"}),
        Step("HEAD /files/nums.txt", "HEAD", "/files/nums.txt"),
        _get("/files/nums.txt download", "/files/nums.txt?download=1"),
        _get("/files/n.ipynb", "/files/n.ipynb"),
        _get("/files/page.html", "/files/page.html"),
        _get("/files/sub", "/files/sub"),
        _get("/files/", "/files/"),
        _get("/files/nope.txt", "/files/nope.txt"),
        _get("/files/nums.txt cross-site cookie", "/files/nums.txt", auth=False,
             headers={"Referer": "http://evil.example/"}),
        _get("/view/page.html", "/view/page.html"),
        _get("/view/nope.html", "/view/nope.html"),
        _get("/view/sub", "/view/sub"),
    ],
    "terminals": [
        _get("/api/terminals", "/api/terminals"),
        Step("POST /api/terminals", "POST", "/api/terminals", body={}, capture={"term": "name"}),
        _get("/api/terminals/<name>", "/api/terminals/{term}"),
        _get("/terminals/websocket/<name> without upgrade", "/terminals/websocket/{term}"),
        Step("DELETE /api/terminals/<name>", "DELETE", "/api/terminals/{term}"),
        _get("/api/terminals/<unknown>", "/api/terminals/nope"),
    ],
    "nbconvert": [
        _get("/nbconvert/html/n.ipynb", "/nbconvert/html/n.ipynb"),
        _get("/nbconvert/python/n.ipynb download", "/nbconvert/python/n.ipynb?download=true"),
        _get("/nbconvert/html/nums.txt", "/nbconvert/html/nums.txt"),
        _get("/nbconvert/html/missing.ipynb", "/nbconvert/html/missing.ipynb"),
        _get("/nbconvert/nope/n.ipynb", "/nbconvert/nope/n.ipynb"),
        Step("POST /nbconvert/markdown", "POST", "/nbconvert/markdown", body={"name": "x.ipynb", "content": NOTEBOOK}),
        Step("POST /nbconvert/markdown not json", "POST", "/nbconvert/markdown", body="{nope"),
    ],
    # Last: it stops both servers.
    "shutdown": [
        Step("POST /api/shutdown no auth", "POST", "/api/shutdown", body="", auth=False),
        Step("POST /api/shutdown", "POST", "/api/shutdown", body=""),
    ],
}

_JSON_404 = ("Unknown URLs under /api answer a JSON error like every other API error, so a client "
             "always gets {message, reason}; jupyter_server renders its HTML 404 page there.")
_4XX_NOT_500 = "jupyter_server fails with a 500 (an unhandled exception); ours names the client's mistake."
_PAGE = ("Our error pages and login page are small self-contained HTML, without jupyter_server's "
         "template (different fields are not JSON, only the page differs).")

DELIBERATE: dict[tuple[str, str], str] = {
    ("/api/unknown", "content-type"): _JSON_404,
    ("/api/contents/nope", "fields"): (
        "jupyter_server answers this 404 with a bare text body under a JSON content type; ours "
        "sends the JSON error object {message, reason} its content type promises."),
    ("POST /api/kernels unknown name", "status"): _4XX_NOT_500 + " (400: no such kernel spec)",
    ("POST /api/kernels unknown name", "fields"): _4XX_NOT_500 + " (without the traceback field)",
    ("/nbconvert/nope/n.ipynb", "status"): _4XX_NOT_500 + " (404: unknown export format)",
    ("/login next with CRLF", "status"): _4XX_NOT_500 + " (400: a line break in next= would split the Location header)",
    ("/nbconvert/html/nums.txt", "status"): (
        "A path that is no notebook redirects to /files/ (a folder to /tree/), what jupyter_server "
        "means to do; 2.21.1 never awaits that redirect and sends an empty 200."),
    ("POST /api/contents/n.ipynb/trust", "header:Content-Security-Policy"): (
        "Trusting a notebook is an API call here like the rest of /api/contents, with the API's "
        "stricter policy (default-src 'none'); its answer is empty either way."),
    ("POST /nbconvert/markdown not json", "content-type"): (
        "POST /nbconvert/<format> is called by scripts with a JSON body: its errors are JSON "
        "{message, reason} like the API's, not an HTML page."),
    ("/api/spec.yaml", "header:Content-Security-Policy"): (
        "The document is generated from the loaded wheels and served as API output, with the API's "
        "stricter policy (default-src 'none'); jupyter_server serves a static file."),
    ("/api/spec.yaml", "header:Accept-Ranges"): (
        "Generated per request rather than read from a static file, so it is not served in ranges."),
}
