"""ZMQChannelsWebsocketConnection: one WebSocket client bridged to one kernel's channels.

The handler (``_websocket``) owns the WebSocket; this object owns the bridge: it decodes
client frames, routes them to the kernel's shell, control and stdin channels signed with
the kernel's key, and encodes the kernel's messages for the client in the protocol the
client chose. Per-kernel state that must outlive it (who is connected, what a
disconnected session missed) lives in the registry of ``_wsregistry``.

``ServerApp.kernel_websocket_connection_class`` names this class; a subclass may
override :meth:`prepare`, :meth:`connect`, :meth:`disconnect`,
:meth:`handle_incoming_message` and :meth:`handle_outgoing_message`.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from functools import partial
from typing import Any

from jupyter_client.session import Session
from tornado import web
from traitlets import Any as AnyTrait
from traitlets import Bool, Float, Unicode
from traitlets.config import LoggingConfigurable

from ._journal import KernelJournal
from ._wschannels import KernelChannels
from ._wsfeed import JournalFeed
from ._wsprotocol import (
    CLIENT_CHANNELS,
    V1_PROTOCOL,
    FrameError,
    RawMessage,
    decode_legacy,
    decode_v1,
    encode_legacy_frame,
    encode_v1,
)
from ._wsratelimit import IOPubRateLimiter
from ._wsregistry import KernelConnectionRegistry, registry_for
from ._wswriter import FrameWriter

__all__ = ["ZMQChannelsWebsocketConnection"]

#: How long a new connection waits for proof that its iopub subscription is live and its
#: stdin socket connected (client frames wait meanwhile; a working kernel takes well under
#: a second, a loaded machine longer).
NUDGE_TIMEOUT = 30.0

_CLOSE_INVALID_DATA = 1007


class ZMQChannelsWebsocketConnection(LoggingConfigurable):
    """The bridge between one kernel WebSocket and the kernel's ZMQ channels.

    ``parent`` is the kernel manager. The handler calls, in order: :meth:`prepare`
    (before the upgrade; HTTPError refuses it), :meth:`connect` (once open),
    :meth:`handle_incoming_message` for every frame, and :meth:`disconnect` on close.
    """

    kernel_id = Unicode(help="The kernel this connection talks to.")
    session_id = Unicode("", help="The client's session id (``?session_id=``); empty disables replay.")
    replay_since = Unicode(
        "", help="A message id from the kernel's journal (``?replay_since=``): the client first gets "
        "every iopub message kept after it. Empty: only what comes from now on.",
    )
    kernel_ws_protocol = Unicode("", help="The negotiated subprotocol: '' (default JSON protocol) or v1.")
    websocket_handler = AnyTrait(help="The WebSocket handler: write_message(data, binary=) and close(code, reason).")
    limit_rate = Bool(False, help="Whether to limit the rate of iopub output (ServerApp.limit_rate).")
    iopub_msg_rate_limit = Float(1000, help="(msgs/sec) iopub output message limit (ServerApp.iopub_msg_rate_limit).")
    iopub_data_rate_limit = Float(1000000, help="(bytes/sec) stream output limit (ServerApp.iopub_data_rate_limit).")
    rate_limit_window = Float(3, help="(sec) Window over which the rates are measured (ServerApp.rate_limit_window).")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.session: Session | None = None
        self.channels: KernelChannels | None = None
        self._handed_over: KernelChannels | None = None
        self._rate_limiter: IOPubRateLimiter | None = None
        self._nudging: object | None = None
        # Kernel messages that came after the client began to close: for the offline buffer.
        self._unsent: list[RawMessage] = []
        # Cleared while a nudge runs: client frames wait so their output is not missed.
        self._channels_ready = asyncio.Event()
        self._channels_ready.set()
        self._unsubscribe: Callable[[], None] | None = None
        self._kernel_gone = False
        self._connected = False
        self._writer: FrameWriter | None = None
        #: Where iopub messages come from when the kernel has a journal (else: our iopub socket).
        self._journal: KernelJournal | None = None
        self._feed: JournalFeed | None = None
        self._replay_from: int | None = None

    @property
    def kernel_manager(self) -> Any:
        return self.parent

    @property
    def registry(self) -> KernelConnectionRegistry:
        return registry_for(self.kernel_manager)

    @property
    def kernel(self) -> Any:
        return self.kernel_manager.get_kernel(self.kernel_id)

    # -- lifecycle -----------------------------------------------------------------------

    async def prepare(self) -> None:
        """Before the upgrade: the kernel must exist and finish starting (404 otherwise)."""
        km = self.kernel_manager
        if self.kernel_id not in km:
            raise web.HTTPError(404, f"No such kernel: {self.kernel_id}")
        kernel = km.get_kernel(self.kernel_id)
        ready = kernel.ready
        try:
            await (ready if isinstance(ready, asyncio.Future) else asyncio.wrap_future(ready))
        except Exception as exc:
            raise web.HTTPError(404, f"Kernel {self.kernel_id} failed to start: {exc}") from None
        # The manager's own iopub watcher must see this client's first output too.
        settled = getattr(km, "wait_for_kernel", None)
        if settled is not None:
            await settled(self.kernel_id)
        if self.kernel_id not in km:
            raise web.HTTPError(404, f"No such kernel: {self.kernel_id}")
        self.session = Session(
            parent=self, key=kernel.session.key, signature_scheme=kernel.session.signature_scheme,
            session=self.session_id or uuid.uuid4().hex,
        )
        journal_for = getattr(km, "journal_for", None)
        self._journal = journal_for(self.kernel_id) if journal_for is not None else None
        if self.replay_since:
            self._replay_from = await self._find_replay_start(self.replay_since)
        if self.limit_rate:
            self._rate_limiter = IOPubRateLimiter(self.iopub_msg_rate_limit, self.iopub_data_rate_limit, self.rate_limit_window)

    async def _find_replay_start(self, msg_id: str) -> int:
        """The journal position after ``msg_id``; HTTPError 400/404 when there is none."""
        if len(msg_id) > 256 or not msg_id.isprintable():
            raise web.HTTPError(400, "replay_since must be the msg_id of a message the kernel sent")
        if self._journal is None:
            raise web.HTTPError(404, f"Kernel {self.kernel_id} has no output journal to replay from")
        seq = await self._journal.find(msg_id)
        if seq is None:
            raise web.HTTPError(404, f"No message {msg_id!r} in the output journal of kernel {self.kernel_id}")
        return seq + 1

    async def connect(self) -> None:
        """Once the WebSocket is open: attach channels, replay missed messages, nudge."""
        assert self.session is not None, "prepare() first"
        km = self.kernel_manager
        self._subscribe_kernel_events()
        notify = getattr(km, "notify_connect", None)
        if notify is not None:
            notify(self.kernel_id)
        self._connected = True
        unattended = getattr(km, "unattended_output", None)
        if unattended is not None:
            unattended.client_connected(self.kernel_id)
        registry = self.registry
        channels = registry.register(self)
        buffer = registry.take_buffer(self.kernel_id, self.session_id)
        if buffer is not None:
            if channels is None:
                channels = buffer.channels
                self.log.info("Resuming session %s of kernel %s: replaying %d messages",
                              self.session_id, self.kernel_id, len(buffer.messages))
            else:
                buffer.channels.close()
        if channels is None:
            channels = KernelChannels(self.kernel, self.session, self.log)
            channels.open()
        self.channels = channels
        # No await from here until the sink is set: messages keep their order.
        if self._journal is not None:
            channels.skip_iopub = True  # iopub comes from the journal
            resume = buffer.iopub_from if buffer is not None else None
            if resume is None and channels.journal_seq is not None:
                resume, channels.journal_seq = channels.journal_seq, None  # taken from a stale connection
            start = resume if resume is not None else self._replay_from
            writer = self._frame_writer()
            self._feed = JournalFeed(self._journal, self._forward, lambda: writer.backlog if writer else 0,
                                     self._drained, self.log)
            self._feed.start(start, list(buffer.messages) if buffer is not None else [])
        else:
            for message in buffer.messages if buffer is not None else ():
                self.handle_outgoing_message(message)
        channels.sink = self._on_kernel_message
        await self.nudge()

    async def _drained(self, below: int) -> None:
        writer = self._frame_writer()
        if writer is not None:
            await writer.drained(below)

    def disconnect(self) -> None:
        """The WebSocket closed: park the channels for a later reconnect, or close them."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._connected:
            self._connected = False
            notify = getattr(self.kernel_manager, "notify_disconnect", None)
            if notify is not None:
                notify(self.kernel_id)
            unattended = getattr(self.kernel_manager, "unattended_output", None)
            if unattended is not None:
                unattended.client_disconnected(self.kernel_id)
        still_current = self.registry.unregister(self)
        channels, self.channels = self.channels, None
        if channels is None:
            self._stop_feed([])
            return  # a newer connection of this session adopted them
        km = self.kernel_manager
        keep = (
            still_current and self.session_id and not self._kernel_gone
            and getattr(km, "buffer_offline_messages", True) and self.kernel_id in km
        )
        unsent, self._unsent = self._unsent, []
        resume = self._stop_feed(unsent)
        if keep:
            self.registry.start_buffering(self.kernel_id, self.session_id, channels, self._journal, resume)
            sink = channels.sink
            if sink is not None:
                for message in unsent:
                    sink(message)  # before anything the buffer receives from now on
            # Frames the client sent before it left may still wait for a nudge: they go
            # out on these channels, and what they cause is buffered for the session.
            self._handed_over = channels
        else:
            channels.close()

    def _stop_feed(self, unsent: list[RawMessage]) -> int | None:
        """Stop the journal feed; the journal position this session's replay starts at."""
        feed, self._feed = self._feed, None
        if feed is None:
            return None
        feed.close()
        seqs = [m.journal_seq for m in unsent if m.channel == "iopub" and m.journal_seq is not None]
        return min([*seqs, feed.seq])

    def close_replaced(self) -> KernelChannels | None:
        """A newer connection of the same session took over: hand it the channels, close."""
        channels, self.channels = self.channels, None
        if channels is not None:
            channels.sink = None
        if self._writer is not None:
            self._writer.flush()  # what was given to this client goes before the new one's
        resume = self._stop_feed(self._unsent)
        if channels is not None:
            channels.journal_seq = resume
        # Frames this client sent before it was replaced still go to the kernel.
        self._handed_over = channels
        self._close_websocket(1000, "Replaced by a newer connection of the same session")
        return channels

    # -- the kernel's events -------------------------------------------------------------

    def _subscribe_kernel_events(self) -> None:
        km = self.kernel_manager
        subscribe = getattr(km, "on_kernel_event", None)
        if subscribe is not None:
            self._unsubscribe = subscribe(self.kernel_id, self._on_kernel_event)
            return
        # A manager without events: jupyter_client's restarter callbacks still tell us.
        kernel = self.kernel
        callbacks = [(partial(self._on_kernel_event, self.kernel_id, "restarting"), "restart"),
                     (partial(self._on_kernel_event, self.kernel_id, "dead"), "dead")]
        for callback, event in callbacks:
            kernel.add_restart_callback(callback, event)

        def unsubscribe() -> None:
            for callback, event in callbacks:
                kernel.remove_restart_callback(callback, event)

        self._unsubscribe = unsubscribe

    def _on_kernel_event(self, kernel_id: str, event: str) -> None:
        if event == "restarting":
            self.send_status("restarting")
        elif event == "restarted":
            if self.channels is not None:
                self.channels.reconnect_if_moved()
                self._channels_ready.clear()
                asyncio.ensure_future(self.nudge())
        elif event == "dead":
            self._kernel_gone = True
            self.send_status("dead")
            self._close_websocket(1000, "The kernel died")
        elif event == "shutdown":
            self._kernel_gone = True
            self._close_websocket(1000, "The kernel was shut down")

    def send_status(self, execution_state: str) -> None:
        """Tell the client the kernel's state, as an iopub status message from the server."""
        self._write(self._server_message("status", {"execution_state": execution_state}))

    # -- client -> kernel ----------------------------------------------------------------

    async def handle_incoming_message(self, frame: str | bytes) -> None:
        """Route one client frame to the kernel; a frame that cannot be decoded closes."""
        message = self.decode_client_frame(frame)
        if message is None:
            return
        unattended = getattr(self.kernel_manager, "unattended_output", None)
        if unattended is not None and message.channel == "shell":
            unattended.note_request(self.kernel_id, message)
        if not self._channels_ready.is_set():
            await self._channels_ready.wait()
        channels = self.channels or self._handed_over
        if channels is not None:
            await channels.send(message)

    def decode_client_frame(self, frame: str | bytes) -> RawMessage | None:
        """Decode and vet one client frame; None when there is nothing to send.

        A frame that cannot be decoded closes the WebSocket (1007); a message on a
        channel clients may not use, or of a type ``allowed_message_types`` excludes, is
        ignored with a warning. Subclasses that send elsewhere (a gateway) reuse this.
        """
        try:
            message = decode_v1(frame) if self.kernel_ws_protocol == V1_PROTOCOL else decode_legacy(frame)
        except FrameError as exc:
            self.log.warning("Kernel %s: closing a WebSocket that sent an invalid frame: %s", self.kernel_id, exc)
            self._close_websocket(_CLOSE_INVALID_DATA, f"Invalid frame: {exc}"[:120])
            return None
        if message.channel not in CLIENT_CHANNELS:
            self.log.warning("Kernel %s: ignoring a %s message on channel %r", self.kernel_id, message.msg_type, message.channel)
            return None
        allowed = getattr(self.kernel_manager, "allowed_message_types", None)
        if allowed and message.channel == "shell" and message.msg_type not in allowed:
            self.log.warning("Kernel %s: message type %r is not allowed; ignoring it", self.kernel_id, message.msg_type)
            return None
        return message

    # -- kernel -> client ----------------------------------------------------------------

    def _on_kernel_message(self, message: RawMessage) -> None:
        if message.channel == "iopub":
            if message.msg_type == "iopub_welcome" or self._feed is not None:
                return  # the kernel greeting our subscription, or journaled: sent by the feed
        self._forward(message)

    def _forward(self, message: RawMessage) -> None:
        if message.channel == "iopub":
            # Output reaching a client is server activity. The manager's own iopub watcher
            # records it too, and alone when no client is connected.
            activity = getattr(self.kernel_manager, "activity", None)
            if activity is not None:
                activity.touch("kernels")
        handler = self.websocket_handler
        ws = getattr(handler, "ws_connection", None)
        if handler is not None and (ws is None or ws.is_closing()):
            # The client's close came in; disconnect() follows on a later loop turn and
            # hands these to the session's offline buffer instead of a dead socket.
            self._unsent.append(message)
            return
        self.handle_outgoing_message(message)

    def handle_outgoing_message(self, message: RawMessage) -> None:
        """Send one kernel message to the client (after the rate limit and traceback policy)."""
        if message.channel == "iopub" and self._rate_limiter is not None:
            msg_type = message.msg_type
            size = len(message.parts[3]) if msg_type == "stream" else 0
            deliver, notice = self._rate_limiter.check(msg_type, size)
            if notice is not None:
                text = self._rate_limiter.notice_text(notice)
                self.log.warning("Kernel %s: iopub %s rate exceeded; dropping output", self.kernel_id, notice)
                self._write(self._server_message("stream", {"name": "stderr", "text": text}, message.parts[1]))
            if not deliver:
                return
        if not getattr(self.kernel_manager, "allow_tracebacks", True):
            message = self._hide_traceback(message)
        self._write(message)

    def _hide_traceback(self, message: RawMessage) -> RawMessage:
        if message.msg_type not in ("error", "execute_reply"):
            return message
        content = json.loads(message.parts[3])
        if "traceback" not in content:
            return message
        replacement = getattr(self.kernel_manager, "traceback_replacement_message", "")
        content["traceback"] = [replacement]
        parts = [*message.parts[:3], json.dumps(content).encode(), *message.parts[4:]]
        return RawMessage(message.channel, parts)

    def _server_message(self, msg_type: str, content: dict[str, Any], parent: bytes = b"{}") -> RawMessage:
        assert self.session is not None
        msg = self.session.msg(msg_type, content)
        pack = self.session.pack
        return RawMessage("iopub", [pack(msg["header"]), parent, b"{}", pack(content)])

    def _write(self, message: RawMessage) -> None:
        handler = self.websocket_handler
        if handler is None or handler.ws_connection is None:
            return
        if self.kernel_ws_protocol == V1_PROTOCOL:
            data, binary = encode_v1(message), True
        else:
            data, binary = encode_legacy_frame(message)
        writer = self._frame_writer()
        assert writer is not None
        # Frames of one loop turn leave in one write (bytes with binary=False: a text frame).
        writer.write(data, binary, message)

    def _frame_writer(self) -> FrameWriter | None:
        handler = self.websocket_handler
        if handler is None:
            return None
        if self._writer is None or self._writer.handler is not handler:
            self._writer = FrameWriter(handler, self._keep_unsent)
        return self._writer

    def _keep_unsent(self, messages: list[RawMessage]) -> None:
        """Messages queued for a WebSocket that closed before they left: for the buffer."""
        channels = self._handed_over
        if self.channels is None and channels is not None and channels.sink is not None:
            for message in messages:  # disconnect() already ran
                channels.sink(message)
        else:
            self._unsent.extend(messages)

    def _close_websocket(self, code: int, reason: str) -> None:
        handler = self.websocket_handler
        if handler is not None and handler.ws_connection is not None:
            if self._writer is not None:
                self._writer.flush()  # what was sent before the close goes first
            handler.close(code, reason)

    # -- nudge ---------------------------------------------------------------------------

    async def nudge(self) -> None:
        """Hold client frames until the kernel can reach this client on iopub and stdin.

        ZMQ connects and subscribes in the background. Two things must be true before a
        client's first request goes out, or its answer can be lost:

        - the iopub subscription is live: kernel_info requests go on shell and control
          (control answers while the kernel is busy) until an iopub message arrives;
          their replies are not forwarded, the status messages they cause are;
        - the stdin socket finished its handshake with the kernel: the kernel's stdin
          ROUTER drops an ``input_request`` for a peer it does not know yet.
        """
        channels = self.channels
        if channels is None:
            self._channels_ready.set()
            return
        token = self._nudging = object()
        seen = channels.next_iopub()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + NUDGE_TIMEOUT
        delay = 0.2

        def still_ours() -> bool:
            # Held frames go to these channels even after the client left (offline
            # buffer) or a newer connection took them over: keep proving them ready.
            return not channels.closed and channels in (self.channels, self._handed_over)

        try:
            while still_ours():
                if not seen.is_set():
                    for channel in ("shell", "control"):
                        request = self._kernel_info_request(channel)
                        channels.ignore_replies_to.add(request.header["msg_id"])
                        await channels.send(request)
                pending = [e for e in (seen, channels.stdin_up) if not e.is_set()]
                remaining = deadline - loop.time()
                if not pending or remaining <= 0:
                    break
                waits = [asyncio.ensure_future(e.wait()) for e in pending]
                await asyncio.wait(waits, timeout=min(delay, remaining))
                for waiter in waits:
                    waiter.cancel()
                delay = min(delay * 2, 1.0)
            if still_ours():
                if not seen.is_set():
                    self.log.warning("Kernel %s: no iopub message after %.0fs of kernel_info requests",
                                     self.kernel_id, NUDGE_TIMEOUT)
                if not channels.stdin_up.is_set():
                    self.log.warning("Kernel %s: the stdin channel did not connect within %.0fs",
                                     self.kernel_id, NUDGE_TIMEOUT)
        finally:
            if self._nudging is token:  # a later nudge (after a restart) sets it itself
                self._nudging = None
                self._channels_ready.set()

    def _kernel_info_request(self, channel: str) -> RawMessage:
        assert self.session is not None
        msg = self.session.msg("kernel_info_request", {})
        pack = self.session.pack
        return RawMessage(channel, [pack(msg["header"]), b"{}", b"{}", b"{}"], msg["header"])
