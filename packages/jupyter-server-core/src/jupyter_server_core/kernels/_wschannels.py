"""One client's ZMQ sockets to a kernel, and the loops that read them.

A :class:`KernelChannels` outlives the WebSocket that opened it when its client may come
back: the registry parks it and buffers what it receives (see ``_wsregistry``), and the
next connection of the same session adopts it, so replies to requests sent before the
disconnect still reach the client.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import uuid
from collections.abc import Callable
from functools import partial
from typing import Any

import zmq
from jupyter_client.connect import ConnectionFileMixin
from jupyter_client.session import Session

from ._wsprotocol import RawMessage
from ._zmqlink import LinkWatch, open_kernel_socket
from ._zmqreader import SocketReader

__all__ = ["CHANNELS", "KernelChannels", "MessageSink"]

CHANNELS = ("shell", "control", "stdin", "iopub")

_DELIM = b"<IDS|MSG>"

#: Where received messages go: the connection (to its WebSocket) or an offline buffer.
MessageSink = Callable[[RawMessage], None]


class KernelChannels:
    """The shell, control, stdin and iopub sockets of one client, with one identity.

    Shell, control and stdin share ``identity`` because the kernel answers an
    ``input()`` on the stdin socket whose identity sent the execute request.
    Messages from the kernel are checked against the kernel's key, then handed to
    :attr:`sink`. Replies to requests the server itself sent (``ignore_replies_to``)
    are swallowed. :attr:`stdin_up` is set while the stdin socket is connected to the
    kernel (see ``_zmqlink``: before that, the kernel would drop an ``input_request``).
    """

    def __init__(self, kernel: Any, session: Session, log: logging.Logger) -> None:
        self.kernel = kernel
        self.session = session
        self.log = log
        self.identity = uuid.uuid4().hex.encode("ascii")
        self.sockets: dict[str, zmq.Socket[Any]] = {}
        self.sink: MessageSink | None = None
        self.ignore_replies_to: set[str] = set()
        self._readers: dict[str, SocketReader] = {}
        self._stdin_link: LinkWatch | None = None
        self._opened_ports: tuple[Any, ...] = ()
        self._iopub_waiters: list[asyncio.Event] = []
        self.closed = False
        #: Set when the client's iopub messages come from the kernel's journal: this socket's
        #: messages then only prove the subscription live (see :meth:`next_iopub`).
        self.skip_iopub = False
        #: Where the journal feed of the connection that last used these channels stopped.
        self.journal_seq: int | None = None

    def open(self) -> None:
        """Connect the four sockets to the kernel and start reading them."""
        self._opened_ports = self._ports()
        for channel in CHANNELS:
            if channel == "stdin":
                sock, self._stdin_link = open_kernel_socket(self.kernel, channel, self.identity, self.log)
            else:
                # The mixin's own method gives the bare socket: the IOLoop kernel managers'
                # override wraps it in a ZMQStream, which has no awaitable recv.
                connect = getattr(ConnectionFileMixin, f"connect_{channel}")
                sock = connect(self.kernel, identity=None if channel == "iopub" else self.identity)
            self.sockets[channel] = sock
            self._readers[channel] = SocketReader(sock, partial(self._received, channel), self.log)

    def reconnect_if_moved(self) -> bool:
        """After a kernel restart: reconnect when the kernel's ports changed.

        On the same ports ZMQ reconnects by itself, keeping what is queued.
        """
        if self._ports() == self._opened_ports:
            return False
        self._close_sockets()
        self.open()
        return True

    @property
    def stdin_up(self) -> asyncio.Event:
        """Set while the stdin socket has a live connection to the kernel."""
        assert self._stdin_link is not None, "open() first"
        return self._stdin_link.up

    def next_iopub(self) -> asyncio.Event:
        """An event set by the next iopub message, whoever the sink is by then.

        A connection's nudge waits on it: the sink may change under it (the client left
        and an offline buffer took the channels) and the proof must still arrive.
        """
        event = asyncio.Event()
        self._iopub_waiters.append(event)
        return event

    def _ports(self) -> tuple[Any, ...]:
        info = self.kernel.get_connection_info()
        return tuple(info.get(f"{channel}_port") for channel in CHANNELS) + (info.get("ip"),)

    def close(self) -> None:
        """Stop reading and close the sockets; the object is done."""
        self.closed = True
        self.sink = None
        self._close_sockets()

    def _close_sockets(self) -> None:
        for reader in self._readers.values():
            reader.close()
        self._readers.clear()
        if self._stdin_link is not None:
            self._stdin_link.close()
        for sock in self.sockets.values():
            sock.close(linger=0)
        self.sockets.clear()

    async def send(self, message: RawMessage) -> None:
        """Sign ``message`` with the kernel's key and send it on its channel."""
        sock = self.sockets.get(message.channel)
        reader = self._readers.get(message.channel)
        if sock is None or sock.closed or reader is None:
            self.log.debug("Dropping a %s message: the %s channel is closed", message.msg_type, message.channel)
            return
        signature = self.session.sign(message.parts[:4])
        await reader.send([_DELIM, signature, *message.parts])

    def _received(self, channel: str, frames: list[bytes]) -> None:
        if channel == "iopub" and self.skip_iopub:
            self._iopub_arrived()
            return
        message = self._verify(channel, frames)
        if message is None:
            return
        if channel == "iopub":
            self._iopub_arrived()
        if self.ignore_replies_to and channel in ("shell", "control"):
            parent = message.parent_msg_id()
            if parent in self.ignore_replies_to:
                self.ignore_replies_to.discard(parent)
                return
        sink = self.sink
        if sink is not None:
            try:
                sink(message)
            except Exception:
                self.log.exception("Handling a %s message from the kernel failed", channel)

    def _iopub_arrived(self) -> None:
        if self._iopub_waiters:
            for event in self._iopub_waiters:
                event.set()
            self._iopub_waiters.clear()

    def _verify(self, channel: str, frames: list[bytes]) -> RawMessage | None:
        """Strip routing identities and check the signature; None for a bad message."""
        try:
            start = frames.index(_DELIM) + 1
        except ValueError:
            self.log.warning("Dropping a %s message without delimiter from the kernel", channel)
            return None
        if len(frames) < start + 5:
            self.log.warning("Dropping a truncated %s message from the kernel", channel)
            return None
        signature, parts = frames[start], frames[start + 1 :]
        if self.session.auth is not None and not hmac.compare_digest(signature, self.session.sign(parts[:4])):
            self.log.warning("Dropping a %s message with a bad signature from the kernel", channel)
            return None
        return RawMessage(channel, parts)
