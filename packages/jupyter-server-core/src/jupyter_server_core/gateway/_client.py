"""GatewayClient: how this server talks to a Kernel Gateway or Enterprise Gateway.

One instance, created by the ServerApp (``serverapp.gateway_config``) and handed to the
gateway managers; nothing looks it up. It builds every HTTP and WebSocket request to the
gateway (URL, authorization, extra headers, cookies, TLS, timeouts) and turns what can go
wrong into :class:`GatewayError` with a status and a message that names the gateway.
"""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
import time
from email.utils import parsedate_to_datetime
from http.cookies import Morsel, SimpleCookie
from typing import Any

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest, HTTPResponse
from tornado.httputil import HTTPHeaders
from traitlets import Any as AnyTrait
from traitlets import Type, default

from .._urls import url_path_join
from ..events._bus import GATEWAY_SCHEMA
from ._config import GatewayClientConfig
from ._errors import GatewayError, gateway_message
from ._tokens import GatewayTokenRenewerBase, NoOpTokenRenewer

__all__ = ["GatewayClient"]

#: Concurrent requests to the gateway; more wait their turn (within their timeout).
_MAX_CONNECTIONS = 32


def _expiry(morsel: Morsel[str], now: float) -> float | None:
    """When a cookie expires (``Max-Age`` wins over ``Expires``), or None for a session cookie."""
    max_age = morsel["max-age"]
    if max_age:
        try:
            return now + int(max_age)
        except ValueError:
            pass
    expires = morsel["expires"]
    if expires:
        try:
            return parsedate_to_datetime(expires).timestamp()
        except (TypeError, ValueError):
            return None
    return None


class GatewayClient(GatewayClientConfig):
    """Requests to the gateway; see :mod:`._config` for the settings.

    ``await client.fetch_json("/api/kernels")`` returns the decoded body of a 2xx answer
    or raises :class:`GatewayError`. ``events`` (the server's EventBus) receives a
    ``gateway_client/v1`` event for every request.
    """

    event_logger = AnyTrait(
        None, allow_none=True,
        help="A jupyter_events EventLogger for gateway_client/v1 events; by default the server's events.",
    )

    gateway_token_renewer_class = Type(
        default_value=NoOpTokenRenewer, klass=GatewayTokenRenewerBase,
        help="""The class whose get_token() gives the token of each request (for tokens that
        expire). (JUPYTER_GATEWAY_TOKEN_RENEWER_CLASS env var)""",
    ).tag(config=True)

    @default("gateway_token_renewer_class")
    def _token_renewer_class_default(self) -> Any:
        import os

        return os.environ.get("JUPYTER_GATEWAY_TOKEN_RENEWER_CLASS") or NoOpTokenRenewer

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if self.gateway_enabled:
            # Defaults read from JUPYTER_GATEWAY_* variables: a bad one stops the server
            # now, with its name, not at the first request.
            for name in self.trait_names(config=True):
                getattr(self, name)
        self.token_renewer: GatewayTokenRenewerBase = self.gateway_token_renewer_class(parent=self, log=self.log)
        #: The server's EventBus (``emit(schema_id, data)``), set by the ServerApp.
        self.events: Any = None
        #: The server's KernelRouter (several gateways beside local kernels), set by configure_gateway.
        self.kernel_router: Any = None
        #: Cookie name: (value, expiry as a time.time() or None).
        self._cookies: dict[str, tuple[str, float | None]] = {}
        self._http: tuple[asyncio.AbstractEventLoop, AsyncHTTPClient] | None = None

    @property
    def gateway_enabled(self) -> bool:
        """Whether a gateway is configured (GatewayClient.url is set)."""
        return bool(self.url)

    # -- building requests ---------------------------------------------------------------

    def http_url(self, *parts: str) -> str:
        assert self.url, "GatewayClient.url is not set"
        return url_path_join(self.url, *parts)

    def ws_url_for(self, *parts: str) -> str:
        base = self.ws_url or ("ws" + str(self.url)[len("http"):])
        return url_path_join(base, *parts)

    def request_headers(self) -> dict[str, str]:
        """Headers of every request: the configured ones, authorization, cookies."""
        headers: dict[str, str] = dict(json.loads(self.headers or "{}"))
        key = self.auth_header_key or "Authorization"
        token = self.token_renewer.get_token(key, self.auth_scheme, self.auth_token or "")
        if token:
            scheme = (self.auth_scheme or "").strip()
            headers[key] = f"{scheme} {token}".strip()
        cookies = self.cookie_header() if self.accept_cookies else ""
        if cookies:
            headers["Cookie"] = cookies
        return headers

    def request_options(self, *, method: str = "GET", body: Any = None, timeout: float | None = None,
                        **kwargs: Any) -> dict[str, Any]:
        """The keyword arguments of tornado's ``HTTPRequest`` for one gateway request: the
        gateway's headers, TLS settings and timeouts, ``body`` encoded (JSON unless bytes/str)."""
        headers = self.request_headers()
        data: str | bytes | None = None
        if body is not None:
            data = body if isinstance(body, (str, bytes)) else json.dumps(body)
            headers.setdefault("Content-Type", "application/json")
        elif method in ("POST", "PUT", "PATCH"):
            data = b""
        return {
            "method": method, "body": data, "headers": headers,
            "connect_timeout": min(self.connect_timeout, timeout or self.request_timeout),
            "request_timeout": timeout or self.request_timeout,
            "validate_cert": self.validate_cert, "ca_certs": self.ca_certs or None,
            "client_cert": self.client_cert or None, "client_key": self.client_key or None,
            "auth_username": self.http_user or None, "auth_password": self.http_pwd or None,
            "follow_redirects": False, "allow_nonstandard_methods": True, **kwargs,
        }

    def make_request(self, url: str, **kwargs: Any) -> HTTPRequest:
        """An HTTPRequest to ``url`` with :meth:`request_options`."""
        return HTTPRequest(url, **self.request_options(**kwargs))

    # -- sending -------------------------------------------------------------------------

    def http_client(self) -> AsyncHTTPClient:
        """This client's own HTTP client (per event loop): a hung gateway must not fill the
        connection slots of tornado's shared client that other code of the server uses."""
        loop = asyncio.get_running_loop()
        if self._http is None or self._http[0] is not loop:
            self._http = (loop, AsyncHTTPClient(force_instance=True, max_clients=_MAX_CONNECTIONS))
        return self._http[1]

    async def send(self, url: str, options: dict[str, Any]) -> HTTPResponse:
        """Send one request (``options``: :meth:`request_options`) and return the response,
        whatever its status; raise only when no answer came. Every REST request to the
        gateway goes through here: a subclass may route them elsewhere."""
        return await self.http_client().fetch(HTTPRequest(url, **options), raise_error=False)

    async def fetch(self, path: str, *, method: str = "GET", body: Any = None,
                    timeout: float | None = None) -> HTTPResponse:
        """Send one request to ``url + path``; the 2xx response, or GatewayError."""
        url = self.http_url(path)
        options = self.request_options(method=method, body=body, timeout=timeout)
        what = f"{method} {url}"
        limit = float(options["request_timeout"])
        try:
            response = await self.send(url, options)
        except Exception as exc:  # noqa: BLE001 - every failure to answer becomes one clear error
            error = self.unreachable_error(exc, what, limit)
            self.emit_event("error", None, str(error))
            raise error from None
        if response.code == 599 or response.error is not None and not isinstance(response.error, HTTPClientError):
            error = self.unreachable_error(response.error, what, limit)
            self.emit_event("error", None, str(error))
            raise error
        self.keep_cookies(response.headers)
        if response.code >= 400:
            error = self.status_error(response.code, response.body, what)
            self.emit_event("error", response.code, str(error))
            raise error
        self.emit_event("success", response.code, f"{what} succeeded")
        return response

    async def fetch_json(self, path: str, **kwargs: Any) -> Any:
        """:meth:`fetch`, then the body decoded from JSON (502 if it is not JSON)."""
        response = await self.fetch(path, **kwargs)
        if response.code == 204 or not response.body:
            return None
        try:
            return json.loads(response.body)
        except ValueError:
            raise GatewayError(
                f"The gateway at {self.url} answered {path} with something that is not JSON: "
                "is GatewayClient.url the address of a Kernel or Enterprise Gateway?", 502,
            ) from None

    def keep_cookies(self, headers: HTTPHeaders) -> None:
        """Remember the cookies of a gateway answer's ``Set-Cookie`` headers (with
        ``accept_cookies``); an expired one (past ``Expires``, ``Max-Age`` of 0 or less)
        is forgotten."""
        if not self.accept_cookies:
            return
        now = time.time()
        for header in headers.get_list("Set-Cookie"):
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(header)
            except Exception:  # noqa: BLE001 - a malformed cookie is ignored, as browsers do
                continue
            for name, morsel in jar.items():
                expires_at = _expiry(morsel, now)
                if not morsel.value or (expires_at is not None and expires_at <= now):
                    self._cookies.pop(name, None)
                else:
                    self._cookies[name] = (morsel.value, expires_at)

    def cookie_header(self) -> str:
        """The ``Cookie`` header value of the gateway's cookies still valid ("" if none)."""
        now = time.time()
        for name in [n for n, (_, at) in self._cookies.items() if at is not None and at <= now]:
            del self._cookies[name]
        return "; ".join(f"{name}={value}" for name, (value, _) in self._cookies.items())

    # -- errors --------------------------------------------------------------------------

    def unreachable_error(self, exc: BaseException | None, what: str, timeout: float) -> GatewayError:
        """The error for a request the gateway did not answer: 504 on timeouts, else 503."""
        text = str(exc) if exc is not None else "no answer"
        if isinstance(exc, (TimeoutError, socket.timeout)) or "timeout" in text.lower():
            limit = self.connect_timeout if "connect" in text.lower() else timeout
            return GatewayError(
                f"The gateway at {self.url} did not answer within {limit:g}s ({what}). "
                "It may be overloaded; GatewayClient.request_timeout and connect_timeout set the limits.",
                504,
            )
        if isinstance(exc, ssl.SSLError):
            reason = f"TLS failed: {exc.reason or exc}"
        elif isinstance(exc, ConnectionRefusedError):
            reason = "connection refused"
        elif isinstance(exc, socket.gaierror):
            reason = "unknown host"
        else:
            reason = text or type(exc).__name__
        return GatewayError(
            f"The gateway at {self.url} is not reachable ({reason}). "
            "Check that it is running and that GatewayClient.url is right.",
            503,
        )

    def status_error(self, code: int, body: bytes | None, what: str) -> GatewayError:
        """The error for a gateway's 4xx/5xx answer (callers refine 404s)."""
        detail = gateway_message(body)
        suffix = f": {detail}" if detail else ""
        if code in (401, 403):
            return GatewayError(
                f"The gateway at {self.url} refused this server's credentials ({code}){suffix}. "
                "Check GatewayClient.auth_token (and auth_scheme, headers).",
                502, code,
            )
        if code == 404:
            return GatewayError(f"Not found on the gateway at {self.url} ({what}){suffix}", 404, code)
        return GatewayError(f"The gateway at {self.url} answered {code} to {what}{suffix}", code, code)

    def emit_event(self, status: str, status_code: int | None, msg: str) -> None:
        """A gateway_client/v1 event (to ``event_logger`` if set, else the server's events)."""
        data: dict[str, Any] = {"status": status, "msg": msg}
        if status_code is not None:
            data["status_code"] = status_code
        if self.event_logger is not None:
            try:
                self.event_logger.emit(schema_id=GATEWAY_SCHEMA, data=data)
            except Exception as exc:  # noqa: BLE001 - an event must never fail the request
                self.log.warning("Could not emit a gateway event: %s", exc)
        elif self.events is not None:
            self.events.emit(GATEWAY_SCHEMA, data)
