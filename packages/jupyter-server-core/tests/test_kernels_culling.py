"""Culling idle kernels: MappingKernelManager.cull_idle_timeout, cull_interval, cull_connected."""

from __future__ import annotations

import json
import time

import pytest
from jupyter_server_core.pytest_plugin import wait_for


@pytest.fixture
def jp_server_config():
    return {"MappingKernelManager": {"cull_idle_timeout": 1, "cull_interval": 1}}


async def test_idle_kernels_culled_unless_connected(jp_fetch, jp_serverapp):
    km = jp_serverapp.kernel_manager
    assert (km.cull_idle_timeout, km.cull_interval, km.cull_connected, km.cull_busy) == (1, 1, False, False)
    connected = json.loads((await jp_fetch("api", "kernels", method="POST", body={})).body)["id"]
    km.notify_connect(connected)  # what the kernel WebSocket does for each client
    idle = json.loads((await jp_fetch("api", "kernels", method="POST", body={})).body)["id"]
    assert json.loads((await jp_fetch("api", "kernels", connected)).body)["connections"] == 1
    assert json.loads((await jp_fetch("api", "status")).body)["connections"] == 1

    async def culled(kernel_id):
        return (await jp_fetch("api", "kernels", kernel_id, raise_error=False)).code == 404

    await wait_for(lambda: culled(idle))
    record = km.kernel_record(connected)

    async def idle_past_timeout():
        return record.last_activity.timestamp() + km.cull_idle_timeout < time.time()

    await wait_for(idle_past_timeout)
    # Idle long enough, but connected: a culling pass leaves it alone.
    assert await km.cull_kernels() == []
    assert (await jp_fetch("api", "kernels", connected)).code == 200

    km.notify_disconnect(connected)
    await wait_for(lambda: culled(connected))
    assert km.connection_count() == 0


async def test_busy_kernel_not_culled(jp_fetch, jp_serverapp):
    km = jp_serverapp.kernel_manager
    kid = json.loads((await jp_fetch("api", "kernels", method="POST", body={})).body)["id"]
    # The culler runs every second and the fresh kernel is idle: until the kernel is busy,
    # a (pretend) client keeps the culler away, or it may cull the kernel under our feet.
    km.notify_connect(kid)
    client = km.get_kernel(kid).client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=30)
        client.execute("import time; time.sleep(60)")
        record = km.kernel_record(kid)

        async def busy():
            return record.execution_state == "busy"

        await wait_for(busy)
        km.notify_disconnect(kid)

        async def busy_past_timeout():
            return record.execution_state == "busy" and (
                record.last_activity.timestamp() + km.cull_idle_timeout < time.time()
            )

        await wait_for(busy_past_timeout)
        assert kid in km  # the periodic culler left it alone too
        assert await km.cull_kernels() == []  # cull_busy is False
        km.cull_busy = True

        async def culled():
            return kid not in km

        await wait_for(culled)
    finally:
        client.stop_channels()
