"""Fixtures the kernel WebSocket tests of this folder share: a started kernel, and a
connector that opens its channels and wraps the socket in the test client."""

import json

import pytest
from jupyter_server_core.kernels._wsclient import KernelWebSocketClient


@pytest.fixture
async def kernel_id(jp_fetch):
    r = await jp_fetch("api", "kernels", method="POST", body="{}")
    return json.loads(r.body)["id"]


@pytest.fixture
def connect(jp_ws_fetch, kernel_id):
    """``await connect(session_id, subprotocols, query={...}, **fetch_kwargs)``: the kernel's
    channels; ``query`` adds parameters to the URL (``replay_since``, ...)."""

    async def connect(session_id: str = "", subprotocols=None, *, query=None, **kwargs):
        params = {"session_id": session_id} if session_id else {}
        params.update(query or {})
        ws = await jp_ws_fetch(
            "api", "kernels", kernel_id, "channels", params=params or None, subprotocols=subprotocols, **kwargs
        )
        return KernelWebSocketClient(ws, session=session_id)

    return connect
