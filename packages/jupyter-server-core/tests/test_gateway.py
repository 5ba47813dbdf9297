"""Kernels on a gateway: a second, in-process ServerApp of ours is the gateway.

The server under test (``jp_serverapp``) has ``GatewayClient.url`` pointing at it; every
request goes over real HTTP and WebSockets, kernels are real ipykernel processes the
gateway starts.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from jupyter_server_core.events._bus import GATEWAY_SCHEMA
from jupyter_server_core.kernels._wsclient import KernelWebSocketClient
from jupyter_server_core.kernels._wsprotocol import V1_PROTOCOL
from jupyter_server_core.kernels._wsregistry import registry_for
from jupyter_server_core.pytest_plugin import InProcessGateway
from tornado.httpclient import HTTPClientError
from tornado.websocket import WebSocketClientConnection

GW_TOKEN = "gateway-token-7d1e"


class Gateway(InProcessGateway):
    """An in-process ServerApp of ours serving as the gateway."""

    def __init__(self, root: Path, runtime: Path) -> None:
        super().__init__(root, runtime, GW_TOKEN)

    def drop_websockets(self, kernel_id: str) -> int:
        """Close the gateway's end of every kernel WebSocket of ``kernel_id``."""
        connections = registry_for(self.app.kernel_manager).connections(kernel_id)
        for connection in connections:
            connection.websocket_handler.close(1001, "gateway going away")  # type: ignore[attr-defined]
        return len(connections)


@pytest.fixture
def gateway_protocols() -> list[str]:
    """Subprotocols our server offers the gateway (empty: the JSON protocol)."""
    return [V1_PROTOCOL]


@pytest.fixture
async def gateway(tmp_path: Path, jp_environ: dict[str, Path]) -> AsyncIterator[Gateway]:
    gw = Gateway(tmp_path / "gw-root", tmp_path / "gw-runtime")
    await gw.start()
    try:
        yield gw
    finally:
        await gw.stop()


@pytest.fixture
def token_sent() -> str:
    """The token our server sends the gateway."""
    return GW_TOKEN


@pytest.fixture
def jp_server_config(gateway: Gateway, gateway_protocols: list[str], token_sent: str) -> dict[str, Any]:
    return {
        "GatewayClient": {"url": gateway.url, "auth_token": token_sent, "request_timeout": 30,
                          "connect_timeout": 5, "gateway_retry_interval": 0.1, "gateway_retry_max": 2},
        "GatewayWebSocketConnection": {"gateway_subprotocols": gateway_protocols},
    }


async def connect(jp_ws_fetch: Any, kernel_id: str, protocol: str, session: str = "") -> KernelWebSocketClient:
    params = {"session_id": session} if session else None
    ws: WebSocketClientConnection = await jp_ws_fetch(
        "api", "kernels", kernel_id, "channels", params=params, subprotocols=[protocol] if protocol else None,
    )
    client = KernelWebSocketClient(ws, session)
    assert client.protocol == protocol
    return client


def stdout_of(outputs: list[dict[str, Any]]) -> str:
    return "".join(m["content"]["text"] for m in outputs if m["header"]["msg_type"] == "stream")


async def test_kernelspecs_come_from_the_gateway(jp_fetch: Any, jp_base_url: str, jp_serverapp: Any,
                                                 gateway: Gateway) -> None:
    events: list[dict[str, Any]] = []

    async def listener(logger: Any, schema_id: str, data: dict[str, Any]) -> None:
        events.append(data)

    jp_serverapp.events.logger.add_listener(schema_id=GATEWAY_SCHEMA, listener=listener)
    specs = json.loads((await jp_fetch("api", "kernelspecs")).body)
    assert specs["default"] == "python3"
    python3 = specs["kernelspecs"]["python3"]
    assert python3["spec"]["language"] == "python"
    logo = python3["resources"]["logo-64x64"]
    assert logo == f"{jp_base_url}kernelspecs/python3/logo-64x64.png"
    # The logo is proxied from the gateway, byte for byte.
    ours = await jp_fetch(*logo[len(jp_base_url):].split("/"))
    assert ours.headers["Content-Type"] == "image/png"
    spec_dir = gateway.app.kernel_spec_manager.get_kernel_spec("python3").resource_dir
    assert ours.body == (Path(spec_dir) / "logo-64x64.png").read_bytes()
    one = json.loads((await jp_fetch("api", "kernelspecs", "python3")).body)
    assert one["name"] == "python3" and one["resources"] == python3["resources"]
    for parts in (("api", "kernelspecs", "nope"), ("kernelspecs", "python3", "missing.png"),
                  ("kernelspecs", "python3", "..", "..", "api", "kernels")):
        with pytest.raises(HTTPClientError) as err:
            await jp_fetch(*parts)
        assert err.value.code == 404, parts
    await asyncio.sleep(0.05)  # listeners run as tasks
    assert events[0]["status"] == "success" and events[0]["status_code"] == 200
    assert f"GET {gateway.url}/api/kernelspecs" in events[0]["msg"]
    assert any(e["status"] == "error" and e.get("status_code") == 404 for e in events)


@pytest.mark.parametrize("token_sent", ["not-the-token"])
async def test_a_gateway_refusing_our_token_is_a_clear_502(jp_fetch: Any, gateway: Gateway) -> None:
    for parts, method in ((("api", "kernelspecs"), "GET"), (("api", "kernels"), "POST"), (("api", "kernels"), "GET")):
        with pytest.raises(HTTPClientError) as err:
            await jp_fetch(*parts, method=method)
        assert err.value.code == 502
        message = json.loads(err.value.response.body)["message"]
        assert "refused this server's credentials" in message and "GatewayClient.auth_token" in message
        assert "not-the-token" not in message


@pytest.mark.parametrize("gateway_protocols", [[V1_PROTOCOL], []], ids=["gateway-v1", "gateway-json"])
async def test_kernel_lifecycle_over_rest_and_websocket(jp_fetch: Any, jp_ws_fetch: Any, gateway: Gateway) -> None:
    created = await jp_fetch("api", "kernels", method="POST", body={"name": "python3"})
    assert created.code == 201
    kernel = json.loads(created.body)
    kid = kernel["id"]
    assert kid in gateway.app.kernel_manager  # it runs on the gateway
    assert created.headers["Location"].endswith(f"/api/kernels/{kid}")
    listed = json.loads((await jp_fetch("api", "kernels")).body)
    assert [k["id"] for k in listed] == [kid]

    # Both client protocols, whatever the gateway side speaks.
    for protocol in ("", V1_PROTOCOL):
        client = await connect(jp_ws_fetch, kid, protocol)
        reply, outputs = await client.execute("print('via gateway', 6 * 7)")
        assert reply is not None and reply["content"]["status"] == "ok"
        assert stdout_of(outputs) == "via gateway 42\n"
        if protocol == V1_PROTOCOL:  # binary buffers survive the relay
            msg = client.request("comm_info_request", {}, buffers=[b"\x00\x01"])
            msg_id = await client.send(msg)
            reply, _ = await client.collect(msg_id)
            assert reply is not None and reply["header"]["msg_type"] == "comm_info_reply"
        client.close()

    # Interrupt a running cell through the REST API.
    client = await connect(jp_ws_fetch, kid, "")
    msg_id = await client.send(client.request("execute_request", {"code": "import time; print('sleeping', flush=True); time.sleep(60)", "silent": False}))
    while True:  # the kernel is in the cell
        msg = await client.recv()
        assert msg is not None
        if msg["header"]["msg_type"] == "stream":
            break
    interrupted = await jp_fetch("api", "kernels", kid, "interrupt", method="POST")
    assert interrupted.code == 204
    reply, _ = await client.collect(msg_id)
    assert reply is not None and reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "KeyboardInterrupt"
    model = json.loads((await jp_fetch("api", "kernels", kid)).body)
    assert model["connections"] == 1

    restarted = json.loads((await jp_fetch("api", "kernels", kid, "restart", method="POST")).body)
    assert restarted["id"] == kid
    reply, outputs = await client.execute("print('after restart')")
    assert stdout_of(outputs) == "after restart\n"

    deleted = await jp_fetch("api", "kernels", kid, method="DELETE")
    assert deleted.code == 204
    assert kid not in gateway.app.kernel_manager
    while await asyncio.wait_for(client.ws.read_message(), 10) is not None:
        pass  # the client's WebSocket closes: the kernel was shut down
    assert client.ws.close_code == 1000
    with pytest.raises(HTTPClientError) as err:
        await jp_fetch("api", "kernels", kid)
    assert err.value.code == 404
    assert json.loads(err.value.response.body)["message"] == f"No such kernel: {kid}"


async def test_sessions_are_local_kernels_remote(jp_fetch: Any, jp_serverapp: Any, gateway: Gateway) -> None:
    body = {"path": "work/a.ipynb", "type": "notebook", "name": "a.ipynb", "kernel": {"name": "python3"}}
    first = json.loads((await jp_fetch("api", "sessions", method="POST", body=body)).body)
    second = json.loads((await jp_fetch("api", "sessions", method="POST", body={**body, "path": "b.ipynb"})).body)
    kids = {first["kernel"]["id"], second["kernel"]["id"]}
    assert kids <= set(gateway.app.kernel_manager.list_kernel_ids())
    assert jp_serverapp.session_manager.store.get(session_id=first["id"]) is not None  # kept here
    # The gateway culls a kernel: its session goes with it.
    await gateway.app.kernel_manager.shutdown_kernel(first["kernel"]["id"])
    sessions = json.loads((await jp_fetch("api", "sessions")).body)
    assert [s["id"] for s in sessions] == [second["id"]]
    # Deleting a session shuts its kernel down on the gateway.
    await jp_fetch("api", "sessions", second["id"], method="DELETE")
    assert gateway.app.kernel_manager.list_kernel_ids() == []


async def test_a_dropped_gateway_websocket_reconnects_then_a_stopped_gateway_is_reported(
    jp_fetch: Any, jp_ws_fetch: Any, gateway: Gateway,
) -> None:
    kid = json.loads((await jp_fetch("api", "kernels", method="POST", body={})).body)["id"]
    client = await connect(jp_ws_fetch, kid, V1_PROTOCOL, session="s-1")
    reply, _ = await client.execute("x = 1")
    assert reply is not None
    assert gateway.drop_websockets(kid) == 1
    # The relay reconnects; the same client WebSocket keeps working.
    reply, outputs = await client.execute("print(x + 1)")
    assert stdout_of(outputs) == "2\n"

    await gateway.stop()
    # After gateway_retry_max attempts, the client's WebSocket closes with the reason.
    while await client.recv(timeout=30) is not None:
        pass
    assert client.ws.close_code == 1011
    assert gateway.url in (client.ws.close_reason or "")
    with pytest.raises(HTTPClientError) as err:
        await connect(jp_ws_fetch, kid, "")
    assert err.value.code == 503
    for parts, method in ((("api", "kernels"), "GET"), (("api", "kernels", kid, "interrupt"), "POST"),
                          (("api", "kernels"), "POST"), (("api", "kernelspecs"), "GET")):
        with pytest.raises(HTTPClientError) as err:
            await jp_fetch(*parts, method=method, body="{}" if method == "POST" else None)
        assert err.value.code == 503, parts
        message = json.loads(err.value.response.body)["message"]
        assert gateway.url in message and "not reachable" in message
    # The server itself is fine.
    assert (await jp_fetch("api", "status")).code == 200
    assert json.loads((await jp_fetch("api", "sessions")).body) == []


async def test_a_kernel_that_vanishes_from_the_gateway_is_dead_to_its_client(
    jp_fetch: Any, jp_ws_fetch: Any, gateway: Gateway,
) -> None:
    with pytest.raises(HTTPClientError) as err:
        await connect(jp_ws_fetch, "00000000-0000-0000-0000-000000000000", "")
    assert err.value.code == 404
    assert json.loads(err.value.response.body)["message"] == "No such kernel: 00000000-0000-0000-0000-000000000000"

    kid = json.loads((await jp_fetch("api", "kernels", method="POST", body={})).body)["id"]
    client = await connect(jp_ws_fetch, kid, "", session="s-2")
    reply, _ = await client.execute("1")
    assert reply is not None
    await gateway.app.kernel_manager.shutdown_kernel(kid)  # culled on the gateway, say
    states = []
    while (msg := await client.recv(timeout=20)) is not None:
        if msg["header"]["msg_type"] == "status":
            states.append(msg["content"]["execution_state"])
    assert states[-1:] == ["dead"]
    assert json.loads((await jp_fetch("api", "kernels")).body) == []
