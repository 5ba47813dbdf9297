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
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from _gateways import (
    GW_TOKEN,
    GatewayProcess,
    environ,
    interrupt_sleeping_cell,
    start_gateway,
    stdout_of,
    wait_for_kernel_info,
)
from _gateways import connect as connect_to
from _harness import TOKEN, Server
from jupyter_server_core.kernels._wsclient import KernelWebSocketClient
from jupyter_server_core.kernels._wsprotocol import V1_PROTOCOL
from jupyter_server_core.pytest_plugin import ServerProcess, free_port
from tornado.httpclient import HTTPClientError

PROBE = "from-our-server"


@dataclass
class Stack:
    kind: str
    gateway: GatewayProcess
    server: Server
    root: Path


@pytest.fixture(scope="module", params=["core", "kernel_gateway"])
def stack(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A gateway process and our server in front of it, for every test of one gateway kind."""
    kind = request.param
    base = tmp_path_factory.mktemp(f"gateway-{kind}")
    gateway = start_gateway(kind, base)
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
    env = environ(home, Path(sys.executable).parent, KERNEL_GW_PROBE=PROBE, GW_ALLOWED="allowed", GW_OTHER="kept here")
    process = ServerProcess(argv, env, root, port, TOKEN, base / "server.log")
    try:
        process.wait_ready()
        yield Stack(kind, gateway, Server(process), root)
    finally:
        process.stop()
        gateway.stop()


async def connect(stack: Stack, kernel_id: str, protocol: str = "") -> KernelWebSocketClient:
    return await connect_to(stack.server.url, kernel_id, protocol)


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
    await interrupt_sleeping_cell(client, lambda: stack.server.ok("POST", f"api/kernels/{kid}/interrupt", status=204))

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
