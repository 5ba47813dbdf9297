"""Knowing when a kernel socket is really connected.

A ZMQ ``connect()`` returns at once; the TCP connection and the ZMTP handshake follow
later in libzmq's I/O thread, and again after every reconnect. For most channels that
does not matter: a DEALER queues what it sends until the peer is there. The stdin
channel is the exception. The kernel sends ``input_request`` from a ROUTER socket, and
a ROUTER silently drops a message addressed to a peer whose handshake it has not seen.
So a shell request that allows stdin must not reach the kernel before our stdin socket
finished its handshake: :class:`LinkWatch` tells when that is.

The watch is attached before ``connect()`` (a monitor attached later could miss the one
event that matters), which is why :func:`open_kernel_socket` builds the socket itself,
the way ``jupyter_client`` does (same URL, identity, linger and CurveZMQ keys).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from typing import Any

import zmq
from jupyter_client.connect import channel_socket_types
from zmq.utils.monitor import parse_monitor_message

from ._zmqreader import SocketReader

__all__ = ["LinkWatch", "open_kernel_socket"]

_EVENTS = zmq.EVENT_HANDSHAKE_SUCCEEDED | zmq.EVENT_DISCONNECTED | zmq.EVENT_CLOSED


class LinkWatch:
    """Follows the connection state of one socket through its monitor.

    :attr:`up` is set while the ZMTP handshake with the kernel has succeeded and the
    connection has not dropped since (a kernel restart drops it; ZMQ reconnects).
    """

    def __init__(self, sock: Any, log: logging.Logger) -> None:
        self.up = asyncio.Event()
        self._sock = sock
        address = f"inproc://kernel-link-{uuid.uuid4().hex}"
        sock.monitor(address, _EVENTS)
        self._monitor = sock.context.socket(zmq.PAIR)
        self._monitor.linger = 0
        self._monitor.connect(address)
        self._reader = SocketReader(self._monitor, self._on_event, log)

    def _on_event(self, frames: list[bytes]) -> None:
        try:
            event = parse_monitor_message(frames)["event"]
        except (ValueError, IndexError, KeyError):
            return
        if event == zmq.EVENT_HANDSHAKE_SUCCEEDED:
            self.up.set()
        elif event in (zmq.EVENT_DISCONNECTED, zmq.EVENT_CLOSED):
            self.up.clear()

    def close(self) -> None:
        """Stop watching (before the watched socket is closed)."""
        self._reader.close()
        if not self._sock.closed:
            try:
                self._sock.disable_monitor()
            except zmq.ZMQError:
                pass
        self._monitor.close(linger=0)


def open_kernel_socket(kernel: Any, channel: str, identity: bytes | None, log: logging.Logger) -> tuple[Any, LinkWatch]:
    """A socket of ``kernel``'s ``channel``, watched from before it connects."""
    sock = kernel.context.socket(channel_socket_types[channel])
    sock.linger = 1000
    if identity:
        sock.identity = identity
    public = getattr(kernel, "curve_publickey", None)
    if public is not None:
        # What jupyter_client does: the connection file's keypair serves both ends.
        sock.curve_secretkey = kernel.curve_secretkey
        sock.curve_publickey = public
        sock.curve_serverkey = public
    watch = LinkWatch(sock, log)
    sock.connect(kernel._make_url(channel))
    return sock, watch
