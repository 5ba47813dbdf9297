"""The configurable traits of GatewayClient, with jupyter_server 2.x's names and env vars.

Each trait's default may come from a ``JUPYTER_GATEWAY_*`` environment variable, as in
jupyter_server; config files and the command line override it.
"""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import urlsplit

from traitlets import Bool, Float, Integer, TraitError, Unicode, default, observe, validate
from traitlets.config import LoggingConfigurable

__all__ = ["GatewayClientConfig"]


def _env(name: str) -> str | None:
    return os.environ.get(f"JUPYTER_GATEWAY_{name}")


def _env_bool(name: str, fallback: bool) -> bool:
    value = _env(name)
    return fallback if value is None else value.strip().lower() in ("1", "true", "yes", "on")


def _env_float(name: str, fallback: float) -> float:
    value = _env(name)
    try:
        return fallback if value is None else float(value)
    except ValueError:
        raise TraitError(f"JUPYTER_GATEWAY_{name} must be a number, not {value!r}") from None


class GatewayClientConfig(LoggingConfigurable):
    """Traits only; :class:`GatewayClient` adds the requests."""

    url = Unicode(
        None, allow_none=True,
        help="""The URL of the Kernel Gateway or Enterprise Gateway where kernel specifications
        are defined and kernels run (http:// or https://). When set, this server sends every
        kernel to the gateway and serves the gateway's kernelspecs. (JUPYTER_GATEWAY_URL env var)""",
    ).tag(config=True)

    @default("url")
    def _url_default(self) -> str | None:
        return _env("URL") or None

    @validate("url", "ws_url")
    def _validate_urls(self, proposal: Any) -> str | None:
        value = proposal["value"]
        if not value:
            return None
        value = str(value).strip().rstrip("/")
        schemes = ("http", "https") if proposal["trait"].name == "url" else ("ws", "wss")
        parts = urlsplit(value)
        if parts.scheme not in schemes or not parts.netloc:
            wanted = " or ".join(f"{s}://" for s in schemes)
            raise TraitError(f"GatewayClient.{proposal['trait'].name} must be a {wanted} URL, not {value!r}")
        return value

    ws_url = Unicode(
        None, allow_none=True,
        help="""The WebSocket URL of the gateway. By default, the gateway URL with ws:// in
        place of http:// (wss:// for https://). (JUPYTER_GATEWAY_WS_URL env var)""",
    ).tag(config=True)

    @default("ws_url")
    def _ws_url_default(self) -> str | None:
        value = _env("WS_URL")
        if value:
            return value
        if not self.url:
            return None
        return "ws" + self.url[len("http"):]

    kernels_endpoint = Unicode(
        "/api/kernels", help="The gateway API endpoint for kernels. (JUPYTER_GATEWAY_KERNELS_ENDPOINT env var)"
    ).tag(config=True)
    kernelspecs_endpoint = Unicode(
        "/api/kernelspecs", help="The gateway API endpoint for kernelspecs. (JUPYTER_GATEWAY_KERNELSPECS_ENDPOINT env var)"
    ).tag(config=True)
    kernelspecs_resource_endpoint = Unicode(
        "/kernelspecs",
        help="The gateway endpoint for kernelspec resources (logos). (JUPYTER_GATEWAY_KERNELSPECS_RESOURCE_ENDPOINT env var)",
    ).tag(config=True)

    @default("kernels_endpoint")
    def _kernels_endpoint_default(self) -> str:
        return _env("KERNELS_ENDPOINT") or "/api/kernels"

    @default("kernelspecs_endpoint")
    def _kernelspecs_endpoint_default(self) -> str:
        return _env("KERNELSPECS_ENDPOINT") or "/api/kernelspecs"

    @default("kernelspecs_resource_endpoint")
    def _kernelspecs_resource_endpoint_default(self) -> str:
        return _env("KERNELSPECS_RESOURCE_ENDPOINT") or "/kernelspecs"

    connect_timeout = Float(
        40.0, help="Seconds allowed to establish a connection with the gateway. (JUPYTER_GATEWAY_CONNECT_TIMEOUT env var)"
    ).tag(config=True)
    request_timeout = Float(
        42.0,
        help="""Seconds allowed for a gateway request to complete. A kernel start may take
        longer: see launch_timeout_pad. (JUPYTER_GATEWAY_REQUEST_TIMEOUT env var)""",
    ).tag(config=True)

    @default("connect_timeout")
    def _connect_timeout_default(self) -> float:
        return _env_float("CONNECT_TIMEOUT", 40.0)

    @default("request_timeout")
    def _request_timeout_default(self) -> float:
        return _env_float("REQUEST_TIMEOUT", 42.0)

    @validate("connect_timeout", "request_timeout", "launch_timeout_pad", "gateway_retry_interval",
              "gateway_retry_interval_max")
    def _validate_positive(self, proposal: Any) -> float:
        value = float(proposal["value"])
        if value < 0 or (value == 0 and proposal["trait"].name != "launch_timeout_pad"):
            raise TraitError(f"GatewayClient.{proposal['trait'].name} must be a positive number of seconds, not {value}")
        return value

    launch_timeout_pad = Float(
        2.0,
        help="""Seconds added to KERNEL_LAUNCH_TIMEOUT for a kernel start request, so that the
        start request's timeout is at least KERNEL_LAUNCH_TIMEOUT + launch_timeout_pad.
        (JUPYTER_GATEWAY_LAUNCH_TIMEOUT_PAD env var)""",
    ).tag(config=True)

    @default("launch_timeout_pad")
    def _launch_timeout_pad_default(self) -> float:
        return _env_float("LAUNCH_TIMEOUT_PAD", 2.0)

    client_cert = Unicode(None, allow_none=True, help="The client TLS certificate file, if any. (JUPYTER_GATEWAY_CLIENT_CERT env var)").tag(config=True)
    client_key = Unicode(None, allow_none=True, help="The client TLS key file, if any. (JUPYTER_GATEWAY_CLIENT_KEY env var)").tag(config=True)
    ca_certs = Unicode(None, allow_none=True, help="The CA certificates file; None uses the system's. (JUPYTER_GATEWAY_CA_CERTS env var)").tag(config=True)
    validate_cert = Bool(
        True, help="For https:// gateways, whether to validate the gateway's certificate. (JUPYTER_GATEWAY_VALIDATE_CERT env var)"
    ).tag(config=True)

    @default("client_cert")
    def _client_cert_default(self) -> str | None:
        return _env("CLIENT_CERT")

    @default("client_key")
    def _client_key_default(self) -> str | None:
        return _env("CLIENT_KEY")

    @default("ca_certs")
    def _ca_certs_default(self) -> str | None:
        return _env("CA_CERTS")

    @default("validate_cert")
    def _validate_cert_default(self) -> bool:
        return _env_bool("VALIDATE_CERT", True)

    http_user = Unicode(None, allow_none=True, help="The user name for HTTP basic authentication. (JUPYTER_GATEWAY_HTTP_USER env var)").tag(config=True)
    http_pwd = Unicode(None, allow_none=True, help="The password for HTTP basic authentication. (JUPYTER_GATEWAY_HTTP_PWD env var)").tag(config=True)

    @default("http_user")
    def _http_user_default(self) -> str | None:
        return _env("HTTP_USER")

    @default("http_pwd")
    def _http_pwd_default(self) -> str | None:
        return _env("HTTP_PWD")

    headers = Unicode(
        "{}", help="""Additional HTTP headers for every gateway request, as a JSON object
        (e.g. '{"X-Team": "data"}'). (JUPYTER_GATEWAY_HEADERS env var)""",
    ).tag(config=True)

    @default("headers")
    def _headers_default(self) -> str:
        return _env("HEADERS") or "{}"

    @validate("headers")
    def _validate_headers(self, proposal: Any) -> str:
        value = str(proposal["value"] or "{}")
        try:
            headers = json.loads(value)
        except ValueError as exc:
            raise TraitError(f"GatewayClient.headers must be a JSON object: {exc}") from None
        if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
            raise TraitError('GatewayClient.headers must be a JSON object of strings, e.g. {"X-Team": "data"}')
        return value

    auth_header_key = Unicode(
        "Authorization",
        help="""The name of the header carrying the token: {auth_header_key: "auth_scheme auth_token"}.
        (JUPYTER_GATEWAY_AUTH_HEADER_KEY env var)""",
    ).tag(config=True)
    auth_scheme = Unicode(
        "token", allow_none=True,
        help="""The scheme before the token in the authorization header ('token', 'Bearer');
        empty or None sends the token alone. (JUPYTER_GATEWAY_AUTH_SCHEME env var)""",
    ).tag(config=True)
    auth_token = Unicode(
        None, allow_none=True,
        help="The token sent to the gateway in the authorization header. (JUPYTER_GATEWAY_AUTH_TOKEN env var)",
    ).tag(config=True)

    @default("auth_header_key")
    def _auth_header_key_default(self) -> str:
        return _env("AUTH_HEADER_KEY") or "Authorization"

    @default("auth_scheme")
    def _auth_scheme_default(self) -> str:
        value = _env("AUTH_SCHEME")
        return "token" if value is None else value

    @default("auth_token")
    def _auth_token_default(self) -> str | None:
        return _env("AUTH_TOKEN") or ""

    allowed_envs = Unicode(
        "",
        help="""Comma-separated names of environment variables of this server passed, with
        their values, in each kernel start request. The gateway must allow them too (Kernel
        Gateway: KernelGatewayApp.allowed_envs / client_envs; Enterprise Gateway:
        EnterpriseGatewayApp.client_envs). Variables named KERNEL_* are always passed.
        (JUPYTER_GATEWAY_ALLOWED_ENVS env var)""",
    ).tag(config=True)
    env_whitelist = Unicode("", help="Deprecated, use GatewayClient.allowed_envs. (JUPYTER_GATEWAY_ENV_WHITELIST env var)").tag(config=True)

    @default("allowed_envs")
    def _allowed_envs_default(self) -> str:
        return _env("ALLOWED_ENVS") or _env("ENV_WHITELIST") or ""

    @default("env_whitelist")
    def _env_whitelist_default(self) -> str:
        return _env("ENV_WHITELIST") or ""

    @observe("env_whitelist")
    def _env_whitelist_changed(self, change: Any) -> None:
        if change["new"]:
            self.log.warning("GatewayClient.env_whitelist is deprecated, use GatewayClient.allowed_envs")
            if not self.allowed_envs:
                self.allowed_envs = change["new"]

    gateway_retry_interval = Float(
        1.0,
        help="""Seconds before the first attempt to reconnect a dropped gateway WebSocket; each
        further attempt waits twice as long, up to gateway_retry_interval_max.
        (JUPYTER_GATEWAY_RETRY_INTERVAL env var)""",
    ).tag(config=True)
    gateway_retry_interval_max = Float(
        30.0, help="The longest wait between two reconnection attempts, in seconds. (JUPYTER_GATEWAY_RETRY_INTERVAL_MAX env var)"
    ).tag(config=True)
    gateway_retry_max = Integer(
        5, help="How many times to try reconnecting a dropped gateway WebSocket before giving up. (JUPYTER_GATEWAY_RETRY_MAX env var)"
    ).tag(config=True)

    @default("gateway_retry_interval")
    def _retry_interval_default(self) -> float:
        return _env_float("RETRY_INTERVAL", 1.0)

    @default("gateway_retry_interval_max")
    def _retry_interval_max_default(self) -> float:
        return _env_float("RETRY_INTERVAL_MAX", 30.0)

    @default("gateway_retry_max")
    def _retry_max_default(self) -> int:
        return int(_env_float("RETRY_MAX", 5))

    @validate("gateway_retry_max")
    def _validate_retry_max(self, proposal: Any) -> int:
        value = int(proposal["value"])
        if value < 0:
            raise TraitError(f"GatewayClient.gateway_retry_max must be 0 or more, not {value}")
        return value

    accept_cookies = Bool(
        False,
        help="""Keep the cookies the gateway sets and send them back (load balancers use them
        to keep a client on one gateway node). (JUPYTER_GATEWAY_ACCEPT_COOKIES env var)""",
    ).tag(config=True)

    @default("accept_cookies")
    def _accept_cookies_default(self) -> bool:
        return _env_bool("ACCEPT_COOKIES", False)
