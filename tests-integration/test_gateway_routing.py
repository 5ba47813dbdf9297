"""Local kernels beside two real gateways in one server (``KernelRouter.gateways``).

The gateways are separate processes on loopback: our own core server and the upstream
``jupyter_kernel_gateway`` (in its own venv, see _gateways.py). Our server runs kernels
itself too. Through our server, a notebook session on each of the three kernelspecs
executes, is interrupted, restarted and shut down; then one gateway stops mid-session:
its kernels answer 503 naming it while the server, its local kernels and the other
gateway carry on.
"""

from __future__ import annotations

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
    connect,
    environ,
    interrupt_sleeping_cell,
    start_gateway,
    stdout_of,
    wait_for_kernel_info,
)
from _harness import TOKEN, Server
from jupyter_server_core.kernels._wsclient import KernelWebSocketClient
from jupyter_server_core.pytest_plugin import ServerProcess, free_port, wait_for
from tornado.httpclient import HTTPClientError

#: our kernelspec name -> the gateway that runs it (None: our server)
SPECS = {"python3": None, "core-python3": "core", "kg-python3": "kernel_gateway"}


@dataclass
class Routed:
    server: Server
    gateways: dict[str, GatewayProcess]


@pytest.fixture
def routed(tmp_path: Path) -> Iterator[Routed]:
    gateways: dict[str, GatewayProcess] = {}
    process = None
    try:
        for kind in ("core", "kernel_gateway"):
            gateways[kind] = start_gateway(kind, tmp_path)
        home, port = tmp_path / "server-home", free_port()
        root = home / "root_dir"
        root.mkdir(parents=True)
        timeouts = {"request_timeout": 30, "connect_timeout": 5, "gateway_retry_interval": 0.2, "gateway_retry_max": 2}
        (home / ".jupyter").mkdir()
        (home / ".jupyter" / "jupyter_server_config.json").write_text(json.dumps({"KernelRouter": {"gateways": [
            {"name": "core", "url": gateways["core"].url, "auth_token": GW_TOKEN, **timeouts},
            {"name": "kg", "url": gateways["kernel_gateway"].url, "headers": {"Authorization": f"token {GW_TOKEN}"},
             **timeouts},
        ]}}))
        argv = [sys.executable, "-m", "jupyter_server_core", f"--port={port}", "--ip=127.0.0.1", "--allow-root",
                "--no-browser", "--ServerApp.port_retries=0", f"--IdentityProvider.token={TOKEN}"]
        process = ServerProcess(argv, environ(home, Path(sys.executable).parent), root, port, TOKEN,
                                tmp_path / "server.log")
        process.wait_ready()
        yield Routed(Server(process), gateways)
    finally:
        if process is not None:
            process.stop()
        for gateway in gateways.values():
            gateway.stop()


def where(routed: Routed, kernel_id: str) -> str | None:
    """The running gateway that has the kernel, None if none has it."""
    running = {kind: gw for kind, gw in routed.gateways.items() if gw.proc.poll() is None}
    found = [kind for kind, gw in running.items() if gw.request("GET", f"api/kernels/{kernel_id}") == 200]
    assert len(found) <= 1
    return found[0] if found else None


async def run_cell(client: KernelWebSocketClient, code: str) -> str:
    reply, outputs = await client.execute(code)
    assert reply is not None and reply["content"]["status"] == "ok", reply
    return stdout_of(outputs)


async def interrupt_and_restart(server: Server, client: KernelWebSocketClient, kernel_id: str) -> None:
    """Interrupt a sleeping cell, restart the kernel: a fresh namespace behind the same socket."""
    await interrupt_sleeping_cell(client, lambda: server.ok("POST", f"api/kernels/{kernel_id}/interrupt", status=204))
    await run_cell(client, "before_restart = 1")
    assert server.ok("POST", f"api/kernels/{kernel_id}/restart")["id"] == kernel_id
    await wait_for_kernel_info(client)
    assert await run_cell(client, "print('before_restart' in dir())") == "False\n"


@pytest.mark.parametrize("stopped", ["kernel_gateway", "core"])
async def test_local_kernels_beside_two_gateways(routed: Routed, stopped: str) -> None:
    server = routed.server
    listing = server.ok("GET", "api/kernelspecs")
    assert listing["default"] == "python3" and set(SPECS) <= set(listing["kernelspecs"])
    assert listing["kernelspecs"]["kg-python3"]["spec"]["display_name"].endswith("(kg)")
    assert server.status(listing["kernelspecs"]["core-python3"]["resources"]["logo-64x64"]) == 200

    sessions: dict[str, dict[str, Any]] = {}
    clients: dict[str, KernelWebSocketClient] = {}
    for spec, gateway in SPECS.items():
        body = {"path": f"{spec}.ipynb", "type": "notebook", "name": f"{spec}.ipynb", "kernel": {"name": spec}}
        session = sessions[spec] = server.ok("POST", "api/sessions", body, status=201)
        kid = session["kernel"]["id"]
        assert session["kernel"]["name"] == spec and where(routed, kid) == gateway, server.log()
        client = clients[spec] = await connect(server.url, kid)
        assert await run_cell(client, f"print('{spec}', 6 * 7)") == f"{spec} 42\n"
        await interrupt_and_restart(server, client, kid)
    kernel_ids = {s["kernel"]["id"]: spec for spec, s in sessions.items()}
    assert {k["id"]: k["name"] for k in server.ok("GET", "api/kernels")} == kernel_ids
    status = server.ok("GET", "api/status")
    assert status["kernels"] == 3 and status["connections"] == 3

    # One gateway stops mid-session.
    gone = routed.gateways[stopped]
    gone_spec = next(spec for spec, gateway in SPECS.items() if gateway == stopped)
    gone_kid = sessions[gone_spec]["kernel"]["id"]
    gone.stop()
    while await clients[gone_spec].recv(timeout=60) is not None:
        pass
    assert clients[gone_spec].ws.close_code == 1011 and gone.url in (clients[gone_spec].ws.close_reason or "")
    for method, path in (("GET", f"api/kernels/{gone_kid}"), ("POST", f"api/kernels/{gone_kid}/interrupt"),
                         ("POST", f"api/kernels/{gone_kid}/restart"), ("DELETE", f"api/kernels/{gone_kid}"),
                         ("POST", "api/kernels")):
        status_code, body = server.request(method, path, {"name": gone_spec} if path == "api/kernels" else None)
        assert status_code == 503 and gone.url in body["message"], (method, path, body)
    status_code, body = server.request(
        "POST", "api/sessions", {"path": "late.ipynb", "type": "notebook", "kernel": {"name": gone_spec}})
    assert status_code == 503 and gone.url in body["message"], body
    with pytest.raises(HTTPClientError) as err:
        await connect(server.url, gone_kid)
    assert err.value.code == 503
    assert server.status("api/status") == 200 and server.status("api/kernels") == 200
    assert server.status("api/sessions") == 200

    async def spec_left_out() -> bool:
        return gone_spec not in server.ok("GET", "api/kernelspecs")["kernelspecs"]

    await wait_for(spec_left_out, timeout=60)

    # The local kernels and the other gateway keep working, to their shutdown.
    for spec, gateway in SPECS.items():
        if gateway == stopped:
            continue
        kid = sessions[spec]["kernel"]["id"]
        assert await run_cell(clients[spec], "print('still', 'here')") == "still here\n"
        await interrupt_and_restart(server, clients[spec], kid)
        server.ok("DELETE", f"api/sessions/{sessions[spec]['id']}", status=204)
        while await clients[spec].recv(timeout=30) is not None:
            pass  # our server closes the socket of a kernel it shut down
        assert where(routed, kid) is None and kid not in {k["id"] for k in server.ok("GET", "api/kernels")}
    for client in clients.values():
        client.close()
    assert GW_TOKEN not in server.log()
