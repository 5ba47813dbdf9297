"""GatewayWebSocketConnection: a client's kernel WebSocket relayed to the gateway's.

The kernel WebSocket handler is the same as for local kernels; with a gateway,
``ServerApp.kernel_websocket_connection_class`` is this class. It opens the gateway's
kernel WebSocket before the client's upgrade (so a gateway that is down or a kernel it
does not have is refused with a clear HTTP error), then relays frames both ways,
translating between the client's protocol and the gateway's (JSON or
``v1.kernel.websocket.jupyter.org``). A gateway WebSocket that drops is reconnected with
backoff (``GatewayClient.gateway_retry_*``); client frames wait meanwhile. When the
gateway stays away the client's WebSocket is closed with the reason, and its next
attempt is refused with a 503 naming the gateway.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any
from urllib.parse import quote

from jupyter_client.session import Session
from tornado import web
from tornado.httpclient import HTTPClientError
from tornado.websocket import WebSocketClientConnection, WebSocketClosedError, websocket_connect
from traitlets import Integer, List, Unicode

from .._urls import url_escape
from ..kernels import KernelError, KernelNotFound
from ..kernels._connection import ZMQChannelsWebsocketConnection
from ..kernels._wsprotocol import (
    V1_PROTOCOL,
    FrameError,
    RawMessage,
    decode_legacy,
    decode_v1,
    encode_legacy,
    encode_v1,
)
from ..kernels._wsratelimit import IOPubRateLimiter
from ._errors import GatewayError

__all__ = ["GatewayWebSocketConnection"]

_CLOSE_GATEWAY_LOST = 1011
#: An upgrade that never completes must not keep the gateway's WebSocket open.
_UNCONNECTED_GRACE = 30.0


def _close_reason(text: str) -> str:
    # A close frame's reason is at most 123 bytes of UTF-8.
    return text.encode("utf-8")[:123].decode("utf-8", "ignore")


class GatewayWebSocketConnection(ZMQChannelsWebsocketConnection):
    """Relays one client WebSocket to the gateway's WebSocket of the same kernel.

    ``parent`` is the GatewayMappingKernelManager (its ``gateway_client`` builds the
    gateway request). Output to the client goes through the same hooks as for local
    kernels (:meth:`handle_outgoing_message`: rate limit, traceback policy).
    """

    gateway_subprotocols = List(
        Unicode(), [V1_PROTOCOL],
        help="Kernel WebSocket subprotocols offered to the gateway; empty speaks the JSON protocol to it.",
    ).tag(config=True)
    max_pending_messages = Integer(
        1000, help="Client messages kept while the gateway WebSocket reconnects; older ones are dropped beyond it."
    ).tag(config=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._upstream: WebSocketClientConnection | None = None
        self._upstream_protocol = ""
        self._reader: asyncio.Task[None] | None = None
        self._pending: list[RawMessage] = []
        self._reconnecting = False
        self._closing = False

    @property
    def gateway_client(self) -> Any:
        return self.kernel_manager.gateway_client

    # -- lifecycle -----------------------------------------------------------------------

    async def prepare(self) -> None:
        """Before the upgrade: the gateway must have the kernel and open its WebSocket."""
        km = self.kernel_manager
        try:
            if self.kernel_id not in km:
                await km.refresh_kernel(self.kernel_id)
            self._upstream = await self._open_upstream()
        except KernelError as exc:
            raise web.HTTPError(exc.status_code, str(exc)) from None
        self.session = Session(parent=self, session=self.session_id or uuid.uuid4().hex)
        if self.limit_rate:
            self._rate_limiter = IOPubRateLimiter(self.iopub_msg_rate_limit, self.iopub_data_rate_limit, self.rate_limit_window)
        asyncio.get_running_loop().call_later(_UNCONNECTED_GRACE, self._close_if_unconnected)

    def _close_if_unconnected(self) -> None:
        if not self._connected and not self._closing and self._reader is None:
            self._closing = True
            self._close_upstream()

    async def connect(self) -> None:
        """Once the client's WebSocket is open: start relaying the gateway's messages."""
        self._subscribe_kernel_events()
        self._connected = True
        notify = getattr(self.kernel_manager, "notify_connect", None)
        if notify is not None and self.kernel_id in self.kernel_manager:
            notify(self.kernel_id)
        self._reader = asyncio.ensure_future(self._relay_from_gateway())
        self._reader.add_done_callback(self._relay_ended)

    def _relay_ended(self, task: asyncio.Task[None]) -> None:
        if task.cancelled() or task.exception() is None:
            return
        self.log.error("Kernel %s: relaying the gateway's messages failed: %r", self.kernel_id, task.exception())
        self._close_websocket(_CLOSE_GATEWAY_LOST, "Relaying the gateway's messages failed")

    def disconnect(self) -> None:
        """The client's WebSocket closed: close the gateway's."""
        self._closing = True
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._connected:
            self._connected = False
            self.kernel_manager.notify_disconnect(self.kernel_id)
        if self._reader is not None and self._reader is not asyncio.current_task():
            self._reader.cancel()
        self._close_upstream()

    def _close_upstream(self) -> None:
        upstream, self._upstream = self._upstream, None
        if upstream is not None:
            upstream.close()

    # -- the gateway's WebSocket ---------------------------------------------------------

    def upstream_url(self) -> str:
        client = self.gateway_client
        url = client.ws_url_for(client.kernels_endpoint, url_escape(self.kernel_id), "channels")
        # The client's session id lets the gateway replay what it missed while we reconnect.
        return f"{url}?session_id={quote(self.session_id)}" if self.session_id else url

    async def _open_upstream(self) -> WebSocketClientConnection:
        """Open the gateway's kernel WebSocket: KernelNotFound, GatewayError or the socket."""
        client = self.gateway_client
        url = self.upstream_url()
        request = client.make_request(url)
        what = f"the kernel WebSocket {url.split('?')[0]}"
        try:
            ws = await websocket_connect(
                request, subprotocols=list(self.gateway_subprotocols) or None, max_message_size=512 * 1024 * 1024,
            )
        except HTTPClientError as exc:
            if exc.code == 599:
                raise client.unreachable_error(exc, what, request.request_timeout) from None
            if exc.code == 404:
                raise KernelNotFound(f"No such kernel: {self.kernel_id}") from None
            body = exc.response.body if exc.response is not None else None
            raise client.status_error(exc.code, body, what) from None
        except Exception as exc:  # noqa: BLE001 - refused, unknown host, TLS: one clear error
            raise client.unreachable_error(exc, what, request.request_timeout) from None
        self._upstream_protocol = ws.selected_subprotocol or ""
        self.log.debug("Kernel %s: gateway WebSocket open (protocol %s)", self.kernel_id, self._upstream_protocol or "default")
        return ws

    async def _relay_from_gateway(self) -> None:
        while not self._closing:
            upstream = self._upstream
            frame = await upstream.read_message() if upstream is not None else None
            if self._closing:
                return
            if frame is None:
                if not await self._reconnect():
                    return
                continue
            try:
                message = decode_v1(frame) if self._upstream_protocol == V1_PROTOCOL else decode_legacy(frame)
            except FrameError as exc:
                self.log.warning("Kernel %s: ignoring a gateway frame that cannot be decoded: %s", self.kernel_id, exc)
                continue
            self._observe(message)
            self.handle_outgoing_message(message)

    def _observe(self, message: RawMessage) -> None:
        """Keep the kernel's model current from its iopub traffic (state, activity)."""
        if message.channel != "iopub":
            return
        km = self.kernel_manager
        parent = json.loads(message.parts[1] or b"{}") if message.parts[1] not in (b"", b"{}") else {}
        parent_type = parent.get("msg_type", "") if isinstance(parent, dict) else ""
        if parent_type in getattr(km, "untracked_message_types", ()):
            return
        state = None
        if message.msg_type == "status":
            content = json.loads(message.parts[3] or b"{}")
            state = content.get("execution_state") if isinstance(content, dict) else None
        km.record_status(self.kernel_id, state if isinstance(state, str) else None)

    async def _reconnect(self) -> bool:
        """Reopen a dropped gateway WebSocket, with backoff; False when giving up."""
        client = self.gateway_client
        self._reconnecting = True
        self._upstream = None
        delay = client.gateway_retry_interval
        try:
            for attempt in range(1, client.gateway_retry_max + 1):
                self.log.warning("Kernel %s: the gateway WebSocket is down; reconnecting in %.1fs (attempt %d of %d)",
                                 self.kernel_id, delay, attempt, client.gateway_retry_max)
                await asyncio.sleep(delay)
                if self._closing:
                    return False
                try:
                    upstream = await self._open_upstream()
                except KernelNotFound:
                    # Gone from the gateway: the manager tells every connection ("dead").
                    self.kernel_manager.kernel_gone(self.kernel_id)
                    self._close_websocket(1000, "The kernel no longer exists on the gateway")
                    return False
                except GatewayError as exc:
                    self.log.warning("Kernel %s: %s", self.kernel_id, exc)
                    delay = min(delay * 2, client.gateway_retry_interval_max)
                    continue
                if self._closing:
                    upstream.close()
                    return False
                self._upstream = upstream
                self._reconnecting = False
                self.log.info("Kernel %s: reconnected to the gateway WebSocket", self.kernel_id)
                await self._flush_pending()
                return True
        finally:
            self._reconnecting = False
        self.log.error("Kernel %s: giving up on the gateway at %s after %d attempts",
                       self.kernel_id, client.url, client.gateway_retry_max)
        self._close_websocket(_CLOSE_GATEWAY_LOST, _close_reason(f"Lost the connection to the gateway at {client.url}"))
        return False

    # -- client -> gateway ---------------------------------------------------------------

    async def handle_incoming_message(self, frame: str | bytes) -> None:
        """Send one client frame to the gateway, in the gateway's protocol."""
        message = self.decode_client_frame(frame)
        if message is not None:
            await self._send_upstream(message)

    async def _send_upstream(self, message: RawMessage) -> None:
        upstream = self._upstream
        if upstream is None or self._reconnecting or self._pending:
            self._queue(message)
            return
        data = encode_v1(message) if self._upstream_protocol == V1_PROTOCOL else encode_legacy(message)
        try:
            await upstream.write_message(data, binary=isinstance(data, bytes))
        except WebSocketClosedError:
            self._queue(message)  # the reader sees the drop and reconnects

    def _queue(self, message: RawMessage) -> None:
        self._pending.append(message)
        if len(self._pending) > self.max_pending_messages:
            self._pending.pop(0)
            self.log.warning("Kernel %s: dropping a client message while the gateway is away", self.kernel_id)

    async def _flush_pending(self) -> None:
        pending, self._pending = self._pending, []
        for message in pending:
            await self._send_upstream(message)
