"""Kernels on a real remote gateway: a notebook session through our server to it.

Two gateways, each a separate process on loopback, one per parameter of the module's
fixture: our own core server (it speaks the kernels API a gateway speaks), and the
upstream ``jupyter_kernel_gateway`` installed in a venv of its own under ``.work/`` (never
in ours). Our server runs from the development venv with ``--gateway-url`` pointing at
it. The session executes, streams output, is interrupted, restarted and shut down; then
the gateway is stopped mid-session and our server must say so clearly and stay healthy.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from _harness import TOKEN, WORK, Server, user_dirs
from jupyter_server_core.kernels._wsclient import KernelWebSocketClient
from jupyter_server_core.kernels._wsprotocol import V1_PROTOCOL
from jupyter_server_core.pytest_plugin import ServerProcess, free_port
from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.websocket import websocket_connect

GW_TOKEN = "gateway-secret-3b9e41"
PROBE = "from-our-server"


def _environ(home: Path, path_first: Path | None = None, **extra: str) -> dict[str, str]:
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


@dataclass
class Stack:
    kind: str
    gateway: GatewayProcess
    server: Server
    root: Path


def _start_gateway(kind: str, base: Path) -> GatewayProcess:
    home, port = base / "gateway-home", free_port()
    (home / "root").mkdir(parents=True)
    if kind == "core":
        argv = [sys.executable, "-m", "jupyter_server_core", f"--port={port}", "--ip=127.0.0.1", "--allow-root",
                "--no-browser", "--ServerApp.port_retries=0", f"--IdentityProvider.token={GW_TOKEN}"]
        env = _environ(home, Path(sys.executable).parent)
    else:
        python = _kernel_gateway_python()
        argv = [str(python), "-m", "kernel_gateway", "--KernelGatewayApp.ip=127.0.0.1",
                f"--KernelGatewayApp.port={port}", "--KernelGatewayApp.port_retries=0",
                f"--KernelGatewayApp.auth_token={GW_TOKEN}", "--JupyterWebsocketPersonality.env_whitelist=GW_ALLOWED"]
        env = _environ(home, python.parent)
    gateway = GatewayProcess(argv, env, home / "root", port, base / f"gateway-{kind}.log")
    try:
        gateway.wait_ready()
    except Exception:
        gateway.stop()
        raise
    return gateway


@pytest.fixture(scope="module", params=["core", "kernel_gateway"])
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A gateway process and our server in front of it, for every test of one gateway kind."""
    kind = request.param
    base = tmp_path_factory.mktemp(f"gateway-{kind}")
    gateway = _start_gateway(kind, base)
    home, port = base / "server-home", free_port()
    root = home / "root_dir"
    root.mkdir(parents=True)
    (root / "x.txt").write_text("still here")
    if kind == "kernel_gateway":
        # Kernel Gateway speaks the v1 protocol too: speak JSON to it here, so that both
        # translations (client v1 <-> gateway JSON) run against a real gateway.
        (home / ".jupyter").mkdir()
        (home / ".jupyter" / "jupyter_server_config.json").write_text(
            json.dumps({"GatewayWebSocketConnection": {"gateway_subprotocols": []}}))
    argv = [sys.executable, "-m", "jupyter_server_core", f"--port={port}", "--ip=127.0.0.1", "--allow-root",
            "--no-browser", "--ServerApp.port_retries=0", f"--IdentityProvider.token={TOKEN}",
            f"--gateway-url={gateway.url}", f"--GatewayClient.auth_token={GW_TOKEN}",
            # No reuse of the kernelspec listing: the test asks right after stopping the gateway.
            "--GatewayKernelSpecManager.listing_max_age=0",
            "--GatewayClient.request_timeout=30", "--GatewayClient.connect_timeout=5",
            "--GatewayClient.gateway_retry_interval=0.2", "--GatewayClient.gateway_retry_max=2",
            "--GatewayClient.allowed_envs=GW_ALLOWED"]
    env = _environ(home, Path(sys.executable).parent, KERNEL_GW_PROBE=PROBE, GW_ALLOWED="allowed", GW_OTHER="kept here")
    process = ServerProcess(argv, env, root, port, TOKEN, base / "server.log")
    try:
        process.wait_ready()
        yield Stack(kind, gateway, Server(process), root)
    finally:
        process.stop()
        gateway.stop()


async def connect(stack: Stack, kernel_id: str, protocol: str = "") -> KernelWebSocketClient:
    url = stack.server.url.replace("http://", "ws://", 1) + f"api/kernels/{kernel_id}/channels?session_id={uuid.uuid4().hex}"
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


def new_session(stack: Stack, path: str) -> dict[str, Any]:
    body = {"path": path, "type": "notebook", "name": Path(path).name, "kernel": {"name": "python3"}}
    session: dict[str, Any] = stack.server.ok("POST", "api/sessions", body, status=201)
    return session


def test_kernelspecs_come_from_the_gateway(stack: Stack) -> None:
    specs = stack.server.ok("GET", "api/kernelspecs")
    python3 = specs["kernelspecs"]["python3"]
    assert python3["spec"]["language"] == "python"
    logo = python3["resources"]["logo-64x64"]
    assert logo == "/kernelspecs/python3/logo-64x64.png"
    status, body = stack.server.request("GET", logo)
    assert status == 200 and body, stack.server.log()


async def test_a_notebook_session_runs_on_the_gateway(stack: Stack) -> None:
    session = new_session(stack, "work/analysis.ipynb")
    kid = session["kernel"]["id"]
    assert stack.gateway.request("GET", f"api/kernels/{kid}") == 200  # the kernel is the gateway's

    client = await connect(stack, kid)
    reply, outputs = await client.execute("import os; print('hello from', 'the gateway')")
    assert reply is not None and reply["content"]["status"] == "ok"
    assert stdout_of(outputs) == "hello from the gateway\n"
    if stack.kind == "kernel_gateway":  # KERNEL_* and allowed_envs variables of our server reach the kernel
        _, outputs = await client.execute("print([os.environ.get(k) for k in ('KERNEL_GW_PROBE', 'GW_ALLOWED', 'GW_OTHER')])")
        assert stdout_of(outputs) == f"{[PROBE, 'allowed', None]}\n"
    v1 = await connect(stack, kid, V1_PROTOCOL)
    assert v1.protocol == V1_PROTOCOL
    _, outputs = await v1.execute("print(sum(range(10)))")
    assert stdout_of(outputs) == "45\n"
    msg_id = await v1.send(v1.request("comm_info_request", {}, buffers=[b"\x00\x01"]))  # binary buffers too
    reply, _ = await v1.collect(msg_id)
    assert reply is not None and reply["header"]["msg_type"] == "comm_info_reply"
    v1.close()

    # Interrupt a long cell through our server.
    msg_id = await client.send(client.request(
        "execute_request", {"code": "import time; print('sleeping', flush=True); time.sleep(120)", "silent": False}))
    while True:
        msg = await client.recv()
        assert msg is not None, "the WebSocket closed"
        if msg["header"]["msg_type"] == "stream" and msg["parent_header"].get("msg_id") == msg_id:
            break
    stack.server.ok("POST", f"api/kernels/{kid}/interrupt", status=204)
    reply, _ = await client.collect(msg_id)
    assert reply is not None and reply["content"]["ename"] == "KeyboardInterrupt"

    # Restart: the same kernel id, a fresh namespace, the same WebSocket.
    assert stack.server.ok("POST", f"api/kernels/{kid}/restart")["id"] == kid
    await wait_for_kernel_info(client)
    reply, outputs = await client.execute("print('os' in dir())")
    assert stdout_of(outputs) == "False\n"

    assert [s["id"] for s in stack.server.ok("GET", "api/sessions")] == [session["id"]]
    stack.server.ok("DELETE", f"api/sessions/{session['id']}", status=204)
    assert stack.gateway.request("GET", f"api/kernels/{kid}") == 404  # shut down there
    while await client.recv(timeout=20) is not None:
        pass  # our server closes the client's WebSocket
    assert stack.server.ok("GET", "api/sessions") == []


async def test_a_gateway_that_stops_mid_session_is_reported(stack: Stack) -> None:
    session = new_session(stack, "other.ipynb")
    kid = session["kernel"]["id"]
    client = await connect(stack, kid)
    reply, _ = await client.execute("x = 1")
    assert reply is not None

    stack.gateway.stop()
    while await client.recv(timeout=60) is not None:
        pass
    assert client.ws.close_code == 1011
    assert stack.gateway.url in (client.ws.close_reason or "")

    with pytest.raises(HTTPClientError) as err:
        await connect(stack, kid)
    assert err.value.code == 503
    for method, path in (("GET", "api/kernels"), ("POST", f"api/kernels/{kid}/restart"), ("GET", "api/kernelspecs")):
        status, body = stack.server.request(method, path)
        assert status == 503, (method, path, body)
        assert stack.gateway.url in body["message"] and "not reachable" in body["message"]
    status, body = stack.server.request("POST", "api/sessions", {"path": "new.ipynb", "type": "notebook"})
    assert status == 503 and stack.gateway.url in body["message"]

    # Our server stays healthy and keeps serving files.
    assert stack.server.status("api/status") == 200
    assert stack.server.status("api") == 200
    try:
        import jupyter_server_contents  # noqa: F401
    except ImportError:
        pass
    else:
        assert stack.server.ok("GET", "api/contents/x.txt")["content"] == "still here"
    await asyncio.sleep(0)
    assert GW_TOKEN not in stack.server.log()  # the gateway's token is never logged
    assert json.dumps(stack.server.ok("GET", "api/sessions"))  # still answers (last known state)
