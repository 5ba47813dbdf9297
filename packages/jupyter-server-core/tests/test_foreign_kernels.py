"""Kernels a MappingKernelManager subclass starts its own way, and session errors as
jupyter_server 2.x callers catch them.

The subclass below starts a real ipykernel with jupyter_client's AsyncKernelManager and
puts it in ``_kernels`` itself, as managers written for jupyter_server 2.x do.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from jupyter_client.manager import AsyncKernelManager
from jupyter_server_core.kernels import MappingKernelManager
from jupyter_server_core.sessions import SessionNotFound, SessionQueryError
from tornado import web


class OwnWayManager(MappingKernelManager):
    async def start_kernel(self, *, kernel_id: str | None = None, kernel_name: str | None = None,  # type: ignore[override]
                           **kwargs: Any) -> str:
        kernel_id = kernel_id or str(uuid.uuid4())
        km = AsyncKernelManager(kernel_name=kernel_name or "python3", connection_file=f"{self.connection_dir}/{kernel_id}.json")
        await km.start_kernel(cwd=self.root_dir)
        km.execution_state = "idle"  # type: ignore[attr-defined]
        self._kernels[kernel_id] = km
        self._kernel_connections[kernel_id] = 0
        return kernel_id

    async def shutdown_kernel(self, kernel_id: str, now: bool = False, restart: bool = False) -> None:  # type: ignore[override]
        km = self._kernels.pop(kernel_id)
        await km.shutdown_kernel(now=True)


@pytest.fixture
def jp_server_config() -> dict[str, Any]:
    return {"ServerApp": {"kernel_manager_class": OwnWayManager}}


async def test_kernels_started_another_way_are_listed_and_usable(jp_fetch: Any, jp_serverapp: Any) -> None:
    km = jp_serverapp.kernel_manager
    kernel_id = await km.start_kernel(kernel_name="python3")
    try:
        listed = json.loads((await jp_fetch("api", "kernels")).body)
        assert [(m["id"], m["name"], m["execution_state"], m["connections"]) for m in listed] == [
            (kernel_id, "python3", "idle", 0)]
        body = json.dumps({"path": "a.ipynb", "type": "notebook", "kernel": {"id": kernel_id}})
        session = json.loads((await jp_fetch("api", "sessions", method="POST", body=body)).body)
        assert session["kernel"]["id"] == kernel_id
    finally:
        await km.shutdown_kernel(kernel_id)
    assert json.loads((await jp_fetch("api", "kernels")).body) == []
    assert json.loads((await jp_fetch("api", "sessions")).body) == []  # its session went with it


async def test_session_errors_are_what_2x_callers_catch(jp_fetch: Any, jp_serverapp: Any) -> None:
    sm = jp_serverapp.session_manager
    with pytest.raises(TypeError):
        await sm.get_session(no_such_column="x")
    assert issubclass(SessionQueryError, TypeError)
    with pytest.raises(web.HTTPError) as err:
        await sm.get_session(session_id="nope")
    assert err.value.status_code == 404 and isinstance(err.value, SessionNotFound)
    assert str(err.value) == "No such session: nope"
    unknown = str(uuid.uuid4())
    missing = await jp_fetch("api", "sessions", unknown, raise_error=False)
    assert missing.code == 404 and json.loads(missing.body)["message"] == f"No such session: {unknown}"
