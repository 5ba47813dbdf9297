"""MappingKernelManager.transport_encryption: CurveZMQ between the server and real kernels.

Two real kernelspecs: the installed python3 (ipykernel), and one that declares curve
support in its metadata (the same ipykernel), plus one that declares nothing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import jupyter_client
import pytest
import zmq

pytestmark = pytest.mark.skipif(
    jupyter_client.version_info < (8, 9) or not zmq.has("curve"),
    reason="needs jupyter_client 8.9+ and a libzmq with CURVE",
)


@pytest.fixture
def specs(jp_environ: dict[str, Path]) -> dict[str, str]:
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    for name, metadata in (("curvy", {"supported_encryption": ["curve"]}), ("plain", {})):
        folder = jp_environ["data"] / "kernels" / name
        folder.mkdir(parents=True)
        (folder / "kernel.json").write_text(json.dumps(
            {"argv": argv, "display_name": name, "language": "python", "metadata": metadata}))
    return {"curvy": "curvy", "plain": "plain"}


@pytest.fixture
def policy() -> str:
    return "auto"


@pytest.fixture
def jp_server_config(policy: str) -> dict[str, Any]:
    return {"MappingKernelManager": {"transport_encryption": policy}}


async def connection_of(km: Any, name: str) -> dict[str, Any]:
    kernel_id = await km.start_kernel(kernel_name=name)
    try:
        info: dict[str, Any] = km.get_kernel(kernel_id).get_connection_info()
        assert await km.get_kernel(kernel_id).is_alive()
        return info
    finally:
        await km.shutdown_kernel(kernel_id, now=True)


async def test_auto_encrypts_kernels_that_declare_curve(jp_serverapp: Any, specs: dict[str, str]) -> None:
    km = jp_serverapp.kernel_manager
    assert "curve_publickey" in await connection_of(km, "curvy")
    assert "curve_publickey" not in await connection_of(km, "plain")


@pytest.mark.parametrize("policy", ["required"])
async def test_required_refuses_kernels_without_curve(jp_serverapp: Any, specs: dict[str, str]) -> None:
    km = jp_serverapp.kernel_manager
    assert "curve_secretkey" in await connection_of(km, "curvy")
    with pytest.raises(RuntimeError, match="supported_encryption"):
        await km.start_kernel(kernel_name="plain")


@pytest.mark.parametrize("policy", ["disabled"])
async def test_disabled_never_encrypts(jp_serverapp: Any, specs: dict[str, str]) -> None:
    assert "curve_publickey" not in await connection_of(jp_serverapp.kernel_manager, "curvy")
