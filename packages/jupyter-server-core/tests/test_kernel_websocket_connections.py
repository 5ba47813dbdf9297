"""The kernel WebSocket across kernel and client lifecycles (restart, death, reconnect,
replay, stale connections) and what it refuses (unknown kernels, strangers, foreign
origins, malformed frames, output beyond the iopub rate limit)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import struct

import pytest
from jupyter_server_core.auth import Authorizer
from jupyter_server_core.kernels._wsprotocol import V1_PROTOCOL
from jupyter_server_core.pytest_plugin import wait_for
from tornado.httpclient import HTTPClientError

UNKNOWN = "00000000-0000-0000-0000-000000000000"


class NoExecuteAuthorizer(Authorizer):
    def is_authorized(self, handler, user, action, resource):
        return action != "execute"


async def wait_for_status(client, state, timeout=30):
    """Read until a status message with ``state``; returns the messages read."""
    seen = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        msg = await client.recv(max(0.01, deadline - loop.time()))
        assert msg is not None, f"closed before status {state!r}; got {seen}"
        seen.append(msg)
        if msg["header"]["msg_type"] == "status" and msg["content"]["execution_state"] == state:
            return seen


async def test_restart_and_death_are_reported(connect, jp_fetch, kernel_id):
    client = await connect(session_id="s1")
    reply, _ = await client.execute("a = 1")
    assert reply["content"]["execution_count"] == 1

    # A restart through the API: the same connection talks to the new kernel.
    await jp_fetch("api", "kernels", kernel_id, "restart", method="POST")
    reply, outputs = await client.execute("'a' in dir()")
    assert reply["content"]["execution_count"] == 1
    result = [m for m in outputs if m["header"]["msg_type"] == "execute_result"]
    assert result[0]["content"]["data"]["text/plain"] == "False"

    # Killed from outside: clients hear "restarting", then the restarted kernel works.
    reply, outputs = await client.execute("import os; os.getpid()")
    pid = int([m for m in outputs if m["header"]["msg_type"] == "execute_result"][0]["content"]["data"]["text/plain"])
    os.kill(pid, signal.SIGKILL)
    seen = await wait_for_status(client, "restarting")
    assert seen[-1]["channel"] == "iopub"
    await wait_for_status(client, "idle")
    reply, _ = await client.execute("1 + 1")
    assert reply["content"]["status"] == "ok"
    r = await jp_fetch("api", "kernels", kernel_id)
    assert json.loads(r.body)["connections"] == 1

    # Shut down: the WebSocket closes.
    await jp_fetch("api", "kernels", kernel_id, method="DELETE")
    while await client.recv() is not None:
        pass
    assert client.ws.close_code == 1000


@pytest.mark.parametrize("jp_server_config", [{"KernelRestarter": {"restart_limit": 0}}])
async def test_death_is_reported_and_closes(connect, jp_fetch, kernel_id):
    client = await connect(session_id="s1")
    reply, outputs = await client.execute("import os; os.getpid()")
    pid = int([m for m in outputs if m["header"]["msg_type"] == "execute_result"][0]["content"]["data"]["text/plain"])
    os.kill(pid, signal.SIGKILL)
    seen = await wait_for_status(client, "dead")
    assert seen[-1]["channel"] == "iopub"
    while await client.recv() is not None:
        pass
    assert client.ws.close_code == 1000
    r = await jp_fetch("api", "kernels", kernel_id, raise_error=False)
    assert r.code == 404


def _after_file(path, text: str) -> str:
    """Code that prints ``text`` once ``path`` exists: output exactly when a test says."""
    return f"import os, time\nwhile not os.path.exists({str(path)!r}): time.sleep(0.02)\nprint({text!r})"


def stream_text(messages) -> str:
    """The stream output among ``messages``, joined: a print() may arrive in two parts
    (its text and its newline), as the kernel flushes on its own schedule."""
    return "".join(m["content"]["text"] for m in messages if m["header"]["msg_type"] == "stream")


async def test_reconnect_replays_buffered_messages(connect, jp_fetch, kernel_id, tmp_path):
    async def nobody_connected():
        return json.loads((await jp_fetch("api", "kernels", kernel_id)).body)["connections"] == 0

    client = await connect(session_id="s1")
    msg_id = await client.send(client.request("execute_request", {"code": _after_file(tmp_path / "late", "late")}))
    client.close()
    await wait_for(nobody_connected)
    (tmp_path / "late").touch()  # the output comes while nobody is connected

    # The same session comes back (over the other protocol): it gets what it missed.
    again = await connect(session_id="s1", subprotocols=["v1.kernel.websocket.jupyter.org"])
    reply, outputs = await again.collect(msg_id)
    assert reply["content"]["status"] == "ok"
    assert stream_text(outputs) == "late\n"

    # Another session connecting drops the buffer of s1.
    msg_id = await again.send(again.request("execute_request", {"code": _after_file(tmp_path / "lost", "lost")}))
    again.close()
    await wait_for(nobody_connected)
    other = await connect(session_id="s2")
    # The status of the server's nudge (a kernel_info on control) shows s2's iopub is live.
    assert (await other.recv())["channel"] == "iopub"
    (tmp_path / "lost").touch()
    seen = []
    while stream_text(seen) != "lost\n":  # every client sees all iopub traffic: s2 sees what s1 missed
        msg = await other.recv()
        assert msg is not None, "the server closed the WebSocket"
        seen.append(msg)
    other.close()
    back = await connect(session_id="s1")
    assert "lost" not in stream_text(await back.drain(0.5))
    back.close()


async def test_stale_connection_of_same_session_is_replaced(connect, jp_fetch, kernel_id):
    old = await connect(session_id="same")
    msg_id = await old.send(old.request("execute_request", {"code": "import time; time.sleep(0.5); print('done')"}))
    new = await connect(session_id="same")
    # The old connection is closed; the reply of its request reaches the new one.
    while await old.recv() is not None:
        pass
    assert old.ws.close_code == 1000
    reply, outputs = await new.collect(msg_id)
    assert reply["content"]["status"] == "ok"
    assert stream_text(outputs) == "done\n"
    r = await jp_fetch("api", "kernels", kernel_id)
    assert json.loads(r.body)["connections"] == 1
    new.close()


async def test_without_session_id_nothing_is_buffered(connect, jp_serverapp, kernel_id):
    from jupyter_server_core.kernels._wsregistry import registry_for

    client = await connect()
    await client.execute("1")
    client.close()
    registry = registry_for(jp_serverapp.kernel_manager)
    for _ in range(100):
        if not registry.connections(kernel_id):
            break
        await asyncio.sleep(0.02)
    assert registry.connections(kernel_id) == []
    assert registry.buffered_sessions() == []


# -- refusals ----------------------------------------------------------------------


async def refused(jp_ws_fetch, *parts, **kwargs) -> HTTPClientError:
    with pytest.raises(HTTPClientError) as info:
        await jp_ws_fetch(*parts, **kwargs)
    return info.value


async def test_unknown_kernel_and_unauthenticated(jp_ws_fetch, kernel_id):
    error = await refused(jp_ws_fetch, "api", "kernels", UNKNOWN, "channels")
    assert error.code == 404
    assert json.loads(error.response.body) == {"message": f"No such kernel: {UNKNOWN}", "reason": None}
    error = await refused(jp_ws_fetch, "api", "kernels", kernel_id, "channels", headers={"Authorization": None})
    assert error.code == 403
    error = await refused(jp_ws_fetch, "api", "kernels", kernel_id, "channels", headers={"Authorization": "token wrong"})
    assert error.code == 403


@pytest.mark.parametrize("jp_server_config", [{"ServerApp": {"authorizer_class": NoExecuteAuthorizer}}])
async def test_not_authorized_to_execute(jp_ws_fetch, jp_fetch):
    # Starting a kernel is a "write"; only "execute" is refused.
    r = await jp_fetch("api", "kernels", method="POST", body="{}")
    kid = json.loads(r.body)["id"]
    error = await refused(jp_ws_fetch, "api", "kernels", kid, "channels")
    assert error.code == 403
    assert "not authorized" in json.loads(error.response.body)["message"]


async def test_origin(jp_ws_fetch, jp_fetch, jp_serverapp, jp_token, kernel_id):
    # A browser logged in with a cookie: only its own origin may open the WebSocket.
    r = await jp_fetch("api", "status", params={"token": jp_token}, headers={"Authorization": None})
    cookie = "; ".join(c.split(";")[0] for c in r.headers.get_list("Set-Cookie"))
    browser = {"Authorization": None, "Cookie": cookie}
    foreign = {**browser, "Origin": "http://evil.example.com"}
    error = await refused(jp_ws_fetch, "api", "kernels", kernel_id, "channels", headers=foreign)
    assert error.code == 403
    own = {**browser, "Origin": f"http://localhost:{jp_serverapp.port}"}
    ws = await jp_ws_fetch("api", "kernels", kernel_id, "channels", headers=own)
    ws.close()
    # A request carrying the token cannot be forged by another site: no origin check.
    ws = await jp_ws_fetch("api", "kernels", kernel_id, "channels", headers={"Origin": "http://evil.example.com"})
    ws.close()


def v1_frame(count: int, offsets: list[int], tail: bytes = b"") -> bytes:
    return struct.pack("<Q", count) + struct.pack(f"<{len(offsets)}Q", *offsets) + tail


MALFORMED = {
    "legacy": [
        "{not json",
        "[1, 2]",
        json.dumps({"channel": "shell", "content": {}}),
        b"\x00\x00\x00\x05short",
        struct.pack(">I", 2**31) + b"\x00" * 8,
    ],
    "v1": [
        "text frames are not v1",
        b"\x01",
        v1_frame(2**62, [16, 16]),                           # absurd count
        v1_frame(7, [64, 10**15, 70, 71, 72, 73, 74], b"x" * 20),  # offset beyond the frame
        v1_frame(6, [56, 60, 58, 60, 60, 60], b"x" * 4),      # offsets going back
        v1_frame(6, [56, 61, 65, 67, 69, 71], b"shell" + b"nope{}{}{}"),  # header not JSON
    ],
}


@pytest.mark.parametrize("protocol", ["legacy", "v1"])
async def test_malformed_frames_close_only_their_connection(connect, protocol):
    subprotocols = [V1_PROTOCOL] if protocol == "v1" else None
    bystander = await connect()
    for frame in MALFORMED[protocol]:
        client = await connect(subprotocols=subprotocols)
        await client.ws.write_message(frame, binary=isinstance(frame, bytes))
        while await client.recv() is not None:
            pass
        assert client.ws.close_code == 1007, frame
        assert client.ws.close_reason.startswith("Invalid frame")
    reply, outputs = await bystander.execute("print('unharmed')")
    assert reply["content"]["status"] == "ok"
    assert stream_text(outputs) == "unharmed\n"
    bystander.close()


async def test_unroutable_messages_are_ignored(connect):
    client = await connect()
    for channel in ("iopub", "nonsense"):
        await client.send(client.request("execute_request", {"code": "print('should not run')"}, channel=channel))
    reply, outputs = await client.execute("print('ran')")
    assert stream_text(outputs) == "ran\n"
    assert reply["content"]["execution_count"] == 1
    client.close()


@pytest.mark.parametrize(
    "jp_server_config",
    [{"ServerApp": {"limit_rate": True, "iopub_msg_rate_limit": 10.0, "rate_limit_window": 1.0}}],
)
async def test_iopub_rate_limit(connect):
    client = await connect()
    code = "import sys\nfor i in range(200):\n    print(i, flush=True)"
    reply, outputs = await client.execute(code)
    assert reply["content"]["status"] == "ok"
    streams = [m["content"] for m in outputs if m["header"]["msg_type"] == "stream"]
    notices = [s["text"] for s in streams if s["name"] == "stderr"]
    assert len(notices) == 1 and notices[0].startswith("IOPub message rate exceeded")
    assert "ServerApp.iopub_msg_rate_limit=10.0" in notices[0]
    assert len([s for s in streams if s["name"] == "stdout"]) < 200
    client.close()



async def test_request_survives_a_client_that_drops_while_the_nudge_runs(connect, jp_fetch, jp_serverapp, kernel_id):
    # A stopped kernel is what a very loaded machine looks like: the server's nudge waits
    # for an iopub message and holds the client's frames. The client sends a request and
    # closes; its close handshake goes unanswered, so it drops the TCP connection. The
    # request must still reach the kernel, and its reply and output wait for the session.
    km = jp_serverapp.kernel_manager
    await km.wait_for_kernel(kernel_id)
    pid = km.get_kernel(kernel_id).provisioner.pid
    os.kill(pid, signal.SIGSTOP)
    try:
        client = await connect(session_id="s1")
        msg_id = await client.send(client.request("execute_request", {"code": "print('kept')"}))
        client.close()
        # The client gives up on the close handshake. It may first get a status the kernel
        # published just before it stopped: the journal feeds clients whatever the
        # manager's watcher receives once they are connected.
        while await client.recv() is not None:
            pass
    finally:
        os.kill(pid, signal.SIGCONT)

    async def nobody_connected():
        return json.loads((await jp_fetch("api", "kernels", kernel_id)).body)["connections"] == 0

    await wait_for(nobody_connected)
    again = await connect(session_id="s1")
    reply, outputs = await again.collect(msg_id)
    assert reply["content"]["status"] == "ok"
    assert stream_text(outputs) == "kept\n"
    again.close()


async def test_output_around_a_close_is_not_lost(connect, jp_fetch, kernel_id):
    # The kernel prints numbered lines while the client closes: what the client read
    # before the close plus what the session gets replayed is every line, without a gap.
    code = "import time\nfor i in range(3000):\n    print(i, flush=True)\n    time.sleep(0.0005)"
    client = await connect(session_id="s1")
    msg_id = await client.send(client.request("execute_request", {"code": code}))

    def numbers(messages):
        texts = "".join(m["content"]["text"] for m in messages
                        if m["header"]["msg_type"] == "stream" and m["parent_header"].get("msg_id") == msg_id)
        return [int(line) for line in texts.split()]

    seen = []
    while not numbers(seen) or numbers(seen)[-1] < 200:
        msg = await client.recv()
        assert msg is not None
        seen.append(msg)
    client.close()
    while (msg := await client.recv()) is not None:
        seen.append(msg)

    async def nobody_connected():
        return json.loads((await jp_fetch("api", "kernels", kernel_id)).body)["connections"] == 0

    await wait_for(nobody_connected)
    again = await connect(session_id="s1")
    reply, outputs = await again.collect(msg_id)
    assert reply["content"]["status"] == "ok"
    got = numbers(seen) + numbers(outputs)
    assert got == list(range(3000))
    again.close()
