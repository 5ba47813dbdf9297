"""Build the wheels, install them into fresh venvs, run real servers: the integration harness.

Only the standard library, ``packaging`` and the repository's own ``tools/check_wheels.py``
and core pytest plugin are used, so the suite runs from a clean clone.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.parser import Parser
from pathlib import Path
from typing import Any
from zipfile import ZipFile

import pytest
from jupyter_server_core.pytest_plugin import ServerProcess, free_port
from packaging.requirements import Requirement

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PACKAGES = ROOT / "packages"
WORK = HERE / ".work"
TOKEN = "integration-token-5f0c9a"
# Names that upstream projects publish too: an environment of ours must hold ours only.
UPSTREAM_TWINS = ("jupyter-server", "jupyter-server-terminals", "notebook-shim")
# Every wheel the design names, whether its folder is in the repository yet or not.
DESIGNED_WHEELS = ("jupyter-server-core", "jupyter-server-extensionapp", "jupyter-server-contents",
                   "jupyter-server-terminals", "jupyter-server-nbconvert", "notebook-shim", "jupyter-server")
_SKIP_PARTS = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", "dist", "build"}


def _load_check_wheels() -> Any:
    spec = importlib.util.spec_from_file_location("check_wheels", ROOT / "tools" / "check_wheels.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check_wheels = _load_check_wheels()
VERSION: str = check_wheels.shared_version(ROOT)
normalize = check_wheels.normalize


def wheel_folders() -> list[str]:
    """The wheel folders in the repository right now (the meta-package included)."""
    return sorted(p.name for p in PACKAGES.iterdir() if p.is_dir() and not p.name.startswith("."))


def sources_hash() -> str:
    """A digest of everything that goes into the wheels, to key the build cache."""
    digest = hashlib.sha256()
    for path in sorted([ROOT / "LICENSE", ROOT / "_version.py", *PACKAGES.rglob("*")]):
        rel = path.relative_to(ROOT)
        if not path.is_file() or _SKIP_PARTS.intersection(rel.parts) or rel.suffix == ".pyc" or any(
            part.endswith(".egg-info") for part in rel.parts
        ):
            continue
        digest.update(str(rel).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


class Dist:
    """The wheels and sdists of every folder under packages/, built once per sources hash."""

    def __init__(self, path: Path, failures: dict[str, str]) -> None:
        self.path, self.failures = path, failures

    @classmethod
    def build(cls) -> Dist:
        WORK.mkdir(exist_ok=True)
        target = WORK / f"dist-{sources_hash()}"
        if (target / ".complete").is_file():
            os.utime(target)  # in use: not stale
            return cls(target, {})
        # Builds of other sources, unused for an hour (a concurrent session may use a newer one).
        for stale in [*WORK.glob("building-*"), *WORK.glob("dist-*")]:
            with contextlib.suppress(OSError):  # already gone
                if time.time() - stale.stat().st_mtime > 3600:
                    shutil.rmtree(stale, ignore_errors=True)
        scratch = WORK / f"building-{os.getpid()}"
        shutil.rmtree(scratch, ignore_errors=True)
        failures = {}
        for folder in wheel_folders():
            result = subprocess.run(
                [sys.executable, "-m", "hatchling", "build", "-d", str(scratch)],
                cwd=PACKAGES / folder, capture_output=True, text=True,
            )
            if result.returncode != 0:
                failures[folder] = result.stdout + result.stderr
        if failures:  # never cache a broken build
            return cls(scratch, failures)
        (scratch / ".complete").write_text(VERSION)
        with contextlib.suppress(OSError):  # another session may have won the race
            scratch.rename(target)
        shutil.rmtree(scratch, ignore_errors=True)
        return cls(target, {})

    def require(self, folder: str) -> None:
        """Skip if ``packages/<folder>`` is not in the repository yet; fail if it did not build."""
        if not (PACKAGES / folder).is_dir():
            pytest.skip(f"packages/{folder} is not in the repository yet")
        if folder in self.failures:
            tail = "\n".join(self.failures[folder].splitlines()[-12:])
            pytest.fail(f"building packages/{folder} failed:\n{tail}")

    def wheel(self, folder: str) -> Path:
        """The wheel built from ``packages/<folder>`` (whichever version it carries:
        ``tools/check_wheels.py`` is what holds each wheel to its expected version)."""
        self.require(folder)
        wheels = sorted(self.path.glob(f"{normalize(folder)}-*-py3-none-any.whl"))
        assert len(wheels) == 1, f"expected one wheel of {folder} in {self.path}, found {wheels}"
        return wheels[0]

    def version(self, folder: str) -> str:
        return self.wheel(folder).name.split("-")[1]

    def requirements(self, folder: str) -> list[Requirement]:
        """The runtime ``Requires-Dist`` of a built wheel (extras left out)."""
        wheel = self.wheel(folder)
        with ZipFile(wheel) as z:
            metadata = Parser().parsestr(z.read(f"{normalize(folder)}-{self.version(folder)}.dist-info/METADATA").decode())
        requirements = [Requirement(r) for r in metadata.get_all("Requires-Dist") or []]
        return [r for r in requirements if not (r.marker and "extra" in str(r.marker))]

    def closure(self, folders: list[str]) -> tuple[list[str], list[str]]:
        """Our wheels needed by ``folders`` (themselves included), and their third-party needs."""
        ours = set(wheel_folders()) | set(DESIGNED_WHEELS)
        todo, seen, third_party = list(folders), [], []
        while todo:
            folder = todo.pop()
            if folder in seen:
                continue
            seen.append(folder)
            for req in self.requirements(folder):
                sibling = next((f for f in ours if normalize(f) == normalize(req.name)), None)
                if sibling:
                    todo.append(sibling)
                elif str(req) not in third_party:
                    third_party.append(str(req))
        return seen, sorted(third_party)


def _clean_environ(**extra: str) -> dict[str, str]:
    drop = ("JUPYTER", "PYTHON", "IPYTHON", "VIRTUAL_ENV")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env.update(extra)
    return env


class Venv:
    """A fresh virtual environment; our wheels come only from the session's dist/."""

    def __init__(self, path: Path, dist: Dist) -> None:
        self.path, self.dist = path, dist
        self.bin = path / ("Scripts" if os.name == "nt" else "bin")
        self.python = self.bin / "python"
        subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)

    def run(self, *argv: str | Path, env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a command of this venv; stdout and stderr together in ``.stdout``."""
        full_env = {**self.run_env(), **(env or {})}
        result = subprocess.run([str(a) for a in argv], env=full_env, capture_output=True, text=True, timeout=600)
        result.stdout += result.stderr
        if check and result.returncode != 0:
            pytest.fail(f"{' '.join(map(str, argv))} exited {result.returncode}:\n{result.stdout}")
        return result

    def pip(self, *args: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run(self.python, "-m", "pip", "--disable-pip-version-check", *args, check=check)

    def install(self, *folders: str, extra: tuple[str, ...] = ()) -> None:
        """Third-party needs from the package index, then ours with no index at all."""
        ours, third_party = self.dist.closure(list(folders))
        self.pip("install", "-q", *third_party, *extra)
        self.pip("install", "-q", "--no-index", "--find-links", self.dist.path, *(f"{normalize(f)}=={self.dist.version(f)}" for f in folders))
        self.assert_only_ours(ours)

    def installed(self) -> dict[str, str]:
        listing = json.loads(self.pip("list", "--format=json").stdout.splitlines()[0])
        return {normalize(p["name"]): p["version"] for p in listing}

    def assert_only_ours(self, ours: list[str]) -> None:
        """Each of our wheels at the shared version; no upstream twin in their place."""
        installed = self.installed()
        for folder in ours:
            assert installed.get(normalize(folder)) == self.dist.version(folder), f"{folder}: {installed.get(normalize(folder))}"
        for twin in UPSTREAM_TWINS:
            version = installed.get(normalize(twin))
            assert version is None or version == self.dist.version(twin), f"upstream {twin} {version} was installed"

    def jupyter(self, home: Path, *args: str, check: bool = True, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return self.run(self.bin / "jupyter", *args, env={**user_dirs(home), **(env or {})}, check=check)

    @property
    def confd(self) -> Path:
        """The sys-prefix conf.d folder, where installed manifests land."""
        return self.path / "etc" / "jupyter" / "jupyter_server_config.d"

    @contextlib.contextmanager
    def server(self, home: Path, *args: str, base_url: str = "/", env: dict[str, str] | None = None,
               command: str = "server") -> Iterator[Server]:
        """A real ``jupyter server`` (or ``jupyter <command>``) of this venv, user level in ``home``."""
        port = free_port()
        root = home / "root_dir"
        root.mkdir(parents=True, exist_ok=True)
        argv = [str(self.bin / "jupyter"), command, "--allow-root", "--no-browser", f"--port={port}",
                "--ip=127.0.0.1", "--ServerApp.port_retries=0", f"--IdentityProvider.token={TOKEN}", *args]
        full_env = {**self.run_env(), **user_dirs(home), **(env or {})}
        process = ServerProcess(argv, full_env, root, port, TOKEN, home / f"server-{port}.log")
        process.url = f"http://127.0.0.1:{port}{base_url}"
        try:
            process.wait_ready()
            yield Server(process)
        finally:
            process.stop()

    def run_env(self) -> dict[str, str]:
        return _clean_environ(PATH=f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}", VIRTUAL_ENV=str(self.path))


def build_example_extension(dest: Path) -> Path:
    """The wheel of the extension author guide's example, packaged as a third party would."""
    project = dest / "example-ext"
    shutil.copytree(HERE / "example_extension", project)
    shutil.copytree(PACKAGES / "jupyter-server-extensionapp" / "tests" / "example_ext", project / "example_ext",
                    ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(dest)],
                   cwd=project, check=True, capture_output=True)
    return next(dest.glob("example_ext-*.whl"))


def user_dirs(home: Path) -> dict[str, str]:
    """Point the user level (and every per-user folder) into ``home``."""
    home.mkdir(parents=True, exist_ok=True)
    return {
        "HOME": str(home),
        "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
        "JUPYTER_DATA_DIR": str(home / ".local" / "share" / "jupyter"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "IPYTHONDIR": str(home / ".ipython"),
    }


class Server:
    """Real HTTP requests to a running server, with its token."""

    def __init__(self, process: ServerProcess, url: str | None = None) -> None:
        self.process = process
        self.url = url or process.url

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """``(status, JSON body or text)``; error statuses are returned, not raised."""
        data = None if body is None else json.dumps(body).encode()
        if data is None and method in ("POST", "PUT", "PATCH"):
            data = b""
        request = urllib.request.Request(
            self.url + path.lstrip("/"), data=data, method=method,
            headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as e:
            status, raw = e.code, e.read()
        except (OSError, http.client.HTTPException) as e:
            raise AssertionError(f"{method} {path}: no answer ({e!r})\n--- server log ---\n{self.log()}") from e
        text = raw.decode("utf-8", "replace")
        try:
            return status, json.loads(text) if text else None
        except ValueError:
            return status, text

    def ok(self, method: str, path: str, body: Any = None, status: int = 200) -> Any:
        """The JSON body of a request that must answer ``status``; the log if it does not."""
        got, payload = self.request(method, path, body)
        assert got == status, f"{method} {path}: {got} {payload!r}\n--- server log ---\n{self.process.log()}"
        return payload

    def status(self, path: str) -> int:
        return self.request("GET", path)[0]

    def log(self) -> str:
        return self.process.log()


def extension_states(output: str) -> dict[str, str]:
    """``{name: "enabled"|"disabled"}`` from ``jupyter server extension list`` output."""
    return {name: state for name, (state, _) in extension_rows(output).items()}


def extension_rows(output: str) -> dict[str, tuple[str, str]]:
    """``{name: (state, validity)}``: a row is ``name  enabled|disabled  OK ...|INVALID (...)``."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", output)  # colours, should a terminal ask for them
    rows = re.finditer(r"^\s*([A-Za-z_][\w.]*)\s+(enabled|disabled)\b[ \t]*(\S*)", text, re.MULTILINE)
    return {m.group(1): (m.group(2), m.group(3)) for m in rows}


async def execute(server: Server, kernel_id: str, code: str, timeout: float = 60) -> tuple[str, str]:
    """Run ``code`` over the kernel's WebSocket (JSON protocol): ``(stdout, reply status)``."""
    import asyncio
    import uuid

    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    session = uuid.uuid4().hex
    url = server.url.replace("http://", "ws://", 1) + f"api/kernels/{kernel_id}/channels?session_id={session}"
    ws = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {TOKEN}"}))
    msg_id = uuid.uuid4().hex
    ws.write_message(json.dumps({
        "header": {"msg_id": msg_id, "msg_type": "execute_request", "session": session,
                   "username": "test", "version": "5.3", "date": ""},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": False,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
    }))
    stdout, status, idle = "", "", False

    async def read_until_done() -> None:
        nonlocal stdout, status, idle
        while not (status and idle):
            raw = await ws.read_message()
            assert raw is not None, "the kernel WebSocket closed before the reply"
            msg = json.loads(raw)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = msg["header"]["msg_type"]
            if kind == "stream" and msg["content"]["name"] == "stdout":
                stdout += msg["content"]["text"]
            elif kind == "execute_reply":
                status = msg["content"]["status"]
            elif kind == "status" and msg["content"]["execution_state"] == "idle":
                idle = True

    try:
        await asyncio.wait_for(read_until_done(), timeout)
    finally:
        ws.close()
    return stdout, status
