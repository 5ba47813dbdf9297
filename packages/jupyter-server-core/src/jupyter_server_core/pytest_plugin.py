"""Shared pytest fixtures for every wheel's tests and for extension authors.

Enable with ``-p jupyter_server_core.pytest_plugin`` (the repository's pytest config does)
or ``pytest_plugins = ["jupyter_server_core.pytest_plugin"]``. Fixture names follow
jupyter_server's plugin (``jp_serverapp``, ``jp_fetch``, ``jp_ws_fetch``...) so extension
test suites port with few changes.

Every test gets isolated Jupyter folders: config, data and runtime dirs in tmp_path, and the
environment/system config paths pointed there too, so only the extensions a test enables
through ``jp_server_config`` are loaded.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from tornado.httpclient import AsyncHTTPClient, HTTPRequest, HTTPResponse
from tornado.websocket import WebSocketClientConnection, websocket_connect
from traitlets.config import Config

from ._urls import url_path_join

TEST_TOKEN = "test-token-0123456789abcdef"


async def wait_for(predicate: Callable[[], Awaitable[Any]], timeout: float = 30.0, interval: float = 0.05) -> Any:
    """Poll an async predicate until it returns something truthy (and return that);
    fail the test after ``timeout`` seconds."""
    import asyncio

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = await predicate()
        if result:
            return result
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")


@pytest.fixture
def jp_environ(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Point every Jupyter folder (user, env, system) into tmp_path."""
    import jupyter_core.paths as paths

    dirs = {
        name: tmp_path / name
        for name in ("home", "config", "data", "runtime", "env_config", "system_config", "env_data", "system_data")
    }
    for directory in dirs.values():
        directory.mkdir()
    monkeypatch.setenv("HOME", str(dirs["home"]))
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(dirs["config"]))
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(dirs["data"]))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(dirs["runtime"]))
    monkeypatch.delenv("JUPYTER_CONFIG_PATH", raising=False)
    monkeypatch.delenv("JUPYTER_PATH", raising=False)
    monkeypatch.delenv("JUPYTER_TOKEN", raising=False)
    monkeypatch.delenv("JUPYTER_PREFER_ENV_PATH", raising=False)
    monkeypatch.setattr(paths, "ENV_CONFIG_PATH", [str(dirs["env_config"])])
    monkeypatch.setattr(paths, "SYSTEM_CONFIG_PATH", [str(dirs["system_config"])])
    monkeypatch.setattr(paths, "ENV_JUPYTER_PATH", [str(dirs["env_data"])])
    monkeypatch.setattr(paths, "SYSTEM_JUPYTER_PATH", [str(dirs["system_data"])])
    # Our own tests decide what loads through manifests and config alone: the built-in
    # extensions installed in the dev environment (docs/architecture.md) do not count here.
    from .extensions import _confd

    monkeypatch.setattr(_confd, "builtin_extensions", list)
    return dirs


@pytest.fixture
def jp_root_dir(tmp_path: Path) -> Path:
    """The server's root_dir."""
    root = tmp_path / "root_dir"
    root.mkdir()
    return root


@pytest.fixture
def jp_base_url() -> str:
    return "/a%40b/"


@pytest.fixture
def jp_server_config() -> dict[str, Any]:
    """Override to add config; ``jpserver_extensions`` here decides what loads."""
    return {}


@pytest.fixture
def jp_extensions() -> dict[str, bool]:
    """Extensions to enable besides the core services; override in a wheel's conftest."""
    return {}


@pytest.fixture
def jp_argv() -> list[str]:
    return []


@pytest.fixture
def jp_token() -> str:
    return TEST_TOKEN


@pytest.fixture
async def jp_serverapp(
    jp_environ: dict[str, Path],
    jp_root_dir: Path,
    jp_base_url: str,
    jp_server_config: dict[str, Any],
    jp_extensions: dict[str, bool],
    jp_argv: list[str],
    jp_token: str,
) -> AsyncIterator[Any]:
    """A started ServerApp on a free port, in this test's event loop."""
    from ._serverapp import ServerApp

    config = Config(
        {
            "ServerApp": {
                "port": 0,
                "open_browser": False,
                "allow_root": True,
                "root_dir": str(jp_root_dir),
                "base_url": jp_base_url,
                "jpserver_extensions": {"jupyter_server_core": True, **jp_extensions},
            },
            "IdentityProvider": {"token": jp_token},
        }
    )
    config.merge(Config(jp_server_config))
    ServerApp.clear_instance()
    app = ServerApp.instance(config=config)
    app.initialize(argv=jp_argv)
    await app._start_serving()
    try:
        yield app
    finally:
        await app._stop_serving()
        ServerApp.clear_instance()


@pytest.fixture
def jp_http_port(jp_serverapp: Any) -> int:
    return int(jp_serverapp.port)


@pytest.fixture
def jp_auth_header(jp_token: str) -> dict[str, str]:
    return {"Authorization": f"token {jp_token}"}


@pytest.fixture
def jp_fetch(
    jp_serverapp: Any, jp_auth_header: dict[str, str]
) -> Callable[..., Awaitable[HTTPResponse]]:
    """``await jp_fetch("api", "kernels", method="POST", body="{}")``: a real HTTP request.

    Sends the token header unless ``headers`` carries an Authorization of its own. Raises
    tornado's HTTPClientError for an error status unless ``raise_error=False``.
    """
    client = AsyncHTTPClient()

    async def fetch_with_raise(*parts: str, raise_error: bool = True, **kwargs: Any) -> HTTPResponse:
        params = kwargs.pop("params", None)
        path = url_path_join(jp_serverapp.base_url, *parts)
        if params:
            path += "?" + urlencode(params)
        headers = dict(jp_auth_header)
        headers.update(kwargs.pop("headers", {}) or {})
        headers = {k: v for k, v in headers.items() if v is not None}
        method = kwargs.pop("method", "GET")
        body = kwargs.pop("body", None)
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        if body is None and method in ("POST", "PUT", "PATCH"):
            body = ""
        kwargs.setdefault("request_timeout", 60)
        request = HTTPRequest(
            f"http://localhost:{jp_serverapp.port}{path}",
            method=method, body=body, headers=headers,
            allow_nonstandard_methods=True, follow_redirects=False, **kwargs,
        )
        return await client.fetch(request, raise_error=raise_error)

    return fetch_with_raise


@pytest.fixture
def jp_ws_fetch(
    jp_serverapp: Any, jp_auth_header: dict[str, str]
) -> Callable[..., Awaitable[WebSocketClientConnection]]:
    """``await jp_ws_fetch("api", "kernels", kid, "channels", params={...})``: a real WebSocket."""

    async def connect(*parts: str, **kwargs: Any) -> WebSocketClientConnection:
        params = kwargs.pop("params", None)
        path = url_path_join(jp_serverapp.base_url, *parts)
        if params:
            path += "?" + urlencode(params)
        headers = dict(jp_auth_header)
        headers.update(kwargs.pop("headers", {}) or {})
        headers = {k: v for k, v in headers.items() if v is not None}
        # As generous as jp_fetch: on a loaded machine an upgrade can take more than
        # tornado's default 20 s (the first events subscriber imports jupyter_events).
        timeouts = {name: kwargs.pop(name, 60) for name in ("connect_timeout", "request_timeout")}
        request = HTTPRequest(f"ws://localhost:{jp_serverapp.port}{path}", headers=headers, **timeouts)
        return await websocket_connect(request, **kwargs)

    return connect


@pytest.fixture
async def jp_browser_headers(
    jp_fetch: Callable[..., Awaitable[HTTPResponse]], jp_token: str
) -> dict[str, str | None]:
    """Headers of a browser that logged in once with the token: the login and XSRF cookies
    and the ``X-XSRFToken`` header, no token. Pass them as ``headers=`` to ``jp_fetch`` or
    ``jp_ws_fetch`` to be held to what a browser is (Origin and XSRF checks), which a
    request carrying the token itself skips."""
    from http.cookies import SimpleCookie

    r = await jp_fetch("api", "status", params={"token": jp_token}, headers={"Authorization": None})
    jar: SimpleCookie = SimpleCookie()
    for header in r.headers.get_list("Set-Cookie"):
        jar.load(header)
    cookies = {name: morsel.value for name, morsel in jar.items()}
    return {
        "Authorization": None,
        "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
        "X-XSRFToken": cookies.get("_xsrf", ""),
    }


# -- real server subprocesses (tests-integration and CLI tests) ------------------------


def free_port() -> int:
    """A TCP port free right now on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def self_signed_cert(directory: Path) -> tuple[Path, Path]:
    """Write a fresh self-signed certificate for localhost and 127.0.0.1 and its key into
    ``directory``; return ``(certfile, keyfile)``. Needs the ``cryptography`` package."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .sign(key, hashes.SHA256())
    )
    certfile, keyfile = directory / "cert.pem", directory / "key.pem"
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    return certfile, keyfile


class InProcessGateway:
    """A second ServerApp of ours, in this process, serving as a kernel gateway.

    Behind the path prefix ``/<name>/`` (as behind a proxy), with its own token, root
    and runtime directory; kernels it starts are real ipykernel processes.
    """

    def __init__(self, root: Path, runtime: Path, token: str, name: str = "gw") -> None:
        from ._serverapp import ServerApp

        root.mkdir(exist_ok=True)
        runtime.mkdir(exist_ok=True)
        self.name = name
        config = Config({
            "ServerApp": {"port": 0, "ip": "127.0.0.1", "open_browser": False, "allow_root": True,
                          "root_dir": str(root), "base_url": f"/{name}/",
                          "jpserver_extensions": {"jupyter_server_core": True}},
            "IdentityProvider": {"token": token},
        })
        self.app = ServerApp(config=config)
        self.app.runtime_dir_override = str(runtime)  # the server under test writes its own info file
        self.running = False

    async def start(self) -> None:
        self.app.initialize(argv=[])
        await self.app._start_serving()
        self.running = True

    async def stop(self) -> None:
        if self.running:
            self.running = False
            await self.app._stop_serving()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.app.port}/{self.name}"


class ServerProcess:
    """A ``jupyter server`` subprocess; ``url`` and ``token`` once it answers."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path, port: int, token: str, log_path: Path) -> None:
        self.argv, self.env, self.cwd, self.port, self.token = argv, env, cwd, port, token
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=self._log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{port}/"

    def answers(self) -> bool:
        """Whether the server is up; subclasses probe another URL or scheme (OSError = not yet)."""
        import urllib.request

        with urllib.request.urlopen(self.url + "api", timeout=2) as r:
            return bool(r.status == 200)

    def wait_ready(self, timeout: float = 60) -> None:
        """Wait until :meth:`answers`; fail with the server's output if it exits or times out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log()}")
            try:
                if self.answers():
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"server did not answer at {self.url} within {timeout}s:\n{self.log()}")

    def log(self) -> str:
        """Everything the server printed so far (also after stop())."""
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self, timeout: float = 30) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        check_log_for_token(self.log_path.read_text(errors="replace"), self.token, str(self.log_path))
        return int(self.proc.returncode)


def process_alive(pid: int) -> bool:
    """Whether ``pid`` is a live process (Linux /proc; a zombie counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def child_processes(pid: int) -> set[int]:
    """The live child processes of ``pid`` (Linux /proc)."""
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended while we looked
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(entry))
    return found


@pytest.fixture
def jp_server_process(tmp_path: Path, jp_environ: dict[str, Path]) -> Iterator[Callable[..., ServerProcess]]:
    """Start ``jupyter server`` subprocesses: ``start(*extra_args, python=sys.executable)``.

    The subprocess sees the test's isolated user folders (HOME, JUPYTER_*), its real
    environment prefix and system folders.
    """
    started: list[ServerProcess] = []

    def start(*extra: str, python: str = sys.executable, env: dict[str, str] | None = None,
              cwd: Path | None = None, token: str = TEST_TOKEN, wait: bool = True) -> ServerProcess:
        port = free_port()
        full_env = dict(os.environ)
        full_env["JUPYTER_TOKEN"] = token
        full_env.update(env or {})
        root = cwd or (tmp_path / "srv-root")
        root.mkdir(exist_ok=True)
        argv = [python, "-m", "jupyter_server_core", f"--port={port}", "--ip=127.0.0.1",
                "--no-browser", "--allow-root", "--ServerApp.port_retries=0", *extra]
        proc = ServerProcess(argv, full_env, root, port, token, tmp_path / f"server-{port}.log")
        started.append(proc)
        if wait:
            proc.wait_ready()
        return proc

    yield start
    for proc in started:
        proc.stop()



# -- the token never reaches a log -------------------------------------------------------


class _TokenLeakWatch(logging.Handler):
    """Sees every log record of the test session; remembers any that carries the test token."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.leaks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is not our concern here
            return
        if record.exc_text:
            text += record.exc_text
        if TEST_TOKEN in text:
            self.leaks.append(f"{record.name}: {text[:300]}")


_watch = _TokenLeakWatch()


def check_log_for_token(text: str, token: str, source: str) -> None:
    """Record lines of a server's output that carry ``token``, but for the startup banner's
    URLs, which exist to hand the token to the person who started the server."""
    for line in text.splitlines():
        if token in line and not line.lstrip().startswith(("http://", "https://", "http+unix://")):
            _watch.leaks.append(f"{source}: {line[:300]}")


def pytest_configure(config: pytest.Config) -> None:
    root = logging.getLogger()
    if _watch not in root.handlers:
        root.addHandler(_watch)
    # Server loggers stay at DEBUG in tests, so every request line is checked too.
    logging.getLogger("ServerApp").setLevel(logging.DEBUG)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _watch.leaks:
        sys.stderr.write("\nThe server logged the token in these records:\n")
        for leak in _watch.leaks[:20]:
            sys.stderr.write(f"  {leak}\n")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
