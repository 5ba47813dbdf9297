"""The warm kernel pool (KernelPool.sizes): real ipykernel kernels pre-started and handed out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jupyter_server_core.kernels._wsclient import KernelWebSocketClient
from jupyter_server_core.pytest_plugin import wait_for


@pytest.fixture
def jp_server_config(jp_root_dir: Path) -> dict[str, Any]:
    (jp_root_dir / "sub").mkdir()
    return {"KernelPool": {"sizes": {"python3": 1}}}


async def warm_ids(km: Any) -> list[str]:
    return [k.kernel_id for k in km.kernel_pool.warm.get("python3", [])]


async def one_warm(km: Any) -> str:
    ids: list[str] = await wait_for(lambda: _warm_one(km), timeout=60)
    return ids[0]


async def _warm_one(km: Any) -> list[str] | None:
    ids = await warm_ids(km)
    return ids if len(ids) == 1 else None


async def cwd_and_session(jp_ws_fetch: Any, kid: str) -> list[str]:
    client = KernelWebSocketClient(await jp_ws_fetch("api", "kernels", kid, "channels"), "")
    reply, outputs = await client.execute(
        "import os, json; print(json.dumps([os.getcwd(), os.environ.get('JPY_SESSION_NAME', ''), globals().get('__session__', '')]))")
    client.close()
    assert reply is not None and reply["content"]["status"] == "ok"
    return list(json.loads("".join(m["content"]["text"] for m in outputs if m["header"]["msg_type"] == "stream")))


async def test_pooled_kernels_are_handed_out_and_refilled(
    jp_fetch: Any, jp_ws_fetch: Any, jp_serverapp: Any, jp_root_dir: Path,
) -> None:
    km = jp_serverapp.kernel_manager
    pooled = await one_warm(km)
    # Not a user kernel until handed out.
    assert json.loads((await jp_fetch("api", "kernels")).body) == []
    assert json.loads((await jp_fetch("api", "status")).body)["kernels"] == 0
    assert pooled not in km and await km.cull_kernels() == []

    created = json.loads((await jp_fetch("api", "kernels", method="POST", body={"name": "python3"})).body)
    assert created["id"] == pooled
    assert [k["id"] for k in json.loads((await jp_fetch("api", "kernels")).body)] == [pooled]
    assert (await cwd_and_session(jp_ws_fetch, pooled))[0] == str(jp_root_dir)

    # The pool refills; a session in a subfolder gets the next one, moved there first.
    second = await one_warm(km)
    assert second != pooled
    body = {"path": "sub/a.ipynb", "type": "notebook", "name": "a.ipynb", "kernel": {"name": "python3"}}
    session = json.loads((await jp_fetch("api", "sessions", method="POST", body=body)).body)
    assert session["kernel"]["id"] == second
    notebook = str(jp_root_dir / "sub" / "a.ipynb")
    assert await cwd_and_session(jp_ws_fetch, second) == [str(jp_root_dir / "sub"), notebook, notebook]

    # Without relocation, a kernel for another folder is not taken from the pool.
    third = await one_warm(km)
    km.kernel_pool.relocate_python = False
    other = json.loads((await jp_fetch("api", "sessions", method="POST", body={**body, "path": "sub/b.ipynb"})).body)
    assert other["kernel"]["id"] != third and await warm_ids(km) == [third]
    assert (await cwd_and_session(jp_ws_fetch, other["kernel"]["id"]))[0] == str(jp_root_dir / "sub")

    # Shutting down stops the pooled kernel too.
    warm = km.kernel_pool.warm["python3"][0]
    await km.shutdown_all()
    assert not await warm.is_alive()
    assert km.kernel_pool.all_kernels() == []
