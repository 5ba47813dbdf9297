"""Fixtures of the notebook-shim tests: classic config folders, a self-signed certificate,
and real ``jupyter server`` subprocesses started from classic config alone."""

from __future__ import annotations

import http.cookiejar
import json
import logging
import os
import ssl
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from jupyter_server_core.pytest_plugin import ServerProcess, free_port, self_signed_cert


@pytest.fixture
def jp_extensions() -> dict[str, bool]:
    return {"notebook_shim": True}


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def server_warnings() -> list[str]:
    """Warnings the in-process server logs (its logger does not propagate to caplog)."""
    return []


@pytest.fixture
def jp_server_config(server_warnings: list[str]) -> dict[str, Any]:
    """Route the server's warnings into ``server_warnings`` through its logging_config."""

    def factory() -> logging.Handler:
        handler = _Records()
        handler.messages = server_warnings
        return handler

    return {"ServerApp": {"logging_config": {
        "handlers": {"shim_tests": {"()": factory}},
        "loggers": {"ServerApp": {"handlers": ["console", "shim_tests"]}},
    }}}


@pytest.fixture
def levels(jp_environ: dict[str, Path]) -> dict[str, Path]:
    """The three config folders the in-process server reads: user, sys-prefix, system."""
    return {"user": jp_environ["config"], "sys-prefix": jp_environ["env_config"], "system": jp_environ["system_config"]}


@pytest.fixture
def write_json() -> Callable[[Path, dict[str, Any]], Path]:
    """``write_json(path, data)``: a config file, its folder created."""

    def write(path: Path, data: dict[str, Any]) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data), encoding="utf-8")
        return path

    return write


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def self_signed(tmp_path: Path) -> tuple[Path, Path]:
    """A certificate and key for 127.0.0.1 and localhost, generated for this test."""
    return self_signed_cert(tmp_path)


class Server(ServerProcess):
    """A ``jupyter server`` subprocess whose port, scheme and base URL come from its config."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path, log_path: Path,
                 url: str, cafile: Path | None, token: str) -> None:
        super().__init__(argv, env, cwd, 0, token, log_path)  # the token must never be logged
        self.url = url
        self.context = ssl.create_default_context(cafile=str(cafile)) if cafile else None
        self.cookies = http.cookiejar.CookieJar()
        handlers: list[Any] = [urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect()]
        if self.context:
            handlers.append(urllib.request.HTTPSHandler(context=self.context))
        self.opener = urllib.request.build_opener(*handlers)

    def request(self, path: str, token: str | None = None, data: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes, Any]:
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = f"token {token}"
        req = urllib.request.Request(self.url + path, data=data, headers=all_headers)
        try:
            with self.opener.open(req, timeout=10) as r:
                return r.status, r.read(), r.headers
        except urllib.error.HTTPError as e:
            return e.code, e.read(), e.headers

    def answers(self) -> bool:
        return self.request("api")[0] == 200


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@pytest.fixture
def classic_server(tmp_path: Path, jp_environ: dict[str, Path]) -> Iterator[Callable[..., Server]]:
    """``start(url, *args, token=, cafile=None)``: a real server with no --port/--ip/--allow-root of
    its own, so everything it listens on comes from the config folders of ``jp_environ``."""
    started: list[Server] = []

    def start(url: str, *args: str, token: str, cafile: Path | None = None,
              env: dict[str, str] | None = None) -> Server:
        full_env = {k: v for k, v in os.environ.items() if k not in ("JUPYTER_TOKEN", "JUPYTER_PORT")}
        full_env.update(env or {})
        argv = [sys.executable, "-m", "jupyter_server_core", "--no-browser", *args]
        server = Server(argv, full_env, tmp_path, tmp_path / f"server-{len(started)}.log", url, cafile, token)
        started.append(server)
        server.wait_ready()
        return server

    yield start
    for server in started:
        server.stop()

