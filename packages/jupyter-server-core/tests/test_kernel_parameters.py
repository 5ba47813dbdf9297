"""Parameterized kernelspecs (JEP 87): schema in the listing, values checked, filled, launched.

Real ipykernel kernels from a kernelspec whose argv and env reference its parameters;
the kernel reports its own argv and environment.
"""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from jupyter_server_core.kernels._parameters import KernelParameterError, KernelParameters
from jupyter_server_core.kernels._wsclient import KernelWebSocketClient
from jupyter_server_core.pytest_plugin import InProcessGateway
from tornado.httpclient import HTTPClientError

SCHEMA = {
    "type": "object",
    "properties": {
        "level": {"type": "string", "enum": ["INFO", "WARN"], "default": "WARN"},
        "workers": {"type": "integer", "minimum": 1, "maximum": 8, "default": 2},
        "label": {"type": "string", "default": "plain"},
    },
}


def install_spec(data_dir: Path) -> None:
    spec_dir = data_dir / "kernels" / "paramkernel"
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "display_name": "Python (parameters)", "language": "python",
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
                 "--IPKernelApp.log_level={level}", "{label}"],
        "env": {"KP_WORKERS": "{workers}", "KP_LABEL": "label={label}"},
        "metadata": {"parameters": SCHEMA},
    }))


@pytest.fixture
async def gateway(tmp_path: Path, jp_environ: dict[str, Path]) -> AsyncIterator[InProcessGateway]:
    gw = InProcessGateway(tmp_path / "gw-root", tmp_path / "gw-runtime", "param-gw-token", "pgw")
    await gw.start()
    try:
        yield gw
    finally:
        await gw.stop()


@pytest.fixture
def jp_server_config(jp_environ: dict[str, Path], gateway: InProcessGateway) -> dict[str, Any]:
    install_spec(jp_environ["data"])  # the gateway, in this process, sees it too
    return {
        "KernelParameters": {"allowed_insecure_kernelspec_params": True},
        "KernelRouter": {"gateways": [{"name": "pgw", "url": gateway.url, "auth_token": "param-gw-token"}]},
    }


async def argv_and_env(jp_fetch: Any, jp_ws_fetch: Any, kid: str) -> tuple[list[str], dict[str, str]]:
    client = KernelWebSocketClient(await jp_ws_fetch("api", "kernels", kid, "channels"), "")
    code = "import sys, os, json; print(json.dumps([sys.argv, {k: v for k, v in os.environ.items() if k.startswith('KP_')}]))"
    reply, outputs = await client.execute(code)
    client.close()
    assert reply is not None and reply["content"]["status"] == "ok"
    argv, env = json.loads("".join(m["content"]["text"] for m in outputs if m["header"]["msg_type"] == "stream"))
    return argv, env


async def start(jp_fetch: Any, values: Any, name: str = "paramkernel") -> dict[str, Any]:
    body: dict[str, Any] = {"name": name}
    if values is not None:
        body["custom_kernel_specs"] = values
    return dict(json.loads((await jp_fetch("api", "kernels", method="POST", body=body)).body))


async def refused(jp_fetch: Any, values: Any, name: str = "paramkernel") -> str:
    with pytest.raises(HTTPClientError) as err:
        await start(jp_fetch, values, name)
    assert err.value.code == 400, err.value
    return str(json.loads(err.value.response.body)["message"])


async def test_schema_listed_values_checked_and_launched(jp_fetch: Any, jp_ws_fetch: Any) -> None:
    spec = json.loads((await jp_fetch("api", "kernelspecs", "paramkernel")).body)
    assert spec["spec"]["metadata"]["parameters"] == SCHEMA

    # Defaults fill what is not given.
    kid = (await start(jp_fetch, None))["id"]
    argv, env = await argv_and_env(jp_fetch, jp_ws_fetch, kid)
    assert argv[-2:] == ["--IPKernelApp.log_level=WARN", "plain"] and env == {"KP_WORKERS": "2", "KP_LABEL": "label=plain"}

    # Given values; a value with spaces and shell syntax stays one argument, unexpanded.
    kid2 = (await start(jp_fetch, {"level": "INFO", "workers": 5, "label": "a b;$(rm -rf ~)"}))["id"]
    argv, env = await argv_and_env(jp_fetch, jp_ws_fetch, kid2)
    assert argv[-2:] == ["--IPKernelApp.log_level=INFO", "a b;$(rm -rf ~)"]
    assert env == {"KP_WORKERS": "5", "KP_LABEL": "label=a b;$(rm -rf ~)"}
    # A restart keeps the values.
    await jp_fetch("api", "kernels", kid2, "restart", method="POST")
    assert (await argv_and_env(jp_fetch, jp_ws_fetch, kid2))[1]["KP_WORKERS"] == "5"

    for values, words in (
        ({"level": "DEBUG"}, "'level' must be one of"),
        ({"workers": 9}, "'workers' must be at most 8"),
        ({"workers": "3"}, "'workers' must be of type integer"),
        ({"colour": "red"}, "Unknown kernel parameter 'colour'"),
        ({"label": "{connection_file}"}, "'label' may not contain braces"),
        ({"label": "--ip=0.0.0.0"}, "'label' may not start with '-'"),
        ({"label": "two\nlines"}, "'label' may not contain"),
        (["INFO"], "custom_kernel_specs must be an object"),
    ):
        assert words in await refused(jp_fetch, values), values
    assert "declares no parameters" in await refused(jp_fetch, {"level": "INFO"}, name="python3")
    for k in (kid, kid2):
        await jp_fetch("api", "kernels", k, method="DELETE")


def test_free_parameters_need_the_insecure_switch() -> None:
    spec = {"metadata": {"parameters": SCHEMA}}
    strict = KernelParameters()
    assert strict.resolve(spec, {"level": "INFO"}) == {"level": "INFO", "workers": "2", "label": "plain"}
    with pytest.raises(KernelParameterError, match="'label' accepts any text"):
        strict.resolve(spec, {"label": "x"})
    no_default = {"metadata": {"parameters": {"properties": {"path": {"type": "string"}}}}}
    with pytest.raises(KernelParameterError, match="'path' needs a value"):
        strict.resolve(no_default, None)
    assert KernelParameters().resolve({"metadata": {}}, None) is None


async def test_values_pass_through_to_a_gateway(
    jp_fetch: Any, jp_ws_fetch: Any, gateway: InProcessGateway, jp_serverapp: Any,
) -> None:
    listed = json.loads((await jp_fetch("api", "kernelspecs")).body)["kernelspecs"]
    assert listed["pgw-paramkernel"]["spec"]["metadata"]["parameters"] == SCHEMA
    km = jp_serverapp.kernel_manager
    kid = (await start(jp_fetch, {"level": "INFO"}, name="pgw-paramkernel"))["id"]
    assert kid in gateway.app.kernel_manager and kid in km
    argv, _ = await argv_and_env(jp_fetch, jp_ws_fetch, kid)
    assert argv[-2] == "--IPKernelApp.log_level=INFO"
    assert "'level' must be one of" in await refused(jp_fetch, {"level": "LOUD"}, name="pgw-paramkernel")
    await jp_fetch("api", "kernels", kid, method="DELETE")


async def new_session(jp_fetch: Any, path: str, kernel: dict[str, Any]) -> dict[str, Any]:
    body = {"path": path, "type": "notebook", "name": path, "kernel": kernel}
    return dict(json.loads((await jp_fetch("api", "sessions", method="POST", body=body)).body))


async def session_refused(jp_fetch: Any, method: str, *parts: str, body: dict[str, Any]) -> str:
    with pytest.raises(HTTPClientError) as err:
        await jp_fetch("api", "sessions", *parts, method=method, body=body)
    assert err.value.code == 400, err.value
    return str(json.loads(err.value.response.body)["message"])


@pytest.mark.parametrize("spec", ["paramkernel", "pgw-paramkernel"])
async def test_sessions_take_parameters(
    jp_fetch: Any, jp_ws_fetch: Any, jp_serverapp: Any, gateway: InProcessGateway, spec: str,
) -> None:
    """POST and PATCH /api/sessions: kernel.custom_kernel_specs, here and on a gateway."""
    session = await new_session(jp_fetch, "a.ipynb", {"name": spec, "custom_kernel_specs": {"level": "INFO", "workers": 3}})
    kid = session["kernel"]["id"]
    assert session["kernel"]["name"] == spec
    assert (kid in gateway.app.kernel_manager) == spec.startswith("pgw-")
    argv, env = await argv_and_env(jp_fetch, jp_ws_fetch, kid)
    assert argv[-2] == "--IPKernelApp.log_level=INFO" and env["KP_WORKERS"] == "3"

    # Refused values: a 400 naming the parameter, and no session left behind.
    for kernel, words in (
        ({"name": spec, "custom_kernel_specs": {"workers": 0}}, "'workers' must be at least 1"),
        ({"name": spec, "custom_kernel_specs": {"colour": "red"}}, "Unknown kernel parameter 'colour'"),
        ({"name": spec, "custom_kernel_specs": "INFO"}, "kernel.custom_kernel_specs must be an object"),
        ({"id": kid, "custom_kernel_specs": {"level": "INFO"}}, "already runs"),
    ):
        body = {"path": "b.ipynb", "type": "notebook", "kernel": kernel}
        assert words in await session_refused(jp_fetch, "POST", body=body), kernel
    assert [s["id"] for s in json.loads((await jp_fetch("api", "sessions")).body)] == [session["id"]]

    # PATCH with new values only: a new kernel of the same kernelspec; the old one stops.
    sid = session["id"]
    patched = json.loads((await jp_fetch("api", "sessions", sid, method="PATCH",
                                         body={"kernel": {"custom_kernel_specs": {"workers": 7}}})).body)
    new_kid = patched["kernel"]["id"]
    assert new_kid != kid and patched["kernel"]["name"] == spec
    argv, env = await argv_and_env(jp_fetch, jp_ws_fetch, new_kid)
    assert argv[-2] == "--IPKernelApp.log_level=WARN" and env["KP_WORKERS"] == "7"
    assert kid not in jp_serverapp.kernel_manager
    # A refused value on PATCH leaves the session as it was, renaming included.
    for kernel, words in (
        ({"name": spec, "custom_kernel_specs": {"level": "LOUD"}}, "'level' must be one of"),
        ({"id": new_kid, "custom_kernel_specs": {"workers": 2}}, "already runs"),
    ):
        body = {"path": "renamed.ipynb", "kernel": kernel}
        assert words in await session_refused(jp_fetch, "PATCH", sid, body=body), kernel
    unchanged = json.loads((await jp_fetch("api", "sessions", sid)).body)
    assert unchanged["path"] == "a.ipynb" and unchanged["kernel"]["id"] == new_kid
    assert (await jp_fetch("api", "sessions", sid, method="DELETE")).code == 204
    assert new_kid not in jp_serverapp.kernel_manager
