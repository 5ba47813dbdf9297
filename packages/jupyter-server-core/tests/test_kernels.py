"""/api/kernels: start, list, read, interrupt, restart, shut down, and every error."""

from __future__ import annotations

import asyncio
import json
import os

import pytest
from jupyter_server_core.pytest_plugin import wait_for


def kernel_cwd(jp_serverapp, kernel_id):
    pid = jp_serverapp.kernel_manager.get_kernel(kernel_id).provisioner.pid
    return os.readlink(f"/proc/{pid}/cwd")


async def get_json(jp_fetch, *parts):
    return json.loads((await jp_fetch(*parts)).body)


async def test_kernel_lifecycle(jp_fetch, jp_serverapp, jp_base_url):
    r = await jp_fetch("api", "kernels", method="POST", body={"name": "python3"})
    assert r.code == 201
    model = json.loads(r.body)
    kid = model["id"]
    assert set(model) == {"id", "name", "last_activity", "execution_state", "connections"}
    assert model["name"] == "python3"
    assert model["last_activity"].endswith("Z")
    assert model["connections"] == 0
    assert r.headers["Location"] == f"{jp_base_url}api/kernels/{kid}"

    assert [k["id"] for k in await get_json(jp_fetch, "api", "kernels")] == [kid]

    # The manager watches the kernel itself: it becomes idle with no client connected.
    async def idle():
        return (await get_json(jp_fetch, "api", "kernels", kid))["execution_state"] == "idle"
    await wait_for(idle)
    status = await get_json(jp_fetch, "api", "status")
    assert status["kernels"] == 1

    r = await jp_fetch("api", "kernels", kid, "interrupt", method="POST")
    assert r.code == 204

    pid = jp_serverapp.kernel_manager.get_kernel(kid).provisioner.pid
    r = await jp_fetch("api", "kernels", kid, "restart", method="POST")
    assert r.code == 200
    restarted = json.loads(r.body)
    assert restarted["id"] == kid
    assert restarted["execution_state"] == "idle"
    new_pid = jp_serverapp.kernel_manager.get_kernel(kid).provisioner.pid
    assert new_pid != pid

    r = await jp_fetch("api", "kernels", kid, method="DELETE")
    assert r.code == 204
    for ended in (pid, new_pid):
        with pytest.raises(ProcessLookupError):
            os.kill(ended, 0)
    r = await jp_fetch("api", "kernels", kid, raise_error=False)
    assert r.code == 404
    assert json.loads(r.body)["message"] == f"Kernel does not exist: {kid}"
    assert await get_json(jp_fetch, "api", "kernels") == []


async def test_kernel_working_directory(jp_fetch, jp_serverapp, jp_root_dir):
    (jp_root_dir / "sub" / "deeper").mkdir(parents=True)
    started = await asyncio.gather(
        jp_fetch("api", "kernels", method="POST", body={"path": "sub/deeper"}),
        jp_fetch("api", "kernels", method="POST", body={"path": "sub/not-yet/created"}),
        jp_fetch("api", "kernels", method="POST", body={}),
    )
    deeper, missing, default = (json.loads(r.body)["id"] for r in started)
    root = os.path.realpath(jp_root_dir)  # noqa: ASYNC240
    assert kernel_cwd(jp_serverapp, deeper) == os.path.join(root, "sub", "deeper")
    # A directory that does not exist yet: its nearest existing parent.
    assert kernel_cwd(jp_serverapp, missing) == os.path.join(root, "sub")
    assert kernel_cwd(jp_serverapp, default) == root


@pytest.mark.parametrize("path", ["../x", "sub/../../x", "/etc", "escape", "escape/inner"])
async def test_path_outside_root_refused(jp_fetch, jp_serverapp, jp_root_dir, tmp_path, path):
    (tmp_path / "outside" / "inner").mkdir(parents=True)
    os.symlink(tmp_path / "outside", jp_root_dir / "escape")
    r = await jp_fetch("api", "kernels", method="POST", body={"path": path}, raise_error=False)
    assert r.code == 400
    assert "outside" in json.loads(r.body)["message"]
    assert jp_serverapp.kernel_manager.list_kernel_ids() == []


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"name": "nope"}, "No such kernel spec: 'nope'"),
        ("[1]", "JSON object"),
        ("{not json", "Invalid JSON"),
        ({"name": 5}, "name must be"),
        ({"path": ["a"]}, "path must be"),
    ],
)
async def test_start_errors_are_400(jp_fetch, jp_serverapp, body, fragment):
    r = await jp_fetch("api", "kernels", method="POST", body=body, raise_error=False)
    assert r.code == 400
    assert fragment in json.loads(r.body)["message"]
    assert jp_serverapp.kernel_manager.list_kernel_ids() == []


@pytest.mark.parametrize(
    ("method", "action"),
    [("GET", None), ("DELETE", None), ("POST", "interrupt"), ("POST", "restart")],
)
async def test_unknown_kernel_is_404(jp_fetch, method, action):
    kid = "00000000-0000-0000-0000-000000000000"
    parts = ["api", "kernels", kid] + ([action] if action else [])
    r = await jp_fetch(*parts, method=method, raise_error=False)
    assert r.code == 404
    assert json.loads(r.body) == {"message": f"Kernel does not exist: {kid}", "reason": None}


async def test_client_chooses_the_kernel_id(jp_fetch, jp_serverapp, jp_base_url):
    chosen = "0badc0de-1234-4abc-8def-0123456789ab"
    r = await jp_fetch("api", "kernels", method="POST", body={"name": "python3", "kernel_id": chosen})
    assert r.code == 201
    assert json.loads(r.body)["id"] == chosen
    assert r.headers["Location"] == f"{jp_base_url}api/kernels/{chosen}"
    assert (await get_json(jp_fetch, "api", "kernels", chosen))["name"] == "python3"
    # The same id again names the running kernel: no second process.
    again = await jp_fetch("api", "kernels", method="POST", body={"kernel_id": chosen})
    assert json.loads(again.body)["id"] == chosen
    assert jp_serverapp.kernel_manager.list_kernel_ids() == [chosen]
    # A session may name it too, and then shares that kernel.
    s = await jp_fetch("api", "sessions", method="POST",
                       body={"path": "a.ipynb", "type": "notebook", "kernel": {"id": chosen}})
    assert json.loads(s.body)["kernel"]["id"] == chosen
    for bad in ({"kernel_id": 7}, {"kernel_id": "not-a-uuid"}):
        r = await jp_fetch("api", "kernels", method="POST", body=bad, raise_error=False)
        assert r.code == 400
    assert jp_serverapp.kernel_manager.list_kernel_ids() == [chosen]


async def test_malformed_kernel_id_and_method(jp_fetch):
    r = await jp_fetch("api", "kernels", "not-an-id", raise_error=False)
    assert r.code == 404
    assert r.headers["Content-Type"].startswith("application/json")
    r = await jp_fetch("api", "kernels", method="PUT", body="{}", raise_error=False)
    assert r.code == 405


async def test_kernels_require_authentication(jp_fetch):
    r = await jp_fetch("api", "kernels", method="POST", body={}, headers={"Authorization": None}, raise_error=False)
    assert r.code == 403
    r = await jp_fetch("api", "kernels", headers={"Authorization": None}, raise_error=False)
    assert r.code == 403


@pytest.fixture
def jp_server_config(request):
    return getattr(request, "param", {})


@pytest.mark.parametrize("jp_server_config", [{"MappingKernelManager": {"use_pending_kernels": True}}], indirect=True)
async def test_pending_kernels(jp_fetch, jp_serverapp):
    km = jp_serverapp.kernel_manager
    r = await jp_fetch("api", "kernels", method="POST", body={})
    model = json.loads(r.body)
    assert r.code == 201
    assert model["execution_state"] == "starting"
    await km.get_kernel(model["id"]).ready

    async def idle():
        return (await get_json(jp_fetch, "api", "kernels", model["id"]))["execution_state"] == "idle"

    await wait_for(idle)
    assert (await jp_fetch("api", "kernels", model["id"], "interrupt", method="POST")).code == 204
    assert (await jp_fetch("api", "kernels", model["id"], method="DELETE")).code == 204
    assert await get_json(jp_fetch, "api", "kernels") == []

    async def process_gone():
        return km.list_kernel_ids() == []

    await wait_for(process_gone)  # pending kernels shut down in the background


async def test_kernel_that_cannot_start_is_a_clear_error(jp_fetch, jp_serverapp, jp_environ):
    spec_dir = jp_environ["data"] / "kernels" / "missing-program"
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps(
        {"argv": ["/nonexistent/program", "{connection_file}"], "display_name": "Broken", "language": "none"}
    ))
    r = await jp_fetch("api", "kernels", method="POST", body={"name": "missing-program"}, raise_error=False)
    body = json.loads(r.body)
    assert r.code == 500
    assert set(body) == {"message", "reason"}
    assert body["message"].startswith("The kernel 'missing-program' could not be started")
    assert "Traceback" not in body["message"]
    assert jp_serverapp.kernel_manager.list_kernel_ids() == []


async def test_shutdown_all_ends_every_process(jp_fetch, jp_serverapp):
    km = jp_serverapp.kernel_manager
    started = await asyncio.gather(*(jp_fetch("api", "kernels", method="POST", body={}) for _ in range(2)))
    pids = [km.get_kernel(json.loads(r.body)["id"]).provisioner.pid for r in started]
    await km.shutdown_all()  # what the server does when it stops
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert km.list_kernel_ids() == [] and km.list_kernels() == []


async def test_interrupt_right_after_start_does_not_kill_the_kernel(jp_fetch, jp_serverapp):
    km = jp_serverapp.kernel_manager
    kid = json.loads((await jp_fetch("api", "kernels", method="POST", body={})).body)["id"]
    pid = km.get_kernel(kid).provisioner.pid
    # Sent while the kernel may still be importing: the server waits until it is up.
    assert (await jp_fetch("api", "kernels", kid, "interrupt", method="POST")).code == 204

    async def idle():
        return (await get_json(jp_fetch, "api", "kernels", kid))["execution_state"] == "idle"

    await wait_for(idle)
    assert await km.get_kernel(kid).is_alive()
    assert km.get_kernel(kid).provisioner.pid == pid  # not a restarted process


async def test_kernel_actions_are_events(jp_fetch, jp_ws_fetch):
    ws = await jp_ws_fetch("api", "events", "subscribe")
    kid = json.loads((await jp_fetch("api", "kernels", method="POST", body={})).body)["id"]
    await jp_fetch("api", "kernels", kid, "interrupt", method="POST")
    await jp_fetch("api", "kernels", kid, "restart", method="POST")
    await jp_fetch("api", "kernels", kid, method="DELETE")
    await jp_fetch("api", "kernels", method="POST", body={"name": "nope"}, raise_error=False)
    seen = []
    for _ in range(5):
        event = json.loads(await asyncio.wait_for(ws.read_message(), 10))
        assert event["schema_id"].endswith("/kernel_actions/v1")
        seen.append((event["action"], event["status"], event.get("kernel_id"), event["kernel_name"]))
    ws.close()
    actions = ("start", "interrupt", "restart", "shutdown")
    assert seen == [(a, "success", kid, "python3") for a in actions] + [("start", "error", None, "nope")]


@pytest.mark.parametrize(
    "jp_server_config",
    [{"AsyncMappingKernelManager": {"cull_idle_timeout": 7}, "MappingKernelManager": {"cull_interval": 9}}],
    indirect=True,
)
async def test_config_of_both_class_names_applies(jp_serverapp):
    km = jp_serverapp.kernel_manager
    assert (km.cull_idle_timeout, km.cull_interval) == (7, 9)


async def test_kernel_output_is_server_activity(jp_fetch, jp_ws_fetch, jp_serverapp):
    """/api/status last_activity follows kernel output, not only API requests."""
    from jupyter_server_core.kernels._wsclient import KernelWebSocketClient

    r = await jp_fetch("api", "kernels", method="POST", body={"name": "python3"})
    kid = json.loads(r.body)["id"]
    ws = await jp_ws_fetch("api", "kernels", kid, "channels", params={"session_id": "activity"})
    client = KernelWebSocketClient(ws, session="activity")
    try:
        # The manager watches iopub on a socket of its own: it may see the output a moment
        # after the client does, so wait for it rather than assume it.
        async def seen(after=None):
            last = jp_serverapp.activity.last("kernels")
            return last if last is not None and (after is None or last > after) else None

        await client.execute("1 + 1")
        first = await wait_for(seen, timeout=10)
        # Output produced while no API request arrives still counts.
        await client.execute("import time; time.sleep(0.05); print('out')")
        later = await wait_for(lambda: seen(first), timeout=10)
        assert jp_serverapp.activity.last_activity() >= later
    finally:
        client.close()
        await jp_fetch("api", "kernels", kid, method="DELETE")
