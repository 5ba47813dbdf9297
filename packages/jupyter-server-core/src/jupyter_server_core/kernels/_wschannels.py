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
from typing import Any

import zmq
import zmq.asyncio
from jupyter_client.connect import ConnectionFileMixin
from jupyter_client.session import Session

from ._wsprotocol import RawMessage

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
    are swallowed.
    """

    def __init__(self, kernel: Any, session: Session, log: logging.Logger) -> None:
        self.kernel = kernel
        self.session = session
        self.log = log
        self.identity = uuid.uuid4().hex.encode("ascii")
        self.sockets: dict[str, zmq.asyncio.Socket] = {}
        self.sink: MessageSink | None = None
        self.ignore_replies_to: set[str] = set()
        self._tasks: list[asyncio.Task[None]] = []
        self._opened_ports: tuple[Any, ...] = ()
        self.closed = False

    def open(self) -> None:
        """Connect the four sockets to the kernel and start reading them."""
        self._opened_ports = self._ports()
        for channel in CHANNELS:
            # The mixin's own method gives the bare socket: the IOLoop kernel managers'
            # override wraps it in a ZMQStream, which has no awaitable recv.
            connect = getattr(ConnectionFileMixin, f"connect_{channel}")
            sock = connect(self.kernel, identity=None if channel == "iopub" else self.identity)
            if not isinstance(sock, zmq.asyncio.Socket):
                sock = zmq.asyncio.Socket.from_socket(sock)
            self.sockets[channel] = sock
            self._tasks.append(asyncio.ensure_future(self._read(channel, sock)))

    def reconnect_if_moved(self) -> bool:
        """After a kernel restart: reconnect when the kernel's ports changed.

        On the same ports ZMQ reconnects by itself, keeping what is queued.
        """
        if self._ports() == self._opened_ports:
            return False
        self._close_sockets()
        self.open()
        return True

    def _ports(self) -> tuple[Any, ...]:
        info = self.kernel.get_connection_info()
        return tuple(info.get(f"{channel}_port") for channel in CHANNELS) + (info.get("ip"),)

    def close(self) -> None:
        """Stop reading and close the sockets; the object is done."""
        self.closed = True
        self.sink = None
        self._close_sockets()

    def _close_sockets(self) -> None:
        for task in self._tasks:
            task.cancel()
        self._tasks.clear()
        for sock in self.sockets.values():
            sock.close(linger=0)
        self.sockets.clear()

    async def send(self, message: RawMessage) -> None:
        """Sign ``message`` with the kernel's key and send it on its channel."""
        sock = self.sockets.get(message.channel)
        if sock is None or sock.closed:
            self.log.debug("Dropping a %s message: the %s channel is closed", message.msg_type, message.channel)
            return
        signature = self.session.sign(message.parts[:4])
        await sock.send_multipart([_DELIM, signature, *message.parts], copy=False)

    async def _read(self, channel: str, sock: zmq.asyncio.Socket) -> None:
        while True:
            try:
                frames = await sock.recv_multipart(copy=True)
            except asyncio.CancelledError:
                raise
            except zmq.ZMQError as exc:
                if sock.closed:
                    return
                self.log.warning("Kernel %s channel failed: %s", channel, exc)
                return
            message = self._verify(channel, frames)
            if message is None:
                continue
            if self.ignore_replies_to and channel in ("shell", "control"):
                parent = message.parent_msg_id()
                if parent in self.ignore_replies_to:
                    self.ignore_replies_to.discard(parent)
                    continue
            sink = self.sink
            if sink is not None:
                try:
                    sink(message)
                except Exception:
                    self.log.exception("Handling a %s message from the kernel failed", channel)

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
