"""The kernel WebSocket with a real ipykernel, over both protocols.

One kernel per protocol: execute (stream, display_data, error), input() over stdin,
comm messages with binary buffers, two clients on one kernel, interrupt.
"""

from __future__ import annotations

import json

import pytest
from jupyter_server_core.kernels._wsclient import KernelWebSocketClient
from jupyter_server_core.kernels._wsprotocol import V1_PROTOCOL

PROTOCOLS = {"legacy": None, "v1": [V1_PROTOCOL]}

COMM_ECHO = """
import comm
def _target(c, open_msg):
    @c.on_msg
    def _echo(msg):
        c.send({"echo": msg["content"]["data"], "n": len(msg["buffers"])},
               buffers=[bytes(b)[::-1] for b in msg["buffers"]])
comm.get_comm_manager().register_target("echo", _target)
"""


@pytest.fixture(params=list(PROTOCOLS))
def protocol(request):
    return request.param


@pytest.fixture
async def kernel_id(jp_fetch):
    r = await jp_fetch("api", "kernels", method="POST", body="{}")
    return json.loads(r.body)["id"]


@pytest.fixture
def connect(jp_ws_fetch, kernel_id, protocol):
    async def connect(session_id: str = "", subprotocols=PROTOCOLS[protocol]):
        params = {"session_id": session_id} if session_id else None
        ws = await jp_ws_fetch("api", "kernels", kernel_id, "channels", params=params, subprotocols=subprotocols)
        return KernelWebSocketClient(ws, session=session_id)

    return connect


def types(messages):
    return [m["header"]["msg_type"] for m in messages]


async def test_protocol_negotiation(connect, protocol):
    client = await connect()
    assert client.ws.selected_subprotocol == (V1_PROTOCOL if protocol == "v1" else None)
    # A client offering only unknown subprotocols gets the default protocol.
    other = await connect(subprotocols=["no.such.protocol"])
    assert other.ws.selected_subprotocol is None
    reply, _ = await other.execute("1")
    assert reply["content"]["status"] == "ok"
    other.close()
    client.close()


async def test_execute_outputs_stdin_comms_and_two_clients(connect, protocol, jp_fetch, kernel_id):
    client = await connect(session_id="first")

    reply, outputs = await client.execute("print('hello'); 6 * 7")
    assert reply["channel"] == "shell"
    assert reply["content"]["status"] == "ok"
    stream = [m for m in outputs if m["header"]["msg_type"] == "stream"]
    assert stream[0]["content"] == {"name": "stdout", "text": "hello\n"}
    result = [m for m in outputs if m["header"]["msg_type"] == "execute_result"]
    assert result[0]["content"]["data"]["text/plain"] == "42"

    code = "from IPython.display import display, HTML; display(HTML('<b>x</b>'))"
    reply, outputs = await client.execute(code)
    display = [m for m in outputs if m["header"]["msg_type"] == "display_data"]
    assert display[0]["content"]["data"]["text/html"] == "<b>x</b>"

    reply, outputs = await client.execute("1 / 0")
    assert reply["content"]["status"] == "error"
    error = [m for m in outputs if m["header"]["msg_type"] == "error"]
    assert error[0]["content"]["ename"] == "ZeroDivisionError"
    assert error[0]["content"]["traceback"]

    # input(): the kernel asks on stdin, the client answers on stdin.
    msg_id = await client.send(client.request("execute_request", {"code": "x = input('name? '); print(x * 2)", "allow_stdin": True}))
    while True:
        msg = await client.recv()
        if msg["channel"] == "stdin":
            break
    assert msg["header"]["msg_type"] == "input_request"
    assert msg["content"]["prompt"] == "name? "
    answer = client.request("input_reply", {"value": "ab"}, channel="stdin")
    answer["parent_header"] = msg["header"]
    await client.send(answer)
    reply, outputs = await client.collect(msg_id)
    assert reply["content"]["status"] == "ok"
    # print() may reach iopub in two parts (text, newline): compare the joined text.
    assert "".join(m["content"]["text"] for m in outputs if m["header"]["msg_type"] == "stream") == "abab\n"

    # A comm message with binary buffers, both ways.
    reply, _ = await client.execute(COMM_ECHO)
    assert reply["content"]["status"] == "ok"
    opened = client.request("comm_open", {"comm_id": "c1", "target_name": "echo", "data": {}})
    _, _ = await client.collect(await client.send(opened), reply=False)
    payload = [b"\x00\x01binary\xff", b"", b"second"]
    msg_id = await client.send(client.request("comm_msg", {"comm_id": "c1", "data": {"k": 1}}, buffers=payload))
    _, outputs = await client.collect(msg_id, reply=False)
    echoed = [m for m in outputs if m["header"]["msg_type"] == "comm_msg"][0]
    assert echoed["content"]["data"] == {"echo": {"k": 1}, "n": 3}
    assert [bytes(b) for b in echoed["buffers"]] == [b[::-1] for b in payload]

    # A second client sees the first one's iopub traffic, but not its replies.
    second = await connect(session_id="second")
    await second.drain()
    reply, _ = await client.execute("print('shared')")
    # Read up to the idle status (output comes before it), then whatever follows.
    not_mine, seen = await second.collect(reply["parent_header"]["msg_id"], reply=False)
    assert not_mine is None
    seen += await second.drain(0.5)
    assert "".join(m["content"]["text"] for m in seen if m["header"]["msg_type"] == "stream") == "shared\n"
    assert not [m for m in seen if m["channel"] == "shell"]
    reply, _ = await second.execute("2 + 2")
    assert reply["content"]["status"] == "ok"
    assert not [m for m in await client.drain(0.3) if m["channel"] == "shell"]

    r = await jp_fetch("api", "kernels", kernel_id)
    assert json.loads(r.body)["connections"] == 2
    second.close()
    client.close()


async def test_interrupt(connect, jp_fetch, kernel_id):
    client = await connect()
    msg_id = await client.send(client.request("execute_request", {"code": "import time; print('sleeping', flush=True); time.sleep(30)"}))
    while True:  # wait until the kernel is inside the sleep
        msg = await client.recv()
        if msg["parent_header"].get("msg_id") == msg_id and msg["header"]["msg_type"] == "stream":
            break
    await jp_fetch("api", "kernels", kernel_id, "interrupt", method="POST")
    reply, outputs = await client.collect(msg_id)
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "KeyboardInterrupt"
    reply, _ = await client.execute("'still alive'")
    assert reply["content"]["status"] == "ok"
    client.close()
