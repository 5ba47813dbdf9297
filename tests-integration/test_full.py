"""``pip install jupyter-server``: every wheel, every service answering in one real server."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from _harness import TOKEN, UPSTREAM_TWINS, VERSION, Dist, Server, Venv, extension_rows, normalize, wheel_folders
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

META = "jupyter-server"
NOTEBOOK = {
    "cells": [{"cell_type": "markdown", "id": "c1", "metadata": {}, "source": "# Hello from integration"}],
    "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
}


def make_home(home: Path) -> Path:
    (home / "root_dir").mkdir(parents=True)
    (home / "root_dir" / "x.txt").write_text("hello")
    (home / "root_dir" / "nb.ipynb").write_text(json.dumps(NOTEBOOK))
    return home


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_home(tmp_path_factory.mktemp("full-home"))


@pytest.fixture(scope="module")
def server(full_venv: Venv, home: Path) -> Iterator[Server]:
    with full_venv.server(home) as running:
        yield running


def test_the_full_install_is_every_wheel_of_ours_and_no_upstream_twin(full_venv: Venv) -> None:
    installed = full_venv.installed()
    for folder in wheel_folders():
        assert installed.get(normalize(folder)) == VERSION, f"{folder}: {installed.get(normalize(folder))}"
    for twin in UPSTREAM_TWINS:
        assert installed[normalize(twin)] == VERSION
    assert "jupyter_server_fileid" not in installed and "jupyter_server_ydoc" not in installed
    full_venv.pip("check")
    shipped = {normalize(f) + ".json" for f in wheel_folders() if f != META}
    assert {p.name for p in full_venv.confd.iterdir()} == shipped


def test_extension_list_shows_every_wheel_enabled_and_valid(full_venv: Venv, home: Path) -> None:
    output = full_venv.jupyter(home, "server", "extension", "list").stdout
    rows = extension_rows(output)
    for folder in wheel_folders():
        if folder != META:
            assert rows.get(normalize(folder)) == ("enabled", "OK"), f"{folder}:\n{output}"
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
