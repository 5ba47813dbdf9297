"""Lossless flow control: a kernel WebSocket client that reads slowly misses nothing, and
the server's memory stays bounded (what it has not read waits in the journal on disk)."""

from __future__ import annotations

import asyncio
import json
import urllib.request

import pytest
from jupyter_server_core.kernels._wsclient import KernelWebSocketClient
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

LINES = 10**6
#: The bound on the server's peak RSS (VmHWM) this test holds it to, in MiB (measured:
#: about 90 MiB, kernel output and all; the million lines are about 7 MB of text).
RSS_BOUND_MIB = 150


def peak_rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM in /proc")


def api(server, method: str, path: str):
    request = urllib.request.Request(server.url + path, data=b"{}" if method == "POST" else None, method=method,
                                     headers={"Authorization": f"token {server.token}"})
    with urllib.request.urlopen(request, timeout=60) as r:
        return json.loads(r.read() or b"null")


@pytest.mark.parametrize("protocol", ["", "v1.kernel.websocket.jupyter.org"])
async def test_a_million_lines_reach_a_slow_reader(jp_server_process, protocol):
    server = jp_server_process("--log-level=DEBUG")
    kernel_id = api(server, "POST", "api/kernels")["id"]
    url = server.url.replace("http", "ws", 1) + f"api/kernels/{kernel_id}/channels"
    ws = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {server.token}"}),
                                 subprotocols=[protocol] if protocol else None)
    client = KernelWebSocketClient(ws)
    msg_id = await client.send(client.request("execute_request", {"code": f"for i in range({LINES}): print(i)",
                                                                  "silent": False}))

    def finished() -> bool:
        since = ""
        while True:
            page = api(server, "GET", f"api/kernels/{kernel_id}/journal?limit=10000{since}")
            if any(m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "status"
                   and m["content"]["execution_state"] == "idle" for m in page["messages"]):
                return True
            if not page["more"]:
                return False
            since = f"&since={page['messages'][-1]['msg_id']}"

    # The reader takes nothing until the kernel is done printing, then reads slowly.
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 300
    while not await loop.run_in_executor(None, finished):
        assert loop.time() < deadline, "the kernel did not finish printing"
        await asyncio.sleep(0.5)
    text: list[str] = []
    while True:
        msg = await client.recv(120)
        assert msg is not None, "the server closed the WebSocket"
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind = msg["header"]["msg_type"]
        if kind == "stream" and msg["content"]["name"] == "stdout":
            text.append(msg["content"]["text"])
            await asyncio.sleep(0.01)  # a slow reader
        if kind == "status" and msg["content"]["execution_state"] == "idle":
            break
    lines = "".join(text).split("\n")
    assert lines[-1] == ""
    assert lines[:-1] == [str(i) for i in range(LINES)], "every line arrives, once, in order"
    assert "serving it from the journal" in server.log(), "the slow client was served from the journal"
    peak = peak_rss_mib(server.proc.pid)
    print(f"server peak RSS: {peak:.1f} MiB")
    assert peak < RSS_BOUND_MIB
    client.close()
