"""Replay from the kernel output journal: a returning session, ``?replay_since=`` on the
kernel WebSocket, ``GET /api/kernels/<id>/journal``, and a server restart in between."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from jupyter_server_core.auth import Authorizer
from jupyter_server_core.kernels._wsclient import KernelWebSocketClient
from jupyter_server_core.kernels._wsregistry import registry_for
from jupyter_server_core.pytest_plugin import wait_for
from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.websocket import websocket_connect

UNKNOWN = "00000000-0000-0000-0000-000000000000"
PERSIST = "--MappingKernelManager.enable_persistence=True"

COUNT_CODE = "import time\nfor i in range(1, {n} + 1):\n    print(i, flush=True)\n    time.sleep({pause})\n"


class NoExecuteAuthorizer(Authorizer):
    def is_authorized(self, handler, user, action, resource):
        return action != "execute"


def stdout(messages) -> str:
    return "".join(m["content"]["text"] for m in messages
                   if m["header"]["msg_type"] == "stream" and m["content"]["name"] == "stdout")


async def journal(jp_fetch, kernel_id, **params):
    r = await jp_fetch("api", "kernels", kernel_id, "journal", params=params or None)
    return json.loads(r.body)


async def read_until_idle(client, msg_id, timeout=60):
    """Every message for ``msg_id`` up to its idle status (the execute_reply too)."""
    seen = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        msg = await client.recv(max(0.01, deadline - loop.time()))
        assert msg is not None, "the server closed the WebSocket"
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        seen.append(msg)
        if msg["header"]["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return seen


async def test_returning_session_is_replayed_from_the_journal(connect, jp_fetch, jp_serverapp, kernel_id):
    client = await connect(session_id="s1")
    msg_id = await client.send(client.request("execute_request", {"code": COUNT_CODE.format(n=6, pause=0.3)}))
    while "1\n" not in stdout(await client.drain(0.2)):
        pass
    client.close()

    async def nobody_connected():
        return json.loads((await jp_fetch("api", "kernels", kernel_id)).body)["connections"] == 0

    await wait_for(nobody_connected)
    # What the session misses waits in the journal, not in the session's buffer.
    registry = registry_for(jp_serverapp.kernel_manager)
    await wait_for(lambda: _true(registry.buffered_sessions()))
    buffer = registry._buffers[kernel_id]
    assert buffer.iopub_from is not None

    async def all_printed():
        return "6\n" in stdout((await journal(jp_fetch, kernel_id))["messages"])

    await wait_for(all_printed)
    assert all(m.channel != "iopub" for m in buffer.messages)

    again = await connect(session_id="s1")
    reply, outputs = await again.collect(msg_id, timeout=60)
    assert reply["content"]["status"] == "ok"
    text = stdout(outputs)
    assert text.endswith("6\n")
    assert text.split()[-1] == "6" and "5\n6\n" in text


async def _true(value):
    return value


async def test_new_session_asks_for_replay_since_a_message(connect, jp_fetch, kernel_id):
    client = await connect(session_id="first")
    reply, outputs = await client.execute(COUNT_CODE.format(n=5, pause=0), timeout=60)
    assert reply["content"]["status"] == "ok"
    client.close()
    since = outputs[0]["header"]["msg_id"]  # the busy status of the request
    listed = (await journal(jp_fetch, kernel_id, since=since))["messages"]
    assert stdout(listed) == "1\n2\n3\n4\n5\n"

    # A new page (new session id) asks for everything after that message.
    page = await connect(session_id="second", query={"replay_since": since})
    replayed = []
    while not any(m["header"]["msg_id"] == listed[-1]["msg_id"] for m in replayed):
        msg = await page.recv()
        assert msg is not None
        replayed.append(msg)
    assert stdout(replayed) == "1\n2\n3\n4\n5\n"
    assert since not in [m["header"]["msg_id"] for m in replayed]
    # In the journal's order; a run of stream messages may come merged into one that
    # carries the header of its last message.
    ids = [m["msg_id"] for m in listed]
    got = [m["header"]["msg_id"] for m in replayed if m["channel"] == "iopub"]
    assert got[-1] == ids[-1]
    assert [ids.index(i) for i in got] == sorted(ids.index(i) for i in got)
    # And it is live from there on.
    reply, outputs = await page.execute("print('after')")
    assert stdout(outputs) == "after\n"


async def test_journal_endpoint_pages_and_refuses(jp_fetch, connect, kernel_id):
    client = await connect()
    await client.execute(COUNT_CODE.format(n=3, pause=0), timeout=60)
    everything = await journal(jp_fetch, kernel_id)
    assert not everything["more"]
    messages = everything["messages"]
    assert [m["seq"] for m in messages] == sorted(m["seq"] for m in messages)
    page = await journal(jp_fetch, kernel_id, limit="2")
    assert page["more"] and [m["msg_id"] for m in page["messages"]] == [m["msg_id"] for m in messages[:2]]
    rest = await journal(jp_fetch, kernel_id, since=page["messages"][-1]["msg_id"])
    assert [m["msg_id"] for m in rest["messages"]] == [m["msg_id"] for m in messages[2:]]

    async def error(*parts, **params):
        with pytest.raises(HTTPClientError) as info:
            await jp_fetch(*parts, params=params or None)
        body = json.loads(info.value.response.body)
        assert set(body) == {"message", "reason"}
        return info.value.code, body["message"]

    assert (await error("api", "kernels", kernel_id, "journal", since="no-such-message"))[0] == 404
    assert (await error("api", "kernels", kernel_id, "journal", since=""))[0] == 400
    assert (await error("api", "kernels", kernel_id, "journal", limit="lots"))[0] == 400
    assert (await error("api", "kernels", kernel_id, "journal", limit="0"))[0] == 400
    assert (await error("api", "kernels", UNKNOWN, "journal"))[0] == 404
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("api", "kernels", kernel_id, "journal", headers={"Authorization": None})
    assert info.value.code == 403

    # On the WebSocket: an unknown message id is a 404 before the upgrade, a bad one a 400.
    with pytest.raises(HTTPClientError) as info:
        await connect(query={"replay_since": "no-such-message"})
    assert info.value.code == 404
    with pytest.raises(HTTPClientError) as info:
        await connect(query={"replay_since": "x" * 300})
    assert info.value.code == 400


@pytest.mark.parametrize("jp_server_config", [{"ServerApp": {"authorizer_class": NoExecuteAuthorizer}}])
async def test_journal_needs_the_execute_permission(jp_fetch, kernel_id):
    with pytest.raises(HTTPClientError) as info:
        await jp_fetch("api", "kernels", kernel_id, "journal")
    assert info.value.code == 403


# -- a real server process, restarted with persistence ------------------------------------


def api(server: Any, method: str, path: str) -> tuple[int, Any]:
    request = urllib.request.Request(server.url + path, data=b"" if method == "POST" else None, method=method,
                                     headers={"Authorization": f"token {server.token}"})
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


async def connect_process(server: Any, kernel_id: str) -> KernelWebSocketClient:
    url = server.url.replace("http", "ws", 1) + f"api/kernels/{kernel_id}/channels"
    ws = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {server.token}"}))
    return KernelWebSocketClient(ws)


@pytest.fixture
def kernels_to_reap() -> Any:
    """Kernel ids whose processes are killed after the test (they outlive the servers)."""
    ids: list[str] = []
    yield ids
    for kernel_id in ids:
        needle = f"kernel-{kernel_id}.json".encode()
        for entry in Path("/proc").iterdir():
            try:
                if entry.name.isdigit() and needle in (entry / "cmdline").read_bytes():
                    os.kill(int(entry.name), signal.SIGKILL)
            except OSError:
                continue


async def test_server_restart_keeps_the_journal(jp_server_process, kernels_to_reap):
    first = jp_server_process(PERSIST)
    status, kernel = api(first, "POST", "api/kernels")
    assert status == 201, kernel
    kernel_id = kernel["id"]
    kernels_to_reap.append(kernel_id)
    client = await connect_process(first, kernel_id)
    msg_id = await client.send(client.request("execute_request", {"code": COUNT_CODE.format(n=8, pause=0.5)}))
    while "2\n" not in stdout(await client.drain(0.2)):
        pass
    first.proc.terminate()  # in the middle of the cell
    first.proc.wait(timeout=60)

    second = jp_server_process(PERSIST)
    status, listed = api(second, "GET", f"api/kernels/{kernel_id}/journal")
    assert status == 200, listed
    assert stdout(listed["messages"]).startswith("1\n2\n"), "what the first server journaled is kept"
    seqs = [m["seq"] for m in listed["messages"]]
    assert seqs == sorted(seqs)

    async def finished():
        _, now = api(second, "GET", f"api/kernels/{kernel_id}/journal")
        idle = [m for m in now["messages"] if m["parent_header"].get("msg_id") == msg_id
                and m["msg_type"] == "status" and m["content"]["execution_state"] == "idle"]
        return now if idle else None

    after = await wait_for(finished, timeout=60)
    assert stdout(after["messages"]).endswith("8\n"), "the second server goes on journaling the same cell"
    later = [m["seq"] for m in after["messages"]]
    assert later == sorted(later) and later[: len(seqs)] == seqs
    second.stop()
