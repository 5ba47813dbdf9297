"""Gateway processes for the integration suite: our core server or upstream Kernel Gateway.

Shared by test_gateway.py (one gateway replacing local kernels) and
test_gateway_routing.py (two gateways beside local kernels). Kernel Gateway is installed
in a venv of its own under ``.work/`` (never in ours), built once.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _harness import TOKEN, WORK, user_dirs
from jupyter_server_core.kernels._wsclient import KernelWebSocketClient
from jupyter_server_core.pytest_plugin import ServerProcess, free_port
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

__all__ = ["GW_TOKEN", "GatewayProcess", "connect", "environ", "interrupt_sleeping_cell", "start_gateway", "stdout_of",
           "wait_for_kernel_info"]

GW_TOKEN = "gateway-secret-3b9e41"


def environ(home: Path, path_first: Path | None = None, **extra: str) -> dict[str, str]:
    """This process's environment without Jupyter and Python settings, user folders in ``home``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "PYTHON", "IPYTHON", "VIRTUAL_ENV"))}
    if path_first is not None:
        env["PATH"] = f"{path_first}{os.pathsep}{env.get('PATH', '')}"
    env.update(user_dirs(home))
    env.update(extra)
    return env


def _kernel_gateway_python() -> Path:
    """The python of a venv holding jupyter_kernel_gateway and ipykernel, built once."""
    target = WORK / "kernel-gateway-venv"
    python = target / "bin" / "python"
    if (target / ".complete").is_file():
        return python
    WORK.mkdir(exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(target)], check=True)
    result = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", "jupyter_kernel_gateway", "ipykernel"],
        capture_output=True, text=True, timeout=600,
    )
    if result.returncode != 0:
        reason = f"could not install jupyter_kernel_gateway: {(result.stdout + result.stderr)[-400:]}"
        # On a developer's machine without the package index this is a skip; in CI, where
        # the index is reachable, a failure to install is a failure to test.
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(reason)
        pytest.skip(reason)
    (target / ".complete").write_text("ok")
    return python


class GatewayProcess(ServerProcess):
    """A gateway subprocess; ready when its kernelspecs answer with the token."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path, port: int, log_path: Path) -> None:
        super().__init__(argv, env, cwd, port, GW_TOKEN, log_path)
        self.url = f"http://127.0.0.1:{port}"

    def request(self, method: str, path: str) -> int:
        request = urllib.request.Request(f"{self.url}/{path}", method=method,
                                         headers={"Authorization": f"token {GW_TOKEN}"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return int(response.status)
        except urllib.error.HTTPError as e:
            return int(e.code)

    def answers(self) -> bool:
        return self.request("GET", "api/kernelspecs") == 200


def start_gateway(kind: str, base: Path) -> GatewayProcess:
    """A running gateway: ``"core"`` (our server) or ``"kernel_gateway"`` (upstream), token GW_TOKEN.

    The Kernel Gateway passes ``GW_ALLOWED`` from a start request's env to its kernels.
    """
    home, port = base / f"gateway-{kind}-home", free_port()
    (home / "root").mkdir(parents=True)
    if kind == "core":
        argv = [sys.executable, "-m", "jupyter_server_core", f"--port={port}", "--ip=127.0.0.1", "--allow-root",
                "--no-browser", "--ServerApp.port_retries=0", f"--IdentityProvider.token={GW_TOKEN}"]
        env = environ(home, Path(sys.executable).parent)
    else:
        python = _kernel_gateway_python()
        argv = [str(python), "-m", "kernel_gateway", "--KernelGatewayApp.ip=127.0.0.1",
                f"--KernelGatewayApp.port={port}", "--KernelGatewayApp.port_retries=0",
                f"--KernelGatewayApp.auth_token={GW_TOKEN}", "--JupyterWebsocketPersonality.env_whitelist=GW_ALLOWED"]
        env = environ(home, python.parent)
    gateway = GatewayProcess(argv, env, home / "root", port, base / f"gateway-{kind}.log")
    try:
        gateway.wait_ready()
    except Exception:
        gateway.stop()
        raise
    return gateway


async def connect(server_url: str, kernel_id: str, protocol: str = "") -> KernelWebSocketClient:
    """A kernel WebSocket to our server at ``server_url`` (with the suite's TOKEN)."""
    url = server_url.replace("http://", "ws://", 1) + f"api/kernels/{kernel_id}/channels?session_id={uuid.uuid4().hex}"
    ws = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {TOKEN}"}),
                                 subprotocols=[protocol] if protocol else None)
    return KernelWebSocketClient(ws)


def stdout_of(outputs: list[dict[str, Any]]) -> str:
    return "".join(m["content"]["text"] for m in outputs if m["header"]["msg_type"] == "stream")


async def wait_for_kernel_info(client: KernelWebSocketClient, attempts: int = 30) -> None:
    """What a frontend does after a restart: ask kernel_info until the kernel answers.

    A gateway may drop what arrives while it reconnects its channels to the restarted
    kernel (Kernel Gateway does), so the first request is not enough.
    """
    for _ in range(attempts):
        msg_id = await client.send(client.request("kernel_info_request", {}))
        try:
            reply, _ = await client.collect(msg_id, timeout=1)
        except asyncio.TimeoutError:
            continue
        if reply is not None:
            return
    raise AssertionError("the kernel did not answer kernel_info after its restart")


async def interrupt_sleeping_cell(client: KernelWebSocketClient, interrupt: Callable[[], Any]) -> None:
    """Run a cell that sleeps; once it printed, call ``interrupt()`` (a request to our
    server); the cell must end with KeyboardInterrupt."""
    msg_id = await client.send(client.request(
        "execute_request", {"code": "import time; print('asleep', flush=True); time.sleep(120)", "silent": False}))
    while True:
        msg = await client.recv()
        assert msg is not None, "the WebSocket closed"
        if msg["header"]["msg_type"] == "stream" and msg["parent_header"].get("msg_id") == msg_id:
            break
    interrupt()
    reply, _ = await client.collect(msg_id)
    assert reply is not None and reply["content"]["ename"] == "KeyboardInterrupt"
