"""GatewayClient configuration: names, env vars, validation, and the class switch."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_server_core._serverapp import ServerApp
from jupyter_server_core.gateway import (
    GatewayClient,
    GatewayKernelSpecManager,
    GatewayMappingKernelManager,
    GatewaySessionManager,
    GatewayTokenRenewerBase,
    GatewayWebSocketConnection,
)
from jupyter_server_core.kernels import MappingKernelManager, ZMQChannelsWebsocketConnection
from jupyter_server_core.sessions import SessionManager
from traitlets import TraitError
from traitlets.config import Config


def make_app(root: Path, argv: list[str], config: dict[str, Any] | None = None) -> ServerApp:
    app = ServerApp(config=Config({"ServerApp": {"allow_root": True, "root_dir": str(root)}, **(config or {})}))
    app.initialize(argv=argv, bind=False, find_extensions=False)
    return app


def test_gateway_url_switches_to_the_gateway_classes(jp_environ: Any, jp_root_dir: Path) -> None:
    app = make_app(jp_root_dir, ["--gateway-url=http://127.0.0.1:9/", "--GatewayClient.auth_token=t"])
    client = app.gateway_config
    assert isinstance(client, GatewayClient) and client.gateway_enabled
    assert client.url == "http://127.0.0.1:9"  # trailing slash dropped
    assert client.ws_url_for("/api/kernels", "k", "channels") == "ws://127.0.0.1:9/api/kernels/k/channels"
    assert isinstance(app.kernel_spec_manager, GatewayKernelSpecManager)
    assert isinstance(app.kernel_manager, GatewayMappingKernelManager)
    assert isinstance(app.session_manager, GatewaySessionManager)
    assert app.kernel_websocket_connection_class is GatewayWebSocketConnection
    # One client, handed to the managers: no lookup of a singleton.
    assert app.kernel_manager.gateway_client is client
    assert app.kernel_spec_manager.gateway_client is client
    assert app.session_manager.kernel_manager is app.kernel_manager


def test_without_a_gateway_the_local_classes_stay(jp_environ: Any, jp_root_dir: Path) -> None:
    app = make_app(jp_root_dir, [])
    assert not app.gateway_config.gateway_enabled
    assert type(app.kernel_manager) is MappingKernelManager
    assert type(app.kernel_spec_manager) is KernelSpecManager
    assert type(app.session_manager) is SessionManager
    assert app.kernel_websocket_connection_class is ZMQChannelsWebsocketConnection


class MyKernelManager(MappingKernelManager):
    pass


def test_explicit_classes_are_kept(jp_environ: Any, jp_root_dir: Path, capfd: pytest.CaptureFixture[str]) -> None:
    app = make_app(jp_root_dir, ["--gateway-url=https://gw.example:8443"],
                   {"ServerApp": {"allow_root": True, "root_dir": str(jp_root_dir),
                                  "kernel_manager_class": MyKernelManager}})
    assert type(app.kernel_manager) is MyKernelManager
    assert isinstance(app.kernel_spec_manager, GatewayKernelSpecManager)
    assert "not a gateway class" in capfd.readouterr().err
    assert app.gateway_config.ws_url_for("x") == "wss://gw.example:8443/x"


def test_environment_variables(jp_environ: Any, jp_root_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTER_GATEWAY_URL", "http://gw.local:8888")
    monkeypatch.setenv("JUPYTER_GATEWAY_REQUEST_TIMEOUT", "7.5")
    monkeypatch.setenv("JUPYTER_GATEWAY_VALIDATE_CERT", "false")
    monkeypatch.setenv("JUPYTER_GATEWAY_AUTH_SCHEME", "Bearer")
    monkeypatch.setenv("JUPYTER_GATEWAY_AUTH_TOKEN", "s3cret")
    monkeypatch.setenv("JUPYTER_GATEWAY_HEADERS", '{"X-Team": "data"}')
    monkeypatch.setenv("JUPYTER_GATEWAY_RETRY_MAX", "3")
    app = make_app(jp_root_dir, ["--GatewayClient.request_timeout=9"])
    client = app.gateway_config
    assert client.url == "http://gw.local:8888"
    assert client.request_timeout == 9  # the command line beats the environment
    assert client.validate_cert is False
    assert client.gateway_retry_max == 3
    assert client.request_headers() == {"X-Team": "data", "Authorization": "Bearer s3cret"}
    assert isinstance(app.kernel_manager, GatewayMappingKernelManager)


class CountingRenewer(GatewayTokenRenewerBase):
    calls = 0

    def get_token(self, auth_header_key: str, auth_scheme: str | None, auth_token: str, **kwargs: Any) -> str:
        CountingRenewer.calls += 1
        return f"{auth_token}-renewed-{CountingRenewer.calls}"


def test_a_token_renewer_gives_each_request_its_token() -> None:
    client = GatewayClient(url="http://gw:1", auth_token="old", auth_scheme="Bearer",
                           gateway_token_renewer_class=CountingRenewer)
    assert client.request_headers()["Authorization"] == "Bearer old-renewed-1"
    assert client.make_request("http://gw:1/api").headers["Authorization"] == "Bearer old-renewed-2"
    with pytest.raises(TraitError):
        GatewayClient(gateway_token_renewer_class=MappingKernelManager)


def test_auth_header_forms() -> None:
    client = GatewayClient(url="http://gw:1", auth_token="abc")
    assert client.request_headers() == {"Authorization": "token abc"}
    client = GatewayClient(url="http://gw:1", auth_token="abc", auth_scheme="", auth_header_key="X-Api-Key")
    assert client.request_headers() == {"X-Api-Key": "abc"}
    assert GatewayClient(url="http://gw:1").request_headers() == {}
    request = GatewayClient(url="http://gw:1", http_user="u", http_pwd="p", validate_cert=False,
                            request_timeout=3, connect_timeout=2).make_request("http://gw:1/api")
    assert (request.auth_username, request.auth_password, request.validate_cert) == ("u", "p", False)
    assert (request.request_timeout, request.connect_timeout) == (3, 2)


@pytest.mark.parametrize(
    ("trait", "value", "words"),
    [
        ("url", "ftp://gw", "GatewayClient.url must be a http:// or https:// URL"),
        ("url", "gateway:8888", "GatewayClient.url"),
        ("ws_url", "http://gw", "GatewayClient.ws_url must be a ws:// or wss:// URL"),
        ("headers", "{not json", "GatewayClient.headers must be a JSON object"),
        ("headers", "[1, 2]", "JSON object of strings"),
        ("request_timeout", -1, "GatewayClient.request_timeout must be a positive number"),
        ("gateway_retry_max", -2, "GatewayClient.gateway_retry_max must be 0 or more"),
    ],
)
def test_bad_values_name_the_trait(trait: str, value: Any, words: str) -> None:
    with pytest.raises(TraitError, match=re.escape(words)):
        GatewayClient(**{trait: value})


def test_env_whitelist_is_forwarded_to_allowed_envs(caplog: pytest.LogCaptureFixture) -> None:
    client = GatewayClient(config=Config({"GatewayClient": {"env_whitelist": "A,B"}}))
    assert client.allowed_envs == "A,B"
    assert "env_whitelist is deprecated" in caplog.text


def test_kernel_start_env(jp_root_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What a start request sends: KERNEL_* and allowed variables, the session's env,
    the working directory and the launch timeout (request_timeout - launch_timeout_pad)."""
    (jp_root_dir / "sub").mkdir()
    monkeypatch.setenv("KERNEL_USERNAME", "alice")
    monkeypatch.setenv("SPARK_OPTS", "--x")
    monkeypatch.setenv("NOT_PASSED", "1")
    client = GatewayClient(url="http://gw:1", allowed_envs="SPARK_OPTS, OTHER", request_timeout=30, launch_timeout_pad=5)
    km = GatewayMappingKernelManager(gateway_client=client, root_dir=str(jp_root_dir))
    env = km.kernel_env({"JPY_SESSION_NAME": "/x/nb.ipynb"}, "sub/nb-dir-not-made-yet")
    assert env["KERNEL_USERNAME"] == "alice" and env["SPARK_OPTS"] == "--x"
    assert "NOT_PASSED" not in env and "OTHER" not in env
    assert env["JPY_SESSION_NAME"] == "/x/nb.ipynb"
    assert env["KERNEL_WORKING_DIR"] == str((jp_root_dir / "sub").resolve())
    assert env["KERNEL_LAUNCH_TIMEOUT"] == "25"
    assert "KERNEL_WORKING_DIR" not in km.kernel_env(None, None)
    monkeypatch.setenv("KERNEL_LAUNCH_TIMEOUT", "100")
    assert km.kernel_env(None, None)["KERNEL_LAUNCH_TIMEOUT"] == "100"


def test_cli_help_and_bad_url(tmp_path: Path) -> None:
    help_all = subprocess.run([sys.executable, "-m", "jupyter_server_core", "--help-all"],
                              capture_output=True, text=True, timeout=60)
    for name in ("--gateway-url", "--GatewayClient.auth_token", "--GatewayClient.gateway_retry_max",
                 "GatewayMappingKernelManager", "GatewayKernelSpecManager", "GatewaySessionManager"):
        assert name in help_all.stdout, name
    bad = subprocess.run([sys.executable, "-m", "jupyter_server_core", "--allow-root", "--port=0",
                          "--gateway-url=ftp://nowhere"], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert bad.returncode == 1
    lines = bad.stderr.strip().splitlines()
    assert len(lines) == 1 and "GatewayClient.url" in lines[0] and "Traceback" not in bad.stderr, bad.stderr


def test_a_bad_environment_value_stops_the_start(jp_environ: Any, jp_root_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTER_GATEWAY_CONNECT_TIMEOUT", "soon")
    with pytest.raises(TraitError, match="JUPYTER_GATEWAY_CONNECT_TIMEOUT must be a number, not 'soon'"):
        make_app(jp_root_dir, ["--gateway-url=http://gw:1"])
