"""Kernel start-up races, each repeated on fresh kernels: not one message may be lost.

``KERNEL_RACE_ROUNDS`` (default 3) sets how many fresh kernels each test goes through;
``python3 tools/kernel_races.py --rounds 200 --load 2`` runs them at length on a busy
machine. Every round waits on events with generous timeouts: a lost message shows as
a timeout naming the round, never as a slow pass.

- ``input()`` as the very first execution of a fresh kernel, over both WebSocket
  protocols (the kernel's stdin ROUTER drops an input_request for a peer whose
  handshake it has not seen yet);
- the manager's own iopub watcher sees the first execution of a fresh kernel
  (a SUB socket's subscription reaches the kernel some time after it connects);
- a pending kernel reaches ``idle`` while other processes keep every CPU busy;
- culling leaves alone a kernel that is still starting.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime

import pytest
from jupyter_server_core.kernels._wsclient import KernelWebSocketClient
from jupyter_server_core.kernels._wsprotocol import V1_PROTOCOL
from jupyter_server_core.pytest_plugin import wait_for

ROUNDS = int(os.environ.get("KERNEL_RACE_ROUNDS", "3"))
#: Fresh kernels started side by side in each round (more makes the machine busier).
PARALLEL = int(os.environ.get("KERNEL_RACE_PARALLEL", "2"))
#: Seconds allowed for one step of a round; far above what a loaded machine needs.
STEP_TIMEOUT = 90.0


async def _rounds(one_round) -> None:
    """Run ``one_round(n)`` for n in range(ROUNDS), PARALLEL at a time; all must pass."""
    failures = []
    for first in range(0, ROUNDS, PARALLEL):
        numbers = range(first, min(first + PARALLEL, ROUNDS))
        results = await asyncio.gather(*(one_round(n) for n in numbers), return_exceptions=True)
        failures += [f"round {n}: {r!r}" for n, r in zip(numbers, results, strict=True) if isinstance(r, BaseException)]
    assert not failures, f"{len(failures)} of {ROUNDS} rounds lost a message:\n" + "\n".join(failures)


async def _start(jp_fetch) -> str:
    return str(json.loads((await jp_fetch("api", "kernels", method="POST", body="{}")).body)["id"])


async def _model(jp_fetch, kernel_id: str) -> dict:
    return dict(json.loads((await jp_fetch("api", "kernels", kernel_id)).body))


@pytest.mark.parametrize("protocol", ["legacy", "v1"])
async def test_input_as_the_first_execution(jp_fetch, jp_ws_fetch, protocol):
    subprotocols = [V1_PROTOCOL] if protocol == "v1" else None

    async def one_round(n: int) -> None:
        kernel_id = await _start(jp_fetch)
        ws = await jp_ws_fetch("api", "kernels", kernel_id, "channels", subprotocols=subprotocols)
        client = KernelWebSocketClient(ws)
        try:
            code = f"answer = input('round {n}? '); print(answer * 2)"
            msg_id = await client.send(client.request("execute_request", {"code": code, "allow_stdin": True}))
            while True:
                msg = await client.recv(STEP_TIMEOUT)
                assert msg is not None, "the server closed the WebSocket"
                if msg["channel"] == "stdin":
                    break
            assert msg["header"]["msg_type"] == "input_request"
            assert msg["content"]["prompt"] == f"round {n}? "
            answer = client.request("input_reply", {"value": "ok"}, channel="stdin")
            answer["parent_header"] = msg["header"]
            await client.send(answer)
            reply, outputs = await client.collect(msg_id, STEP_TIMEOUT)
            assert reply is not None and reply["content"]["status"] == "ok"
            # print() may reach iopub in two parts (text, newline): compare the joined text.
            assert "".join(m["content"]["text"] for m in outputs if m["header"]["msg_type"] == "stream") == "okok\n"
        finally:
            client.close()
            await jp_fetch("api", "kernels", kernel_id, method="DELETE")

    await _rounds(one_round)


async def test_watcher_sees_the_first_execution(jp_fetch, jp_ws_fetch):
    async def one_round(n: int) -> None:
        kernel_id = await _start(jp_fetch)
        client = KernelWebSocketClient(await jp_ws_fetch("api", "kernels", kernel_id, "channels"))
        try:
            # Connecting set last_activity; only the watcher moves it again (on output
            # of requests that count as activity: kernel_info traffic does not).
            connected = datetime.fromisoformat((await _model(jp_fetch, kernel_id))["last_activity"])
            reply, _ = await client.execute(f"print('round {n}')", timeout=STEP_TIMEOUT)
            assert reply is not None and reply["content"]["status"] == "ok"

            async def watched() -> bool:
                model = await _model(jp_fetch, kernel_id)
                return datetime.fromisoformat(model["last_activity"]) > connected and model["execution_state"] == "idle"

            await wait_for(watched, timeout=STEP_TIMEOUT)
        finally:
            client.close()
            await jp_fetch("api", "kernels", kernel_id, method="DELETE")

    await _rounds(one_round)


@pytest.fixture
def busy_cpus() -> Iterator[None]:
    """One process spinning per CPU (at most 8) for the length of the test."""
    count = min(os.cpu_count() or 2, 8)
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]
    try:
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


@pytest.mark.parametrize("jp_server_config", [{"MappingKernelManager": {"use_pending_kernels": True}}])
async def test_pending_kernel_reaches_idle_on_a_busy_machine(jp_fetch, busy_cpus):
    async def one_round(n: int) -> None:
        kernel_id = await _start(jp_fetch)
        try:
            async def idle() -> bool:
                return (await _model(jp_fetch, kernel_id))["execution_state"] == "idle"

            await wait_for(idle, timeout=STEP_TIMEOUT, interval=0.1)
        finally:
            await jp_fetch("api", "kernels", kernel_id, method="DELETE")

    await _rounds(one_round)


SLOW_START = """
import runpy, sys, time
time.sleep(float(sys.argv.pop(1)))
sys.argv[0] = "ipykernel_launcher"
runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)
"""


async def _start_slow_kernel(jp_fetch, jp_environ, seconds: int) -> str:
    """Start a real ipykernel that sleeps ``seconds`` before it reads its connection file."""
    spec_dir = jp_environ["data"] / "kernels" / "slow"
    spec_dir.mkdir(parents=True)
    argv = [sys.executable, "-c", SLOW_START, str(seconds), "-f", "{connection_file}"]
    (spec_dir / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "Slow", "language": "python"}))
    return json.loads((await jp_fetch("api", "kernels", method="POST", body={"name": "slow"})).body)["id"]


@pytest.mark.parametrize("jp_server_config", [{"MappingKernelManager": {"cull_idle_timeout": 1, "cull_interval": 1}}])
async def test_culling_spares_a_kernel_still_starting(jp_fetch, jp_serverapp, jp_environ):
    # A real ipykernel that takes 4 s before it even reads its connection file: idle
    # for longer than cull_idle_timeout by the clock, but starting all that time.
    km = jp_serverapp.kernel_manager
    kernel_id = await _start_slow_kernel(jp_fetch, jp_environ, 4)
    record = km.kernel_record(kernel_id)

    async def overdue_while_starting() -> bool:
        idle = (datetime.now(record.last_activity.tzinfo) - record.last_activity).total_seconds()
        return idle > 2 * km.cull_idle_timeout and record.execution_state == "starting"

    await wait_for(overdue_while_starting)
    assert await km.cull_kernels() == []
    assert kernel_id in km
    # Once it answers it is an idle kernel like any other, and culled.

    async def culled() -> bool:
        return kernel_id not in km

    await wait_for(culled, timeout=STEP_TIMEOUT)
    assert record.execution_state == "idle"


async def test_a_restart_asked_during_an_auto_restart_waits_for_it(jp_fetch, jp_serverapp, jp_environ):
    # The kernel dies (as when another process took one of its ports before it bound
    # them); the auto-restarter brings up a new, slow-starting process. A restart asked
    # meanwhile applies to the new process instead of failing with 409.
    km = jp_serverapp.kernel_manager
    kernel_id = await _start_slow_kernel(jp_fetch, jp_environ, 2)
    record = km.kernel_record(kernel_id)

    async def idle() -> bool:
        return record.execution_state == "idle"

    await wait_for(idle, timeout=STEP_TIMEOUT)
    answers: list[asyncio.Future] = []

    def on_event(kid: str, event: str) -> None:
        if event == "restarting" and not answers:  # the auto-restarter is about to relaunch
            answers.append(asyncio.ensure_future(jp_fetch(
                "api", "kernels", kernel_id, "restart", method="POST", body="", request_timeout=STEP_TIMEOUT,
                raise_error=False)))

    km.on_kernel_event(kernel_id, on_event)
    km.get_kernel(kernel_id).provisioner.process.kill()

    async def asked() -> bool:
        return bool(answers)

    await wait_for(asked, timeout=STEP_TIMEOUT)
    r = await answers[0]
    assert r.code == 200, r.body
    assert json.loads(r.body)["id"] == kernel_id
    await wait_for(idle, timeout=STEP_TIMEOUT)
