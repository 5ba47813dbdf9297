"""``pip install jupyter-server``: every wheel, every service answering in one real server."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from _harness import (
    TOKEN,
    UPSTREAM_TWINS,
    Dist,
    Server,
    Venv,
    extension_rows,
    normalize,
    wheel_folders,
)
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

META = "jupyter-server"
EXTENSIONAPP = "jupyter-server-extensionapp"
EXAMPLE = "example_ext"  # the extension author guide's example, installed in full_venv
NOTEBOOK = {
    "cells": [{"cell_type": "markdown", "id": "c1", "metadata": {}, "source": "# Hello from integration"}],
    "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
}


def make_home(home: Path) -> Path:
    (home / "root_dir").mkdir(parents=True)
    (home / "root_dir" / "x.txt").write_text("hello")
    (home / "root_dir" / "nb.ipynb").write_text(json.dumps(NOTEBOOK))
    return home


def ours_and_example() -> list[str]:
    """The import names of the extensions a full install enables."""
    names = [normalize(f) for f in wheel_folders() if f != META]
    return names + [EXAMPLE] if EXTENSIONAPP in wheel_folders() else names


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = make_home(tmp_path_factory.mktemp("full-home"))
    # The example ExtensionApp reads its own config file, loaded by a server or launched.
    (home / ".jupyter").mkdir()
    (home / ".jupyter" / "jupyter_example_config.json").write_text('{"ExampleApp": {"greeting": "Bonjour"}}')
    return home


@pytest.fixture(scope="module")
def server(full_venv: Venv, home: Path) -> Iterator[Server]:
    with full_venv.server(home) as running:
        yield running


def test_the_full_install_is_every_wheel_of_ours_and_no_upstream_twin(dist: Dist, full_venv: Venv) -> None:
    installed = full_venv.installed()
    for folder in wheel_folders():
        assert installed.get(normalize(folder)) == dist.version(folder), f"{folder}: {installed.get(normalize(folder))}"
    for twin in UPSTREAM_TWINS:
        assert installed[normalize(twin)] == dist.version(twin)
    assert "jupyter_server_fileid" not in installed and "jupyter_server_ydoc" not in installed
    full_venv.pip("check")
    assert {p.name for p in full_venv.confd.iterdir()} == {f"{name}.json" for name in ours_and_example()}


def test_extension_list_shows_every_wheel_enabled_and_valid(full_venv: Venv, home: Path) -> None:
    output = full_venv.jupyter(home, "server", "extension", "list").stdout
    rows = extension_rows(output)
    for name in ours_and_example():
        assert rows.get(name) == ("enabled", "OK"), f"{name}:\n{output}"
    assert "INVALID" not in output, output


def test_core_services_answer(server: Server) -> None:
    assert server.ok("GET", "api/kernelspecs")["default"] == "python3"
    assert server.ok("GET", "api/kernels") == []
    assert server.ok("GET", "api/sessions") == []
    assert set(server.ok("GET", "api/status")) >= {"started", "kernels"}


def test_contents_and_files_answer(dist: Dist, server: Server) -> None:
    dist.require("jupyter-server-contents")
    names = {item["name"] for item in server.ok("GET", "api/contents")["content"]}
    assert names == {"x.txt", "nb.ipynb"}
    assert server.ok("GET", "api/contents/nb.ipynb")["type"] == "notebook"
    assert server.ok("GET", "files/x.txt") == "hello"


def test_nbconvert_answers(dist: Dist, server: Server) -> None:
    dist.require("jupyter-server-nbconvert")
    formats = server.ok("GET", "api/nbconvert")
    assert "html" in formats and "output_mimetype" in formats["html"]
    html = server.ok("GET", "nbconvert/html/nb.ipynb")
    assert "Hello from integration" in html


async def test_a_terminal_runs_a_shell_command(dist: Dist, server: Server) -> None:
    dist.require("jupyter-server-terminals")
    name = server.ok("POST", "api/terminals")["name"]
    try:
        assert name in [t["name"] for t in server.ok("GET", "api/terminals")]
        url = server.url.replace("http://", "ws://", 1) + f"terminals/websocket/{name}"
        ws = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {TOKEN}"}))
        ws.write_message(json.dumps(["stdin", "echo integration-$((6*7))\r"]))

        async def read_until_answer() -> None:
            seen = ""
            while "integration-42" not in seen:
                raw = await ws.read_message()
                assert raw is not None, f"the terminal closed; it printed {seen!r}"
                kind, *payload = json.loads(raw)
                if kind == "stdout":
                    seen += payload[0]

        try:
            await asyncio.wait_for(read_until_answer(), 30)
        finally:
            ws.close()
    finally:
        server.ok("DELETE", f"api/terminals/{name}", status=204)
    assert server.status(f"api/terminals/{name}") == 404


def test_a_classic_notebook_config_still_applies(dist: Dist, full_venv: Venv, tmp_path: Path) -> None:
    """notebook-shim: ``c.NotebookApp.base_url`` in jupyter_notebook_config.py moves the server."""
    dist.require("notebook-shim")
    home = make_home(tmp_path / "home")
    (home / ".jupyter").mkdir()
    (home / ".jupyter" / "jupyter_notebook_config.py").write_text('c.NotebookApp.base_url = "/classic/"\n')
    with full_venv.server(home, base_url="/classic/") as server:
        assert server.ok("GET", "api/kernelspecs")["default"] == "python3"
        root = Server(server.process, url=server.url.replace("/classic/", "/", 1))
        assert root.status("api/kernelspecs") == 404
        assert "ServerApp.base_url" in server.log(), "no warning names the new spelling"
        if EXTENSIONAPP in wheel_folders():  # an extension's routes follow the classic base_url
            assert server.ok("GET", "example/api/greeting")["greeting"] == "Hello, world!"


def test_jupyter_server_migrate_rewrites_a_classic_config(dist: Dist, full_venv: Venv, tmp_path: Path) -> None:
    """``jupyter server migrate`` writes server config; the classic file can then go."""
    dist.require("notebook-shim")
    home = make_home(tmp_path / "home")
    classic = home / ".jupyter" / "jupyter_notebook_config.py"
    classic.parent.mkdir()
    classic.write_text('c.NotebookApp.base_url = "/migrated/"\n')
    full_venv.jupyter(home, "server", "migrate")
    classic.unlink()
    assert list(classic.parent.glob("jupyter_server_config.*")), "migrate wrote no server config"
    with full_venv.server(home, base_url="/migrated/") as server:
        assert server.ok("GET", "api/kernelspecs")["default"] == "python3"
        assert "NotebookApp" not in server.log()


def test_an_extension_app_serves_its_page_config_and_static_files(dist: Dist, server: Server) -> None:
    dist.require(EXTENSIONAPP)
    answer = server.ok("GET", "example/api/greeting?who=Ada")
    assert answer == {"greeting": "Bonjour, Ada!", "extension": "example"}
    page = server.ok("GET", "example")
    assert '<h1 class="greeting">Bonjour</h1>' in page
    css = re.search(r'href="/(static/example/example\.css[^"]*)"', page)
    assert css, page
    assert ".greeting" in server.ok("GET", css.group(1))
    assert server.status("static/example/nothing.css") == 404


def test_an_extension_app_launches_as_jupyter_name(dist: Dist, full_venv: Venv, home: Path) -> None:
    dist.require(EXTENSIONAPP)
    with full_venv.server(home, command="example") as app:
        assert '<h1 class="greeting">Bonjour</h1>' in app.ok("GET", ""), "/ must lead to the app's page"
        assert app.ok("GET", "api/terminals") == [], "the other enabled extensions load too"
