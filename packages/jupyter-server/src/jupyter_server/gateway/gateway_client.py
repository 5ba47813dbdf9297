"""``jupyter_server.gateway.gateway_client``: the server's client of a Kernel or Enterprise Gateway.

``GatewayClient`` is the core's client with what jupyter_server 2.x callers also use:
``GatewayClient.instance()`` (the server's client), ``load_connection_args()``,
``init_connection_args()``, ``update_cookies()`` and the ``KERNEL_LAUNCH_TIMEOUT`` class
attribute. The full install names it in the ``jupyter_server.gateway_client`` entry point
group, so the ServerApp builds this class. ``gateway_request()`` sends one request with the
server's client, as jupyter_server 2.x's function of that name.
"""

from __future__ import annotations

import json
import os
from io import BytesIO
from typing import Any, ClassVar

from jupyter_server_core.gateway import GatewayClient as CoreGatewayClient
from jupyter_server_core.gateway import GatewayError, GatewayTokenRenewerBase, NoOpTokenRenewer
from tornado import web
from tornado.httpclient import HTTPClientError, HTTPRequest, HTTPResponse
from tornado.httputil import HTTPHeaders

__all__ = [
    "ERROR_STATUS",
    "MESSAGE_KEY",
    "STATUS_CODE_KEY",
    "STATUS_KEY",
    "SUCCESS_STATUS",
    "GatewayClient",
    "GatewayTokenRenewerBase",
    "NoOpTokenRenewer",
    "gateway_request",
]

#: Field names and values of the gateway_client/v1 events.
STATUS_KEY = "status"
STATUS_CODE_KEY = "status_code"
MESSAGE_KEY = "msg"
SUCCESS_STATUS = "success"
ERROR_STATUS = "error"


def _launch_timeout_from_env() -> int:
    try:
        return int(os.environ.get("KERNEL_LAUNCH_TIMEOUT", "40"))
    except ValueError:
        return 40


class GatewayClient(CoreGatewayClient):
    """The core's GatewayClient, reachable as ``GatewayClient.instance()``."""

    #: Seconds a gateway may take to start a kernel; kept in step with ``request_timeout``
    #: by :meth:`init_connection_args` (the launch timeout plus ``launch_timeout_pad``
    #: never exceeds the request timeout).
    KERNEL_LAUNCH_TIMEOUT: ClassVar[int] = _launch_timeout_from_env()

    _current: ClassVar[GatewayClient | None] = None

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # The latest client built is the running server's (the ServerApp builds one).
        GatewayClient._current = self

    # -- the singleton API of jupyter_server 2.x ------------------------------------------

    @classmethod
    def instance(cls, *args: Any, **kwargs: Any) -> GatewayClient:
        """The server's client; a new one (from ``kwargs``) when no server built one."""
        if GatewayClient._current is None:
            cls(*args, **kwargs)
        assert GatewayClient._current is not None
        return GatewayClient._current

    @classmethod
    def initialized(cls) -> bool:
        return GatewayClient._current is not None

    @classmethod
    def clear_instance(cls) -> None:
        """Forget the current client (the next ``instance()`` or server builds a new one)."""
        GatewayClient._current = None

    # -- jupyter_server 2.x's connection helpers -------------------------------------------

    @property
    def gateway_token_renewer(self) -> GatewayTokenRenewerBase:
        """The token renewer (``gateway_token_renewer_class``) of this client."""
        return self.token_renewer

    def init_connection_args(self) -> None:
        """Bring ``request_timeout`` and ``KERNEL_LAUNCH_TIMEOUT`` in step: a kernel start
        must be allowed its launch timeout plus ``launch_timeout_pad``. The larger side wins;
        ``KERNEL_LAUNCH_TIMEOUT`` is also exported to the environment kernels inherit."""
        needed = float(GatewayClient.KERNEL_LAUNCH_TIMEOUT) + self.launch_timeout_pad
        if self.request_timeout < needed:
            self.request_timeout = needed
        elif self.request_timeout > needed:
            GatewayClient.KERNEL_LAUNCH_TIMEOUT = int(self.request_timeout - self.launch_timeout_pad)
        os.environ["KERNEL_LAUNCH_TIMEOUT"] = str(GatewayClient.KERNEL_LAUNCH_TIMEOUT)

    def load_connection_args(self, **kwargs: Any) -> dict[str, Any]:
        """The keyword arguments of one request to the gateway, ``kwargs`` merged in.

        The token is renewed first (``auth_token`` becomes what the renewer returns, unless
        it is None); ``kwargs["headers"]`` are kept, a ``Cookie`` of theirs joined with the
        gateway's cookies.
        """
        if self.auth_token is not None:
            self.auth_token = self.token_renewer.get_token(self.auth_header_key, self.auth_scheme, self.auth_token)
        extra_headers = dict(kwargs.pop("headers", None) or {})
        options = self.request_options(**kwargs)
        headers: dict[str, str] = options["headers"]
        theirs = extra_headers.pop("Cookie", "")
        headers.update(extra_headers)
        cookies = "; ".join(part for part in (theirs, headers.get("Cookie", "")) if part)
        if cookies:
            headers["Cookie"] = cookies
        return options

    def update_cookies(self, headers: HTTPHeaders) -> None:
        """Remember the cookies a gateway answer sets (with ``accept_cookies``)."""
        self.keep_cookies(headers)

    # -- every request through gateway_request when it is replaced --------------------------

    @staticmethod
    def _replaced_request() -> Any:
        """``jupyter_server.gateway.managers.gateway_request`` when someone replaced it, else None."""
        from . import managers

        return None if managers.gateway_request is gateway_request else managers.gateway_request

    def emit_event(self, status: str, status_code: int | None, msg: str) -> None:
        # A replaced gateway_request answers in the gateway's place; as jupyter_server
        # 2.x's function it owns the gateway_client events of what it answers.
        if self._replaced_request() is None:
            super().emit_event(status, status_code, msg)

    async def send(self, url: str, options: dict[str, Any]) -> HTTPResponse:
        request = self._replaced_request()
        if request is None:
            return await super().send(url, options)
        # Someone replaced jupyter_server.gateway.managers.gateway_request (a test double, a
        # wrapper): it answers, with jupyter_server 2.x's contract of raising on errors.
        try:
            response: HTTPResponse = await request(url, **options)
        except web.HTTPError as exc:
            body = json.dumps({"message": exc.log_message or "", "reason": exc.reason or ""}).encode()
            return HTTPResponse(HTTPRequest(url, **options), exc.status_code, buffer=BytesIO(body))
        except HTTPClientError as exc:
            if exc.response is not None:
                return exc.response
            return HTTPResponse(HTTPRequest(url, **options), exc.code, buffer=BytesIO(b""))
        return response


async def gateway_request(endpoint: str, **kwargs: Any) -> HTTPResponse:
    """Send one request to ``endpoint`` (a full URL) with the server's gateway client.

    ``kwargs`` are tornado ``HTTPRequest`` arguments (``method``, ``body``, ``headers``...),
    merged with the client's (:meth:`GatewayClient.load_connection_args`). Returns the 2xx
    response; a failure raises ``tornado.web.HTTPError`` with the status this server should
    answer (503 unreachable, 504 too slow, else the gateway's status).
    """
    client = GatewayClient.instance()
    options = client.load_connection_args(**kwargs)
    what = f"{options.get('method', 'GET')} {endpoint}"
    failure: GatewayError | None = None
    try:
        response = await CoreGatewayClient.send(client, endpoint, options)
    except Exception as exc:  # noqa: BLE001 - no answer at all becomes one clear error
        failure = client.unreachable_error(exc, what, float(options["request_timeout"]))
    else:
        if response.code == 599 or response.error is not None and not isinstance(response.error, HTTPClientError):
            failure = client.unreachable_error(response.error, what, float(options["request_timeout"]))
        else:
            client.keep_cookies(response.headers)
            if response.code >= 400:
                failure = client.status_error(response.code, response.body, what)
    if failure is not None:
        CoreGatewayClient.emit_event(client, ERROR_STATUS, failure.gateway_status, str(failure))
        raise web.HTTPError(failure.status_code, "%s", str(failure))
    CoreGatewayClient.emit_event(client, SUCCESS_STATUS, response.code, f"{what} succeeded")
    return response
