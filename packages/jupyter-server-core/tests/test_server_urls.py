"""The URLs a ServerApp gives out (wildcard addresses named by this machine's host name),
its runtime files, and the jupyter_server 2.x binding steps, on real sockets."""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import socket
from pathlib import Path
from typing import Any

import pytest
from jupyter_server_core import ServerApp, list_running_servers
from jupyter_server_core._subcommands import ListApp
from tornado import httpserver, web


@pytest.fixture
def app_with(jp_environ: dict[str, Path], tmp_path: Path) -> Any:
    """``app_with(**traits)``: a ServerApp with its identity provider made (no sockets)."""

    def make(**traits: Any) -> ServerApp:
        ServerApp.clear_instance()
        app = ServerApp.instance(root_dir=str(tmp_path), **traits)
        app.log.propagate = True  # caplog reads the root logger
        app.init_configurables()
        return app

    yield make
    ServerApp.clear_instance()


@pytest.mark.parametrize("ip", ["0.0.0.0", "::"])
def test_wildcard_addresses_are_named_by_host_name(app_with: Any, ip: str) -> None:
    app = app_with(ip=ip, port=8123)
    token = app.identity_provider.token
    host = socket.gethostname()
    assert app.connection_url == f"http://{host}:8123/"
    loopback = "[::1]" if ip == "::" else "127.0.0.1"
    lines = app.connect_url.splitlines()
    assert lines[0] == f"http://{host}:8123/?token={token}"
    assert lines[1].strip() == f"http://{loopback}:8123/?token={token}"
    assert len(lines) == 3  # and a note that any name of the machine works
    assert ip not in app.connect_url.replace("[::1]", "")
    assert app.browser_url == f"http://{host}:8123/?token={token}"


def test_specific_address_and_default_interface(app_with: Any) -> None:
    app = app_with(ip="127.0.0.1", port=8124, default_url="/lab")
    assert app.connect_url == f"http://127.0.0.1:8124/lab?token={app.identity_provider.token}"
    app = app_with(ip="", port=8125)
    assert app.connection_url == "http://localhost:8125/"
    assert app.display_urls[0].startswith("http://localhost:8125/?token=")


def test_a_chosen_token_is_not_repeated_in_urls(app_with: Any) -> None:
    # ServerApp(token=...) (deprecated spelling, set on the instance) reaches the provider.
    app = app_with(token="chosen-token", port=8126, base_url="/base/", default_url="/tree")
    assert app.identity_provider.token == "chosen-token"
    assert app.public_url == "http://localhost:8126/base/tree?token=..."
    assert "chosen-token" in app.browser_url  # the browser needs the real one


def test_unix_socket_urls(app_with: Any, tmp_path: Path) -> None:
    sock = str(tmp_path / "jp.sock")
    app = app_with(sock=sock)
    quoted = sock.replace("/", "%2F")
    assert app.connection_url == f"http+unix://{quoted}/"
    assert app.connect_url == f"http+unix://{quoted}/?token={app.identity_provider.token}"


def test_info_file_and_list(app_with: Any, capsys: pytest.CaptureFixture[str]) -> None:
    app = app_with(port=8127)
    app.write_server_info_file()
    servers = list(list_running_servers(app.runtime_dir))
    assert [s["url"] for s in servers] == [app.connection_url]
    assert Path(app.info_file).is_file()

    listing = ListApp(parent=app)
    listing.jsonlist = True
    listing.start()
    assert [s["port"] for s in json.loads(capsys.readouterr().out)] == [8127]

    assert "0 active kernels" in app.running_server_info(kernel_count=True)
    app.remove_server_info_file()
    app.remove_server_info_file()  # already gone: no error
    assert list(list_running_servers(app.runtime_dir)) == []


def test_post_start_writes_the_browser_file_and_says_where(
    app_with: Any, caplog: pytest.LogCaptureFixture
) -> None:
    app = app_with(port=8128, ip="0.0.0.0")
    caplog.set_level(logging.INFO)
    asyncio.run(app._post_start())
    page = Path(app.browser_open_file).read_text(encoding="utf-8")
    assert f"http://{socket.gethostname()}:8128/" in page and "0.0.0.0" not in page
    banner = [r.getMessage() for r in caplog.records if r.levelno == logging.CRITICAL]
    assert any(app.connect_url in line and "file://" in line for line in banner)

    quiet = app_with(port=8129, no_browser_open_file=True)
    Path(quiet.browser_open_file).unlink()
    asyncio.run(quiet._post_start())
    assert not Path(quiet.browser_open_file).exists()


def test_legacy_binding_steps(app_with: Any, caplog: pytest.LogCaptureFixture) -> None:
    app = app_with(port=0, port_retries=0, ip="127.0.0.1")
    app._find_http_port()
    assert app.port != 0
    app.http_server = httpserver.HTTPServer(web.Application())
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        app.port = taken.getsockname()[1]
        with caplog.at_level(logging.WARNING):
            assert app._bind_http_server_tcp() is False
        assert any("already in use" in r.getMessage() for r in caplog.records)
        with pytest.raises(SystemExit):
            app._bind_http_server()
    app.port = 0
    app._find_http_port()
    assert app._bind_http_server_tcp() is True
    with socket.create_connection(("127.0.0.1", app.port)):
        pass  # it listens
    app.http_server.stop()


def test_legacy_binding_reraises_other_errors(app_with: Any) -> None:
    app = app_with(port=1, ip="203.0.113.1")  # TEST-NET-3: never an address of this machine
    app.http_server = httpserver.HTTPServer(web.Application())
    with pytest.raises(OSError) as raised:
        app._bind_http_server_tcp()
    assert raised.value.errno not in (errno.EADDRINUSE, errno.EACCES)
