"""``jupyter_server.gateway``: jupyter_server 2.x's gateway API on the core's gateway client.

The gateway is a small real HTTP server in the test's loop (kernelspecs only, plus a
cookie); the server under test is a real ServerApp pointed at it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from queue import Empty
from typing import Any

import pytest
from tornado import httpserver, netutil, web

SPECS = {"default": "py", "kernelspecs": {"py": {
    "name": "py", "spec": {"argv": [], "display_name": "Py", "language": "python"}, "resources": {}}}}


class Specs(web.RequestHandler):
    def get(self) -> None:
        self.set_header("Set-Cookie", "node=b2; Path=/")
        self.finish(SPECS)


@pytest.fixture
async def gateway_url() -> AsyncIterator[str]:
    server = httpserver.HTTPServer(web.Application([(r"/api/kernelspecs", Specs)]))
    sockets = netutil.bind_sockets(0, "127.0.0.1")
    server.add_sockets(sockets)
    try:
        yield f"http://127.0.0.1:{sockets[0].getsockname()[1]}"
    finally:
        server.stop()


@pytest.fixture
def jp_server_config(gateway_url: str) -> dict[str, Any]:
    return {"GatewayClient": {"url": gateway_url, "accept_cookies": True, "auth_token": "t0"}}


def test_the_servers_client_is_the_instance(jp_serverapp: Any) -> None:
    from jupyter_server.gateway.gateway_client import GatewayClient
    from jupyter_server.gateway.managers import GatewayMappingKernelManager

    assert isinstance(jp_serverapp.gateway_config, GatewayClient)
    assert GatewayClient.instance() is jp_serverapp.gateway_config
    assert isinstance(jp_serverapp.kernel_manager, GatewayMappingKernelManager)


async def test_a_replaced_gateway_request_sees_every_request(jp_fetch: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from jupyter_server.gateway import managers
    from jupyter_server.gateway.gateway_client import gateway_request

    seen: list[tuple[str, str]] = []

    async def recording(url: str, **kwargs: Any) -> Any:
        seen.append((kwargs["method"], url))
        return await gateway_request(url, **kwargs)

    monkeypatch.setattr(managers, "gateway_request", recording)
    specs = json.loads((await jp_fetch("api", "kernelspecs")).body)
    assert list(specs["kernelspecs"]) == ["py"]
    assert seen and seen[0][0] == "GET" and seen[0][1].endswith("/api/kernelspecs")


async def test_gateway_request_raises_the_status_to_answer(jp_serverapp: Any, gateway_url: str) -> None:
    from jupyter_server.gateway.gateway_client import gateway_request

    answer = await gateway_request(gateway_url + "/api/kernelspecs", method="GET")
    assert json.loads(answer.body)["default"] == "py"
    with pytest.raises(web.HTTPError) as err:
        await gateway_request(gateway_url + "/api/nothing", method="GET")
    assert err.value.status_code == 404 and gateway_url in (err.value.log_message % err.value.args)


async def test_load_connection_args_joins_cookies_and_renews_the_token(jp_serverapp: Any, gateway_url: str) -> None:
    from jupyter_server.gateway.gateway_client import gateway_request

    client = jp_serverapp.gateway_config
    await gateway_request(gateway_url + "/api/kernelspecs", method="GET")  # the gateway sets node=b2
    args = client.load_connection_args(headers={"Cookie": "mine=1", "X-Extra": "yes"}, method="POST", body="{}")
    assert args["headers"]["Cookie"] == "mine=1; node=b2"
    assert args["headers"]["X-Extra"] == "yes" and args["headers"]["Authorization"] == "token t0"
    assert args["method"] == "POST" and args["body"] == "{}"
    assert client.gateway_token_renewer.get_token("Authorization", "token", "t0") == "t0"


@pytest.mark.parametrize(("request_timeout", "launch", "want_request", "want_launch"), [(50, 10, 50, 45), (10, 50, 55, 50)])
def test_init_connection_args_keeps_the_timeouts_in_step(
    jp_serverapp: Any, monkeypatch: pytest.MonkeyPatch, request_timeout: float, launch: int, want_request: float,
    want_launch: int,
) -> None:
    from jupyter_server.gateway.gateway_client import GatewayClient

    client = jp_serverapp.gateway_config
    monkeypatch.setattr(GatewayClient, "KERNEL_LAUNCH_TIMEOUT", launch)
    monkeypatch.setenv("KERNEL_LAUNCH_TIMEOUT", "0")
    client.launch_timeout_pad = 5
    client.request_timeout = request_timeout
    client.init_connection_args()
    assert (client.request_timeout, GatewayClient.KERNEL_LAUNCH_TIMEOUT) == (want_request, want_launch)


async def test_channel_queue_hands_out_messages_and_reports_the_end() -> None:
    from jupyter_server.gateway.managers import ChannelQueue

    sent: list[str] = []

    class Socket:
        def send(self, text: str) -> None:
            sent.append(text)

    queue = ChannelQueue("shell", Socket(), logging.getLogger("test"))
    with pytest.raises(ValueError, match="timeout"):
        await queue.get_msg(timeout=-1)
    with pytest.raises(Empty):
        await queue.get_msg(timeout=0.01)
    queue.put_nowait({"msg_id": "a"})
    assert await asyncio.wait_for(queue.get_msg(), 5) == {"msg_id": "a"}
    queue.send({"msg_id": "b"})
    assert json.loads(sent[0]) == {"msg_id": "b", "channel": "shell"}
    queue.response_router_finished = True
    with pytest.raises(RuntimeError):
        await queue.get_msg()
