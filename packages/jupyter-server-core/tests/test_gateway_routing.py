"""Local kernels beside two gateways, behind one kernelspec list (KernelRouter.gateways).

The two gateways are in-process ServerApps of ours on loopback; the server under test
runs kernels itself too. Every kind of kernel is started, used over the WebSocket,
interrupted, restarted and shut down; then one gateway stops while the rest carries on.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from jupyter_server_core.kernels._wsclient import KernelWebSocketClient
from jupyter_server_core.pytest_plugin import InProcessGateway, wait_for
from tornado.httpclient import HTTPClientError
from traitlets import TraitError

TOKENS = {"east": "east-token-51c", "west": "west-token-9a2"}


@pytest.fixture
async def gateways(tmp_path: Path, jp_environ: dict[str, Path]) -> AsyncIterator[dict[str, InProcessGateway]]:
    started: dict[str, InProcessGateway] = {}
    try:
        for name, token in TOKENS.items():
            gw = InProcessGateway(tmp_path / f"{name}-root", tmp_path / f"{name}-runtime", token, name)
            await gw.start()
            started[name] = gw
        yield started
    finally:
        for gw in started.values():
            await gw.stop()


@pytest.fixture
def jp_server_config(gateways: dict[str, InProcessGateway]) -> dict[str, Any]:
    east, west = gateways["east"], gateways["west"]
    return {
        "KernelRouter": {"gateways": [
            {"name": "east", "url": east.url, "auth_token": TOKENS["east"], "request_timeout": 30,
             "connect_timeout": 5, "gateway_retry_interval": 0.1, "gateway_retry_max": 1},
            {"name": "west", "url": west.url, "headers": {"Authorization": f"token {TOKENS['west']}"},
             "prefix": "w.", "request_timeout": 30, "connect_timeout": 5,
             "gateway_retry_interval": 0.1, "gateway_retry_max": 1},
        ]},
    }


async def use_kernel(jp_fetch: Any, jp_ws_fetch: Any, kid: str, label: str) -> KernelWebSocketClient:
    """Execute, interrupt a running cell, restart: the kernel answers through this server."""
    ws = await jp_ws_fetch("api", "kernels", kid, "channels")
    client = KernelWebSocketClient(ws, "")
    reply, outputs = await client.execute(f"print('{label}', 6 * 7)")
    assert reply is not None and reply["content"]["status"] == "ok"
    assert "".join(m["content"]["text"] for m in outputs if m["header"]["msg_type"] == "stream") == f"{label} 42\n"
    msg_id = await client.send(client.request(
        "execute_request", {"code": "import time; print('in', flush=True); time.sleep(60)", "silent": False}))
    while True:
        msg = await client.recv()
        assert msg is not None
        if msg["header"]["msg_type"] == "stream":
            break
    assert (await jp_fetch("api", "kernels", kid, "interrupt", method="POST")).code == 204
    reply, _ = await client.collect(msg_id)
    assert reply is not None and reply["content"]["ename"] == "KeyboardInterrupt"
    restarted = json.loads((await jp_fetch("api", "kernels", kid, "restart", method="POST")).body)
    assert restarted["id"] == kid
    reply, _ = await client.execute("x = 1")
    assert reply is not None and reply["content"]["status"] == "ok"
    return client


async def test_local_and_two_gateways_behind_one_server(
    jp_fetch: Any, jp_ws_fetch: Any, jp_serverapp: Any, jp_base_url: str, gateways: dict[str, InProcessGateway],
) -> None:
    listing = json.loads((await jp_fetch("api", "kernelspecs")).body)
    assert listing["default"] == "python3"
    assert {"python3", "east-python3", "w.python3"} <= set(listing["kernelspecs"])
    east_spec = listing["kernelspecs"]["east-python3"]
    assert east_spec["name"] == "east-python3" and east_spec["spec"]["display_name"].endswith("(east)")
    logo = east_spec["resources"]["logo-64x64"]
    assert logo == f"{jp_base_url}kernelspecs/east-python3/logo-64x64.png"
    assert (await jp_fetch(*logo[len(jp_base_url):].split("/"))).headers["Content-Type"] == "image/png"
    one = json.loads((await jp_fetch("api", "kernelspecs", "w.python3")).body)
    assert one["spec"]["language"] == "python"

    kernels: dict[str, str] = {}
    for spec in ("python3", "east-python3", "w.python3"):
        created = await jp_fetch("api", "kernels", method="POST", body={"name": spec})
        assert created.code == 201
        model = json.loads(created.body)
        assert model["name"] == spec
        kernels[spec] = model["id"]
    assert kernels["python3"] in jp_serverapp.kernel_manager._kernels  # a local process
    assert kernels["east-python3"] in gateways["east"].app.kernel_manager
    assert kernels["w.python3"] in gateways["west"].app.kernel_manager
    listed = {k["id"]: k["name"] for k in json.loads((await jp_fetch("api", "kernels")).body)}
    assert listed == {kid: spec for spec, kid in kernels.items()}

    clients = [await use_kernel(jp_fetch, jp_ws_fetch, kid, spec) for spec, kid in kernels.items()]
    status = json.loads((await jp_fetch("api", "status")).body)
    assert status["connections"] == 3 and status["kernels"] == 3

    # A session routes by its kernel's name too.
    body = {"path": "a.ipynb", "type": "notebook", "name": "a.ipynb", "kernel": {"name": "w.python3"}}
    session = json.loads((await jp_fetch("api", "sessions", method="POST", body=body)).body)
    assert session["kernel"]["name"] == "w.python3"
    assert session["kernel"]["id"] in gateways["west"].app.kernel_manager

    # The west gateway goes away mid-session.
    await gateways["west"].stop()
    west_kid = kernels["w.python3"]
    with pytest.raises(HTTPClientError) as err:
        await jp_fetch("api", "kernels", west_kid)
    assert err.value.code == 503
    assert gateways["west"].url in json.loads(err.value.response.body)["message"]
    listing = json.loads((await jp_fetch("api", "kernelspecs")).body)
    assert "w.python3" not in listing["kernelspecs"] and "east-python3" in listing["kernelspecs"]
    assert (await jp_fetch("api", "status")).code == 200
    assert (await jp_fetch("api", "kernels")).code == 200
    with pytest.raises(HTTPClientError) as err:
        await jp_fetch("api", "kernels", method="POST", body={"name": "w.python3"})
    assert err.value.code == 503
    # Everything else keeps working.
    for client in clients[:2]:
        reply, _ = await client.execute("x")
        assert reply is not None and reply["content"]["status"] == "ok"
    for spec in ("python3", "east-python3"):
        assert (await jp_fetch("api", "kernels", kernels[spec], method="DELETE")).code == 204
    assert kernels["east-python3"] not in gateways["east"].app.kernel_manager
    assert kernels["python3"] not in jp_serverapp.kernel_manager
    for client in clients:
        client.close()
    await wait_for(lambda: _no_local_kernels(jp_serverapp))


async def _no_local_kernels(app: Any) -> bool:
    return not app.kernel_manager._kernels


async def test_unknown_names_and_no_local_kernels(jp_fetch: Any, jp_serverapp: Any,
                                                  gateways: dict[str, InProcessGateway]) -> None:
    with pytest.raises(HTTPClientError) as err:
        await jp_fetch("api", "kernels", method="POST", body={"name": "north-python3"})
    assert err.value.code == 400  # as for any unknown kernelspec
    jp_serverapp.kernel_spec_manager.kernel_router.local_kernels = False
    listing = json.loads((await jp_fetch("api", "kernelspecs")).body)
    assert listing["default"] == "east-python3" and "python3" not in listing["kernelspecs"]
    with pytest.raises(HTTPClientError) as err:
        await jp_fetch("api", "kernels", method="POST", body={"name": "python3"})
    assert err.value.code == 400 and "available: east-python3" in json.loads(err.value.response.body)["message"]
    created = json.loads((await jp_fetch("api", "kernels", method="POST", body={})).body)
    assert created["name"] == "east-python3" and created["id"] in gateways["east"].app.kernel_manager
    await jp_fetch("api", "kernels", created["id"], method="DELETE")


@pytest.mark.parametrize("entries, words", [
    ([{"url": "http://x"}], "'name'"),
    ([{"name": "a", "url": "ftp://x"}], "'url'"),
    ([{"name": "a", "url": "http://x"}, {"name": "a", "url": "http://y"}], "used twice"),
    ([{"name": "a", "url": "http://x", "prefix": "g"}, {"name": "b", "url": "http://y", "prefix": "gp"}], "overlaps"),
    ([{"name": "a", "url": "http://x", "colour": "red"}], "unknown keys"),
])
def test_bad_gateway_entries_name_the_problem(entries: list[dict[str, Any]], words: str) -> None:
    from jupyter_server_core.gateway import KernelRouter

    with pytest.raises(TraitError, match=words):
        KernelRouter(gateways=entries)


def test_router_config_switches_classes_and_wins_over_gateway_url(
    jp_environ: Any, jp_root_dir: Path, capfd: pytest.CaptureFixture[str],
) -> None:
    from jupyter_server_core._serverapp import ServerApp
    from jupyter_server_core.gateway import (
        GatewaySessionManager,
        RoutingKernelManager,
        RoutingKernelSpecManager,
    )
    from traitlets.config import Config

    config = Config({
        "ServerApp": {"allow_root": True, "root_dir": str(jp_root_dir)},
        "KernelRouter": {"gateways": [{"name": "a", "url": "http://127.0.0.1:9", "request_timeout": 7}]},
        "MappingKernelManager": {"cull_idle_timeout": 600},
    })
    app = ServerApp(config=config)
    app.initialize(argv=["--gateway-url=http://127.0.0.1:8"], bind=False, find_extensions=False)
    assert isinstance(app.kernel_spec_manager, RoutingKernelSpecManager)
    assert isinstance(app.kernel_manager, RoutingKernelManager)
    assert isinstance(app.session_manager, GatewaySessionManager)
    assert not app.gateway_config.gateway_enabled
    assert "GatewayClient.url (http://127.0.0.1:8) is ignored" in capfd.readouterr().err
    remote, gateway_km = app.kernel_manager.remote_kernels["a"]
    assert remote.client.url == "http://127.0.0.1:9" and remote.client.request_timeout == 7
    assert gateway_km.cull_idle_timeout == 600  # MappingKernelManager settings reach each gateway's manager


async def test_the_pool_serves_the_local_kernels_of_a_routed_server(
    jp_fetch: Any, jp_serverapp: Any, gateways: dict[str, InProcessGateway], caplog: pytest.LogCaptureFixture,
) -> None:
    km = jp_serverapp.kernel_manager
    km.kernel_pool.sizes = {"python3": 1, "east-python3": 1}  # the second is a gateway's: not poolable here
    km.start_pool()

    async def warm() -> list[str] | None:
        return [k.kernel_id for k in km.kernel_pool.warm.get("python3", [])] or None

    pooled = (await wait_for(warm, timeout=60))[0]
    assert "The pool cannot pre-start east-python3 kernels" in caplog.text
    assert json.loads((await jp_fetch("api", "kernels")).body) == []
    local = json.loads((await jp_fetch("api", "kernels", method="POST", body={"name": "python3"})).body)
    remote = json.loads((await jp_fetch("api", "kernels", method="POST", body={"name": "east-python3"})).body)
    assert local["id"] == pooled and remote["id"] in gateways["east"].app.kernel_manager
    assert {k["id"] for k in json.loads((await jp_fetch("api", "kernels")).body)} == {pooled, remote["id"]}
    for kid in (pooled, remote["id"]):
        assert (await jp_fetch("api", "kernels", kid, method="DELETE")).code == 204
