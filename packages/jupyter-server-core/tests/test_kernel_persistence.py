"""MappingKernelManager.enable_persistence: kernels outlive a real server process.

Each test runs ``jupyter server`` subprocesses on one runtime directory, with real ipykernel
kernels, and talks to them over HTTP and the kernel WebSocket. Kernels are found by the
connection file on their command line (/proc), and any left over are killed at the end.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from jupyter_server_core.kernels._wsclient import KernelWebSocketClient
from jupyter_server_core.pytest_plugin import ServerProcess, wait_for
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

pytestmark = pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="finds kernel processes through /proc")

PERSIST = "--MappingKernelManager.enable_persistence=True"


def api(server: ServerProcess, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else (b"" if method == "POST" else None)
    request = urllib.request.Request(server.url + path, data=data, method=method,
                                     headers={"Authorization": f"token {server.token}"})
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            text = r.read()
            return r.status, json.loads(text) if text else None
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


async def connect(server: ServerProcess, kernel_id: str) -> KernelWebSocketClient:
    url = server.url.replace("http", "ws", 1) + f"api/kernels/{kernel_id}/channels"
    ws = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {server.token}"}))
    return KernelWebSocketClient(ws)


async def run(server: ServerProcess, kernel_id: str, code: str) -> tuple[dict[str, Any], str | None]:
    """Execute ``code``; return the execute_reply content and the result's text/plain."""
    client = await connect(server, kernel_id)
    try:
        reply, outputs = await client.execute(code, timeout=60)
        assert reply is not None
    finally:
        client.close()
    results = [m["content"]["data"]["text/plain"] for m in outputs if m["header"]["msg_type"] == "execute_result"]
    return reply["content"], results[0] if results else None


def metrics(server: ServerProcess) -> str:
    request = urllib.request.Request(server.url + "metrics", headers={"Authorization": f"token {server.token}"})
    with urllib.request.urlopen(request, timeout=60) as r:
        return str(r.read().decode())


def kernel_pid(kernel_id: str) -> int | None:
    """The pid of the process whose command line names this kernel's connection file."""
    needle = f"kernel-{kernel_id}.json".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_bytes().rsplit(b")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if needle in cmdline and state != b"Z":
            return int(entry.name)
    return None


@pytest.fixture
def kernels_to_reap() -> Any:
    """Kernel ids whose processes are killed after the test, whatever happened."""
    ids: list[str] = []
    yield ids
    for kernel_id in ids:
        pid = kernel_pid(kernel_id)
        if pid is not None:
            os.kill(pid, signal.SIGKILL)


def stop(server: ServerProcess, how: str) -> None:
    if how == "kill -9":
        server.proc.kill()
    else:
        server.proc.terminate()
    server.proc.wait(timeout=60)


def new_session(server: ServerProcess, reap: list[str], path: str = "a.ipynb") -> dict[str, Any]:
    status, session = api(server, "POST", "api/sessions",
                          {"path": path, "type": "notebook", "name": "", "kernel": {"name": "python3"}})
    assert status == 201, session
    reap.append(session["kernel"]["id"])
    return session


async def until(predicate: Any, timeout: float = 60) -> Any:
    async def check() -> Any:
        return predicate()

    return await wait_for(check, timeout=timeout)


@pytest.mark.parametrize("how", ["SIGTERM", "kill -9"])
async def test_kernel_and_session_survive_the_server(jp_server_process, jp_environ, kernels_to_reap, how):
    first = jp_server_process(PERSIST)
    session = new_session(first, kernels_to_reap)
    kernel_id = session["kernel"]["id"]
    assert (await run(first, kernel_id, "x = 41"))[0]["status"] == "ok"
    pid = kernel_pid(kernel_id)
    assert pid is not None

    stop(first, how)
    assert kernel_pid(kernel_id) == pid, first.log()

    second = jp_server_process(PERSIST)
    assert "1 kernel(s) adopted" in second.log()
    status, sessions = api(second, "GET", "api/sessions")
    assert status == 200
    assert [(s["id"], s["path"], s["kernel"]["id"]) for s in sessions] == [(session["id"], "a.ipynb", kernel_id)]
    reply, value = await run(second, kernel_id, "x + 1")
    assert reply["status"] == "ok" and value == "42"
    await until(lambda: api(second, "GET", f"api/kernels/{kernel_id}")[1]["execution_state"] == "idle")
    assert 'kernel_currently_running_total{type="python3"} 1.0' in metrics(second)
    info = [json.loads(p.read_text()) for p in jp_environ["runtime"].glob("jpserver-*.json")]
    assert [i["kernels_adopted"] for i in info if i["pid"] == second.proc.pid] == [1]
    listing = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "jupyter_server_core", "list"],
                                      env=second.env, capture_output=True, text=True, timeout=60)
    assert "(1 kernel(s) adopted at start)" in listing.stdout, listing


async def test_interrupt_restart_and_shutdown_an_adopted_kernel(jp_server_process, kernels_to_reap):
    first = jp_server_process(PERSIST)
    kernel_id = new_session(first, kernels_to_reap)["kernel"]["id"]
    await run(first, kernel_id, "import time")
    stop(first, "kill -9")
    second = jp_server_process(PERSIST)

    client = await connect(second, kernel_id)
    try:
        msg_id = await client.send(client.request("execute_request", {"code": "time.sleep(300)"}))
        await until(lambda: api(second, "GET", f"api/kernels/{kernel_id}")[1]["execution_state"] == "busy")
        assert api(second, "POST", f"api/kernels/{kernel_id}/interrupt")[0] == 204
        reply, _ = await client.collect(msg_id, timeout=60)
        assert reply is not None
        assert reply["content"]["status"] == "error"
        assert reply["content"]["ename"] == "KeyboardInterrupt"
    finally:
        client.close()

    old_pid = kernel_pid(kernel_id)
    status, model = api(second, "POST", f"api/kernels/{kernel_id}/restart")
    assert status == 200 and model["id"] == kernel_id, model
    new_pid = kernel_pid(kernel_id)
    assert new_pid is not None and new_pid != old_pid
    reply, value = await run(second, kernel_id, "'time' in dir()")
    assert value == "False"  # a fresh process

    assert api(second, "DELETE", f"api/kernels/{kernel_id}")[0] == 204
    await until(lambda: kernel_pid(kernel_id) is None)
    assert api(second, "GET", "api/kernels")[1] == []


async def test_kernel_killed_while_no_server_runs_is_dropped(jp_server_process, kernels_to_reap):
    first = jp_server_process(PERSIST)
    kernel_id = new_session(first, kernels_to_reap)["kernel"]["id"]
    await until(lambda: kernel_pid(kernel_id) is not None)
    stop(first, "SIGTERM")
    pid = kernel_pid(kernel_id)
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    await until(lambda: kernel_pid(kernel_id) is None)

    second = jp_server_process(PERSIST)
    assert f"Kernel {kernel_id} (python3) ended while no server watched it" in second.log()
    assert "0 kernel(s) adopted" in second.log()
    assert api(second, "GET", "api/kernels")[1] == []
    assert api(second, "GET", "api/sessions")[1] == []


async def test_a_second_server_on_the_runtime_dir_refuses(jp_server_process, kernels_to_reap, tmp_path):
    first = jp_server_process(PERSIST)
    new_session(first, kernels_to_reap)
    second = jp_server_process(PERSIST, wait=False)
    assert second.proc.wait(timeout=60) == 1
    log = second.log()
    assert "Cannot adopt kernels" in log and f"pid {first.proc.pid}" in log, log
    assert "Traceback" not in log
    assert len(api(first, "GET", "api/kernels")[1]) == 1
    # A store of its own (persistence_file) is a server of its own.
    third = jp_server_process(PERSIST, f"--MappingKernelManager.persistence_file={tmp_path / 'other.sqlite'}")
    assert "0 kernel(s) adopted from " + str(tmp_path / "other.sqlite") in third.log()


@pytest.mark.parametrize("how", ["SIGTERM", "kill -9"])
async def test_without_the_switch_kernels_end_with_the_server(jp_server_process, jp_environ, kernels_to_reap, how):
    first = jp_server_process()
    kernel_id = new_session(first, kernels_to_reap)["kernel"]["id"]
    await until(lambda: kernel_pid(kernel_id) is not None)
    stop(first, how)
    # SIGTERM: the server shuts its kernels down. kill -9: ipykernel sees its parent gone
    # (JPY_PARENT_PID) and exits.
    await until(lambda: kernel_pid(kernel_id) is None)
    second = jp_server_process()
    assert api(second, "GET", "api/sessions")[1] == []
    assert api(second, "GET", "api/kernels")[1] == []
    assert "adopted" not in second.log()
    assert not list(jp_environ["runtime"].glob("jupyter-server-kernels*")), "a kernel store without the switch"


async def test_an_adopted_kernel_that_dies_is_restarted_and_its_record_follows(jp_server_process, kernels_to_reap):
    first = jp_server_process(PERSIST)
    session = new_session(first, kernels_to_reap)
    kernel_id = session["kernel"]["id"]
    await run(first, kernel_id, "x = 41")
    stop(first, "kill -9")
    second = jp_server_process(PERSIST)
    adopted_pid = kernel_pid(kernel_id)
    assert adopted_pid is not None and "1 kernel(s) adopted" in second.log()

    # The adopted process is not the server's child: its death is seen by polling its pid.
    os.kill(adopted_pid, signal.SIGKILL)
    await until(lambda: kernel_pid(kernel_id) not in (None, adopted_pid))
    await until(lambda: api(second, "GET", f"api/kernels/{kernel_id}")[1]["execution_state"] == "idle")
    reply, value = await run(second, kernel_id, "'x' in dir()")
    assert value == "False", reply  # a new process, same kernel id and session
    assert (await run(second, kernel_id, "x = 7"))[0]["status"] == "ok"
    assert [s["id"] for s in api(second, "GET", "api/sessions")[1]] == [session["id"]]

    # The record follows the new process: the next server adopts that one.
    restarted_pid = kernel_pid(kernel_id)
    stop(second, "SIGTERM")
    third = jp_server_process(PERSIST)
    assert "1 kernel(s) adopted" in third.log(), third.log()
    assert f"pid {restarted_pid}" in third.log()
    assert (await run(third, kernel_id, "x * 6"))[1] == "42"


async def test_orphan_is_culled_by_the_next_server(jp_server_process, kernels_to_reap):
    first = jp_server_process(PERSIST)
    kernel_id = new_session(first, kernels_to_reap)["kernel"]["id"]
    await until(lambda: kernel_pid(kernel_id) is not None)
    stop(first, "kill -9")
    # A server without the switch leaves it alone, and says so.
    plain = jp_server_process()
    assert api(plain, "GET", "api/kernels")[1] == []
    assert "1 kernel(s) left running by an earlier server" in plain.log()
    stop(plain, "SIGTERM")
    assert kernel_pid(kernel_id) is not None
    second = jp_server_process(PERSIST, "--MappingKernelManager.cull_idle_timeout=2",
                               "--MappingKernelManager.cull_interval=1")
    assert "1 kernel(s) adopted" in second.log()
    await until(lambda: api(second, "GET", "api/kernels")[1] == [])
    await until(lambda: kernel_pid(kernel_id) is None)
    assert f"Culling kernel {kernel_id}" in second.log()


@pytest.mark.parametrize("how", ["SIGTERM", "kill -9"])
async def test_gateway_kernels_and_sessions_survive_the_server(jp_server_process, tmp_path, kernels_to_reap, how):
    gw_runtime = tmp_path / "gw-runtime"
    gw_runtime.mkdir()
    gateway = jp_server_process(env={"JUPYTER_RUNTIME_DIR": str(gw_runtime)}, cwd=tmp_path)
    via = [PERSIST, f"--GatewayClient.url={gateway.url}", f"--GatewayClient.auth_token={gateway.token}"]
    first = jp_server_process(*via)
    session = new_session(first, kernels_to_reap)
    kernel_id = session["kernel"]["id"]
    assert (await run(first, kernel_id, "x = 41"))[0]["status"] == "ok"

    stop(first, how)
    second = jp_server_process(*via)
    assert "1 kernel(s) adopted" in second.log()
    status, sessions = api(second, "GET", "api/sessions")
    assert [(s["id"], s["kernel"]["id"]) for s in sessions] == [(session["id"], kernel_id)]
    reply, value = await run(second, kernel_id, "x + 1")
    assert value == "42", reply

    # Owned again: deleting the session shuts the kernel down on the gateway.
    assert api(second, "DELETE", f"api/sessions/{session['id']}")[0] == 204
    await until(lambda: api(gateway, "GET", "api/kernels")[1] == [])


async def test_a_gateway_kernel_gone_while_the_server_was_down_is_dropped(jp_server_process, tmp_path, kernels_to_reap):
    gw_runtime = tmp_path / "gw-runtime"
    gw_runtime.mkdir()
    gateway = jp_server_process(env={"JUPYTER_RUNTIME_DIR": str(gw_runtime)}, cwd=tmp_path)
    via = [PERSIST, f"--GatewayClient.url={gateway.url}", f"--GatewayClient.auth_token={gateway.token}"]
    first = jp_server_process(*via)
    kernel_id = new_session(first, kernels_to_reap)["kernel"]["id"]
    stop(first, "kill -9")
    assert api(gateway, "DELETE", f"api/kernels/{kernel_id}")[0] == 204  # someone shut it down there

    second = jp_server_process(*via)
    assert f"Kernel {kernel_id} (python3) is no longer on the gateway; dropping its record" in second.log()
    assert "0 kernel(s) adopted" in second.log()
    assert api(second, "GET", "api/sessions")[1] == []
    # The next start finds nothing left to drop.
    stop(second, "SIGTERM")
    third = jp_server_process(*via)
    assert "dropping its record" not in third.log() and "0 kernel(s) adopted" in third.log()
