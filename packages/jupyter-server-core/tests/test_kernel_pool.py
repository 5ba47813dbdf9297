"""The warm kernel pool (KernelPool.sizes): real ipykernel kernels pre-started and handed out."""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from jupyter_server_core.kernels._wsclient import KernelWebSocketClient
from jupyter_server_core.pytest_plugin import child_processes, process_alive, wait_for


@pytest.fixture
def jp_server_config(jp_root_dir: Path) -> dict[str, Any]:
    (jp_root_dir / "sub").mkdir()
    return {"KernelPool": {"sizes": {"python3": 1}}}


async def warm_ids(km: Any) -> list[str]:
    return [k.kernel_id for k in km.kernel_pool.warm.get("python3", [])]


async def one_warm(km: Any) -> str:
    ids: list[str] = await wait_for(lambda: _warm_one(km), timeout=60)
    return ids[0]


async def _warm_one(km: Any) -> list[str] | None:
    ids = await warm_ids(km)
    return ids if len(ids) == 1 else None


async def cwd_and_session(jp_ws_fetch: Any, kid: str) -> list[str]:
    client = KernelWebSocketClient(await jp_ws_fetch("api", "kernels", kid, "channels"), "")
    reply, outputs = await client.execute(
        "import os, json; print(json.dumps([os.getcwd(), os.environ.get('JPY_SESSION_NAME', ''), globals().get('__session__', '')]))")
    client.close()
    assert reply is not None and reply["content"]["status"] == "ok"
    return list(json.loads("".join(m["content"]["text"] for m in outputs if m["header"]["msg_type"] == "stream")))


async def test_pooled_kernels_are_handed_out_and_refilled(
    jp_fetch: Any, jp_ws_fetch: Any, jp_serverapp: Any, jp_root_dir: Path,
) -> None:
    km = jp_serverapp.kernel_manager
    pooled = await one_warm(km)
    # Not a user kernel until handed out.
    assert json.loads((await jp_fetch("api", "kernels")).body) == []
    assert json.loads((await jp_fetch("api", "status")).body)["kernels"] == 0
    assert pooled not in km and await km.cull_kernels() == []

    created = json.loads((await jp_fetch("api", "kernels", method="POST", body={"name": "python3"})).body)
    assert created["id"] == pooled
    assert [k["id"] for k in json.loads((await jp_fetch("api", "kernels")).body)] == [pooled]
    assert (await cwd_and_session(jp_ws_fetch, pooled))[0] == str(jp_root_dir)

    # The pool refills; a session in a subfolder gets the next one, moved there first.
    second = await one_warm(km)
    assert second != pooled
    body = {"path": "sub/a.ipynb", "type": "notebook", "name": "a.ipynb", "kernel": {"name": "python3"}}
    session = json.loads((await jp_fetch("api", "sessions", method="POST", body=body)).body)
    assert session["kernel"]["id"] == second
    notebook = str(jp_root_dir / "sub" / "a.ipynb")
    assert await cwd_and_session(jp_ws_fetch, second) == [str(jp_root_dir / "sub"), notebook, notebook]

    # Without relocation, a kernel for another folder is not taken from the pool.
    third = await one_warm(km)
    km.kernel_pool.relocate_python = False
    other = json.loads((await jp_fetch("api", "sessions", method="POST", body={**body, "path": "sub/b.ipynb"})).body)
    assert other["kernel"]["id"] != third and await warm_ids(km) == [third]
    assert (await cwd_and_session(jp_ws_fetch, other["kernel"]["id"]))[0] == str(jp_root_dir / "sub")

    # Shutting down stops the pooled kernel too.
    warm = km.kernel_pool.warm["python3"][0]
    await km.shutdown_all()
    assert not await warm.is_alive()
    assert km.kernel_pool.all_kernels() == []


async def running_python3(jp_fetch: Any) -> float:
    """``kernel_currently_running_total{type="python3"}`` of /metrics (0 when absent)."""
    text = (await jp_fetch("metrics")).body.decode()
    found = re.search(r'^kernel_currently_running_total\{type="python3"\} (\S+)$', text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


async def test_pooled_kernels_are_neither_culled_nor_counted(jp_fetch: Any, jp_serverapp: Any) -> None:
    km = jp_serverapp.kernel_manager
    pooled = await one_warm(km)
    assert await running_python3(jp_fetch) == 0
    km.cull_idle_timeout, km.cull_interval = 1, 1

    # A kernel id imposed: the pool is not used. Idle, that kernel is culled...
    imposed = str(uuid.uuid4())
    created = json.loads((await jp_fetch("api", "kernels", method="POST",
                                         body={"name": "python3", "kernel_id": imposed})).body)
    assert created["id"] == imposed and await warm_ids(km) == [pooled]
    assert await running_python3(jp_fetch) == 1

    async def culled(kernel_id: str) -> bool:
        return kernel_id not in km

    await wait_for(lambda: culled(imposed), timeout=60)
    # ... while the pooled kernel, idle for longer still, stays warm and uncounted.
    assert await warm_ids(km) == [pooled] and await km.kernel_pool.warm["python3"][0].is_alive()
    assert await running_python3(jp_fetch) == 0

    # Handed out, it is a user kernel: counted, and culled once idle like any other.
    taken = json.loads((await jp_fetch("api", "kernels", method="POST", body={"name": "python3"})).body)
    assert taken["id"] == pooled and await running_python3(jp_fetch) == 1
    await wait_for(lambda: culled(pooled), timeout=60)
    assert await running_python3(jp_fetch) == 0


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads child processes from /proc")
async def test_stopping_the_server_stops_its_pooled_kernels(
    jp_server_process: Any, jp_environ: dict[str, Path],
) -> None:
    """A real server process, stopped with SIGTERM while its pool is warm: no kernel outlives it.

    The kernelspec turns off ipykernel's watch on its parent process (which would end an
    orphaned kernel by itself), so only the server's own shutdown can stop it.
    """
    spec_dir = jp_environ["data"] / "kernels" / "orphanable"
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "display_name": "Python (no parent watch)", "language": "python",
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}", "--IPKernelApp.parent_handle=1"],
    }))
    server = jp_server_process("--KernelPool.sizes=orphanable=1", "--log-level=DEBUG")

    async def warm() -> bool:
        return "Kernel pool orphanable: 1 warm" in server.log()

    kernels: set[int] = set()
    try:
        await wait_for(warm, timeout=90)
        kernels = child_processes(server.proc.pid)
        assert kernels, server.log()
        assert server.stop() == 0

        async def all_gone() -> bool:
            return not any(process_alive(pid) for pid in kernels)

        await wait_for(all_gone, timeout=30)
    finally:
        for pid in kernels:
            if process_alive(pid):
                os.kill(pid, signal.SIGKILL)


async def test_a_parameterized_kernelspec_pools_its_defaults(
    jp_fetch: Any, jp_ws_fetch: Any, jp_serverapp: Any, jp_environ: dict[str, Path],
) -> None:
    """JEP 87: pooled kernels run with the defaults and serve only requests that come to them."""
    spec_dir = jp_environ["data"] / "kernels" / "pooledparams"
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "display_name": "Python (pooled parameters)", "language": "python",
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "env": {"KP_WORKERS": "{workers}"},
        "metadata": {"parameters": {"type": "object", "properties": {
            "workers": {"type": "integer", "minimum": 1, "maximum": 8, "default": 2}}}},
    }))
    km = jp_serverapp.kernel_manager
    km.kernel_pool.sizes = {**km.kernel_pool.sizes, "pooledparams": 1}
    km.start_pool()

    async def warm() -> list[str] | None:
        ids = [k.kernel_id for k in km.kernel_pool.warm.get("pooledparams", [])]
        return ids or None

    pooled = (await wait_for(warm, timeout=60))[0]

    async def workers(kid: str) -> str:
        client = KernelWebSocketClient(await jp_ws_fetch("api", "kernels", kid, "channels"), "")
        reply, outputs = await client.execute("import os; print(os.environ['KP_WORKERS'])")
        client.close()
        assert reply is not None and reply["content"]["status"] == "ok"
        return "".join(m["content"]["text"] for m in outputs if m["header"]["msg_type"] == "stream").strip()

    async def start(values: dict[str, Any]) -> str:
        body = {"name": "pooledparams", "custom_kernel_specs": values}
        return str(json.loads((await jp_fetch("api", "kernels", method="POST", body=body)).body)["id"])

    other = await start({"workers": 5})
    assert other != pooled and await workers(other) == "5"
    assert await warm() == [pooled]
    same = await start({"workers": 2})  # the defaults' values: the pooled kernel fits
    assert same == pooled and await workers(same) == "2"
    for kid in (other, same):
        await jp_fetch("api", "kernels", kid, method="DELETE")
