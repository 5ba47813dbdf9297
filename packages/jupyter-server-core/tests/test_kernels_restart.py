"""A kernel killed from outside: reported, restarted by the server, or declared dead."""

from __future__ import annotations

import json
import os
import signal

import pytest
from jupyter_server_core.pytest_plugin import wait_for


@pytest.fixture
def jp_server_config(request):
    restarter = {"time_to_dead": 0.2, **getattr(request, "param", {})}
    return {"KernelRestarter": restarter}


async def start_idle_kernel(jp_fetch):
    kid = json.loads((await jp_fetch("api", "kernels", method="POST", body={})).body)["id"]

    async def idle():
        return json.loads((await jp_fetch("api", "kernels", kid)).body)["execution_state"] == "idle"

    await wait_for(idle)
    return kid


async def test_killed_kernel_is_restarted(jp_fetch, jp_serverapp):
    km = jp_serverapp.kernel_manager
    kid = await start_idle_kernel(jp_fetch)
    events: list[tuple[str, str]] = []
    km.on_kernel_event(kid, lambda k, e: events.append((k, e)))
    everything: list[str] = []
    km.on_kernel_event(None, lambda k, e: everything.append(e))
    old_pid = km.get_kernel(kid).provisioner.pid

    os.kill(old_pid, signal.SIGKILL)

    async def restarted():
        return (kid, "restarted") in events

    await wait_for(restarted)
    assert events[0] == (kid, "restarting")
    assert everything == ["restarting", "restarted"]
    model = json.loads((await jp_fetch("api", "kernels", kid)).body)
    # "idle" again means the new process answered a kernel_info request.
    assert model["execution_state"] == "idle"
    new_pid = km.get_kernel(kid).provisioner.pid
    assert new_pid != old_pid
    os.kill(new_pid, 0)  # alive


@pytest.mark.parametrize("jp_server_config", [{"restart_limit": 0}], indirect=True)
async def test_kernel_that_cannot_restart_is_dead_and_removed(jp_fetch, jp_serverapp):
    km = jp_serverapp.kernel_manager
    kid = await start_idle_kernel(jp_fetch)
    events: list[str] = []
    km.on_kernel_event(kid, lambda k, e: events.append(e))

    os.kill(km.get_kernel(kid).provisioner.pid, signal.SIGKILL)

    async def gone():
        return (await jp_fetch("api", "kernels", kid, raise_error=False)).code == 404

    await wait_for(gone)
    assert events == ["dead"]
    assert json.loads((await jp_fetch("api", "kernels")).body) == []


async def test_unsubscribed_callback_is_not_called(jp_fetch, jp_serverapp):
    km = jp_serverapp.kernel_manager
    kid = await start_idle_kernel(jp_fetch)
    kept: list[str] = []
    dropped: list[str] = []
    km.on_kernel_event(kid, lambda k, e: kept.append(e))
    unsubscribe = km.on_kernel_event(kid, lambda k, e: dropped.append(e))
    unsubscribe()
    assert (await jp_fetch("api", "kernels", kid, "restart", method="POST")).code == 200
    assert (await jp_fetch("api", "kernels", kid, method="DELETE")).code == 204
    assert kept == ["restarted", "shutdown"]
    assert dropped == []
