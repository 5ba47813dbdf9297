"""JupyterLab 4 and Notebook 7, unmodified, on our server: real installs, real HTTP.

The venv (conftest.py) holds our full install plus ``pip install jupyterlab notebook``; each
module-scoped server below is a ``jupyter lab`` / ``jupyter notebook`` subprocess of it, with
its user folders in a temporary home. What a browser asks first is asked here: the pages
with the token, their scripts, JupyterLab's settings/workspaces/translations APIs, the
server APIs the frontends poll, and the events WebSocket JupyterLab subscribes to.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from jupyter_server_core.pytest_plugin import ServerProcess, free_port
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

TOKEN = "frontends-token-7c1d"
UPSTREAM_TWINS = ("jupyter-server", "jupyter-server-terminals", "notebook-shim")

pytestmark = pytest.mark.timeout(900)  # the first session builds the venv


class Frontend:
    """A running ``jupyter <command>`` of the venv, and plain HTTP to it."""

    def __init__(self, process: ServerProcess) -> None:
        self.process = process
        self.url = process.url

    def get(self, path: str, token: bool = True, method: str = "GET", body: Any = None) -> tuple[int, dict[str, str], bytes]:
        """``(status, headers, body)``; redirects are not followed, errors are returned."""
        headers = {"Authorization": f"token {TOKEN}"} if token else {}
        data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: Any, **kwargs: Any) -> None:
                return None

        opener = urllib.request.build_opener(NoRedirect)
        request = urllib.request.Request(self.url + path.lstrip("/"), data=data, method=method, headers=headers)
        try:
            with opener.open(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def ok(self, path: str, status: int = 200, **kwargs: Any) -> bytes:
        got, _, body = self.get(path, **kwargs)
        assert got == status, f"{path}: {got} {body[:300]!r}\n--- server log ---\n{self.process.log()[-4000:]}"
        return body

    def json(self, path: str, **kwargs: Any) -> Any:
        return json.loads(self.ok(path, **kwargs))


def page_config(html: bytes) -> dict[str, Any]:
    match = re.search(rb'<script id="jupyter-config-data" type="application/json">(.*?)</script>', html, re.S)
    assert match, html[:500]
    return json.loads(match.group(1))


def scripts(html: bytes) -> list[str]:
    return [s.decode() for s in re.findall(rb'<script[^>]* src="([^"]+)"', html)]


def installed(venv: Path) -> dict[str, str]:
    out = subprocess.run([venv / "bin" / "python", "-m", "pip", "list", "--format=json", "--disable-pip-version-check"],
                         capture_output=True, text=True, check=True).stdout
    return {re.sub(r"[-_.]+", "-", p["name"]).lower(): p["version"] for p in json.loads(out)}


def start_frontend(venv: Path, home: Path, command: str, base_url: str = "/") -> ServerProcess:
    root = home / "root_dir"
    root.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "PYTHON", "IPYTHON", "VIRTUAL_ENV"))}
    env.update({
        "PATH": f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}", "VIRTUAL_ENV": str(venv), "HOME": str(home),
        "JUPYTER_CONFIG_DIR": str(home / ".jupyter"), "JUPYTER_DATA_DIR": str(home / ".local" / "share" / "jupyter"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "IPYTHONDIR": str(home / ".ipython"),
    })
    argv = [str(venv / "bin" / "jupyter"), command, "--allow-root", "--no-browser", f"--port={port}",
            "--ip=127.0.0.1", "--ServerApp.port_retries=0", f"--IdentityProvider.token={TOKEN}",
            f"--ServerApp.base_url={base_url}"]
    process = ServerProcess(argv, env, root, port, TOKEN, home / f"{command}.log")
    process.url = f"http://127.0.0.1:{port}{base_url}"
    try:
        process.wait_ready()
    except Exception:
        process.stop()
        raise
    return process


@pytest.fixture(scope="module")
def lab(frontends_venv: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Frontend]:
    process = start_frontend(frontends_venv, tmp_path_factory.mktemp("lab-home"), "lab")
    yield Frontend(process)
    assert process.stop() in (0, -15), process.log()


@pytest.fixture(scope="module")
def notebook(frontends_venv: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Frontend]:
    # Under a base URL: every URL the pages name must carry it.
    process = start_frontend(frontends_venv, tmp_path_factory.mktemp("nb-home"), "notebook", base_url="/nb/")
    yield Frontend(process)
    assert process.stop() in (0, -15), process.log()


# -- the install -------------------------------------------------------------------------


def test_the_one_command_adds_the_frontends_and_no_upstream_twin(frontends_venv: Path) -> None:
    import jupyter_server

    packages = installed(frontends_venv)
    assert "jupyterlab" in packages and "notebook" in packages
    ours = jupyter_server.__version__
    assert packages["jupyter-server"] == ours, "upstream jupyter_server took our place"
    assert packages["jupyter-server-terminals"] == ours, "upstream jupyter_server_terminals took our place"
    assert packages["notebook-shim"].startswith("0.2.") and packages["notebook-shim"].endswith(ours.split(".")[1]), (
        f"notebook-shim {packages['notebook-shim']} is not ours"
    )
    assert packages["jupyter-server-core"] == ours
    # The import packages are ours too: the meta-package's compatibility layer, our shim.
    probe = ("import jupyter_server.serverapp as s, jupyter_server_core, notebook_shim.shim, jupyter_server_terminals;"
             "print(s.ServerApp.__module__, jupyter_server_terminals.TerminalManager.__module__)")
    out = subprocess.run([frontends_venv / "bin" / "python", "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["jupyter_server_core._serverapp", "jupyter_server_terminals._manager"]
    check = subprocess.run([frontends_venv / "bin" / "python", "-m", "pip", "check", "--disable-pip-version-check"],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


# -- JupyterLab --------------------------------------------------------------------------


def test_lab_page_with_the_token_and_its_page_config(lab: Frontend) -> None:
    html = lab.ok("lab")
    config = page_config(html)
    assert config["token"] == TOKEN
    assert config["baseUrl"] == "/"
    assert config["appUrl"] == "/lab"
    assert config["fullStaticUrl"] == "/static/lab"
    assert config["terminalsAvailable"] is True
    assert json.loads(config["notebookVersion"])[0] == 2
    assert config["mode"] == "multiple-document" and config["workspace"] == "default"
    assert {e["name"] for e in config["federated_extensions"]} >= {"@jupyter-notebook/lab-extension"}
    tree = page_config(lab.ok("lab/tree/folder/x.ipynb"))
    assert tree["treePath"] == "folder/x.ipynb"


def test_lab_scripts_extensions_and_theme_are_served(lab: Frontend) -> None:
    html = lab.ok("lab")
    found = scripts(html)
    assert found, html[:500]
    for src in found:
        status, headers, body = lab.get(src, token=False)
        assert status == 200 and "javascript" in headers["Content-Type"] and body, src
    for extension in page_config(html)["federated_extensions"]:
        url = f"lab/extensions/{extension['name']}/{extension['load']}"
        status, headers, _ = lab.get(url, token=False)
        assert status == 200 and "javascript" in headers["Content-Type"], url
    css = lab.ok("lab/api/themes/@jupyterlab/theme-light-extension/index.css")
    assert b"--jp-" in css


def test_pages_ask_for_a_login_without_the_token_and_root_goes_to_lab(lab: Frontend) -> None:
    status, headers, _ = lab.get("lab", token=False)
    assert status == 302 and headers["Location"] == "/login?next=%2Flab"
    status, headers, _ = lab.get("", token=False)
    assert status == 302 and headers["Location"] == "/lab"
    assert lab.get("lab/api/settings", token=False)[0] == 403


def test_lab_settings_workspaces_and_translations(lab: Frontend) -> None:
    settings = lab.json("lab/api/settings")["settings"]
    assert "@jupyterlab/apputils-extension:themes" in {s["id"] for s in settings}
    raw = json.dumps({"theme": "JupyterLab Dark"})
    lab.ok("lab/api/settings/@jupyterlab/apputils-extension:themes", status=204, method="PUT", body={"raw": raw})
    theme = lab.json("lab/api/settings/@jupyterlab/apputils-extension:themes")
    assert theme["raw"] == raw and theme["settings"]["theme"] == "JupyterLab Dark"

    assert lab.json("lab/api/workspaces") == {"workspaces": {"ids": [], "values": []}}
    space = {"data": {"layout-restorer:data": {}}, "metadata": {"id": "mine"}}
    lab.ok("lab/api/workspaces/mine", status=204, method="PUT", body=space)
    assert lab.json("lab/api/workspaces")["workspaces"]["ids"] == ["mine"]
    assert lab.json("lab/api/translations")["data"]["en"]["displayName"] == "English"
    assert "lockRules" in lab.json("lab/api/plugins")
    assert lab.json("lsp/status")["version"] == 2


def test_server_apis_jupyterlab_polls(lab: Frontend) -> None:
    assert "python3" in lab.json("api/kernelspecs")["kernelspecs"]
    assert lab.json("api/contents")["type"] == "directory"
    assert lab.json("api/sessions") == []
    assert isinstance(lab.json("api/terminals"), list)
    me = lab.json("api/me?permissions=" + quote(json.dumps({"contents": ["read", "write"]})))
    assert me["identity"]["username"] and me["permissions"]["contents"] == ["read", "write"]
    assert lab.json("api/status")["started"]


def test_a_session_with_a_kernel_and_a_terminal_start_and_end(lab: Frontend) -> None:
    model = {"path": "s.ipynb", "type": "notebook", "name": "", "kernel": {"name": "python3"}}
    session = lab.json("api/sessions", status=201, method="POST", body=model)
    assert session["kernel"]["name"] == "python3"
    lab.ok(f"api/sessions/{session['id']}", status=204, method="DELETE")
    terminal = lab.json("api/terminals", method="POST", body={})
    lab.ok(f"api/terminals/{terminal['name']}", status=204, method="DELETE")


async def test_events_subscribe_gets_a_contents_event(lab: Frontend) -> None:
    url = lab.url.replace("http://", "ws://", 1) + "api/events/subscribe"
    ws = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {TOKEN}"}))
    try:
        created = await asyncio.to_thread(lab.json, "api/contents", status=201, method="POST", body={"type": "notebook"})
        event = json.loads(await asyncio.wait_for(ws.read_message(), 30))
        assert event["schema_id"] == "https://events.jupyter.org/jupyter_server/contents_service/v1"
        assert event["path"] == created["path"]
    finally:
        ws.close()


# -- Notebook 7 --------------------------------------------------------------------------


def test_notebook_tree_page_with_the_token_and_its_scripts(notebook: Frontend) -> None:
    html = notebook.ok("tree")
    config = page_config(html)
    assert config["token"] == TOKEN
    assert config["fullStaticUrl"] == "/nb/static/notebook" and config["baseUrl"] == "/nb/"
    assert config["terminalsAvailable"] is True
    found = scripts(html)
    assert found
    for src in found:
        assert src.startswith("/nb/static/notebook/"), src
        status, headers, _ = notebook.get(src[len("/nb/"):], token=False)
        assert status == 200 and "javascript" in headers["Content-Type"], src


def test_notebook_pages_and_root(notebook: Frontend) -> None:
    for page in ("notebooks/Untitled.ipynb", "edit/a.py", "consoles/1", "terminals/1"):
        assert page_config(notebook.ok(page))["token"] == TOKEN, page
    assert b"custom" in notebook.ok("custom/custom.css").lower()
    status, headers, _ = notebook.get("", token=False)
    assert status == 302 and headers["Location"] == "/nb/tree"
    status, headers, _ = notebook.get("tree", token=False)
    assert status == 302 and headers["Location"] == "/nb/login?next=%2Fnb%2Ftree"


def test_jupyterlab_is_served_next_to_notebook(notebook: Frontend) -> None:
    """Notebook 7 registers /lab too; JupyterLab's handler must answer it (as upstream)."""
    config = page_config(notebook.ok("lab"))
    assert config["fullStaticUrl"] == "/nb/static/lab"
