"""Reading a ZMQ socket straight from the event loop's reader callback.

``zmq.asyncio`` makes a Future, a callback and an event-loop hop for every message
received; a kernel printing output sends thousands. :class:`SocketReader` instead
watches the socket's file descriptor and, when it fires, takes every message waiting
(non-blocking receives) and hands each to a plain callback: one wakeup for a burst.

ZMQ's descriptor is edge-triggered: it only signals when the socket's state changes,
so a reader must drain until nothing is left, and look again after it sends on the
same socket (a send can swallow the signal of a message that arrived meanwhile).
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable
from typing import Any

import zmq

__all__ = ["SocketReader"]

#: Messages taken per wakeup before the loop gets a turn (the rest follow at once).
BATCH = 256


class SocketReader:
    """Calls ``on_frames(frames)`` for every multipart message ``sock`` receives.

    ``sock`` is any pyzmq socket (``zmq.asyncio`` ones included: only its descriptor
    and non-blocking calls are used, never its awaitables). :meth:`close` stops
    reading; closing the socket stays the owner's job (reading stops by itself when
    the socket object is collected).
    """

    def __init__(self, sock: Any, on_frames: Callable[[list[bytes]], None], log: logging.Logger) -> None:
        self._raw: zmq.Socket[bytes] = zmq.Socket.shadow(sock.underlying)
        self._on_frames = on_frames
        self._log = log
        self._loop = asyncio.get_running_loop()
        self._fd = int(self._raw.getsockopt(zmq.FD))
        self._closed = False
        self._loop.add_reader(self._fd, self.drain)
        # No strong reference to ``sock``: a socket its owner forgets is still closed
        # when collected (as pyzmq does), and stops being read first. Otherwise the
        # loop's reader would keep it open and block the context's term() forever.
        weakref.finalize(sock, self.close).atexit = False
        self._loop.call_soon(self.drain)  # what arrived before the reader was added

    def drain(self) -> None:
        """Take the waiting messages (up to a batch; the rest on the next loop turn)."""
        if self._closed:
            return
        raw = self._raw
        for _ in range(BATCH):
            try:
                frames = raw.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return
            except zmq.ZMQError as exc:
                if not self._closed and not raw.closed:
                    self._log.warning("Reading a kernel socket failed: %s", exc)
                self.close()
                return
            try:
                self._on_frames(frames)
            except Exception:
                self._log.exception("Handling a message from the kernel failed")
            if self._closed:
                return
        self._loop.call_soon(self.drain)

    async def send(self, frames: list[Any]) -> None:
        """Send a multipart message without blocking the loop, then look for input."""
        raw = self._raw
        delay = 0.001
        while not self._closed:
            try:
                raw.send_multipart(frames, zmq.NOBLOCK, copy=False)
                break
            except zmq.Again:  # the kernel is not reading (high-water mark): wait a little
                await asyncio.sleep(delay)
                delay = min(2 * delay, 0.1)
        # The send may have reset the descriptor's edge while a reply was arriving.
        self._loop.call_soon(self.drain)

    def close(self) -> None:
        """Stop reading (idempotent)."""
        if self._closed:
            return
        self._closed = True
        try:
            self._loop.remove_reader(self._fd)
        except (ValueError, OSError, RuntimeError):
            pass  # the loop is closed, or the descriptor already gone
