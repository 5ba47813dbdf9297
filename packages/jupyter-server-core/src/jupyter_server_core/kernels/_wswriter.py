"""Writing kernel messages to a WebSocket: a burst of frames in one socket write.

A kernel's output comes in bursts (the kernel sockets are drained many messages per
wakeup); writing each as its own WebSocket frame costs a system call and a trip
through the loopback TCP stack per message. :class:`FrameWriter` queues the frames of
one event-loop turn and writes them together at the end of it. The frames are the
ones tornado would write (final, unmasked: a server never masks); when the
connection compresses frames, or only one frame is queued, tornado writes them.
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Callable
from typing import Any

from tornado.iostream import StreamClosedError
from tornado.websocket import WebSocketClosedError

__all__ = ["FrameWriter"]

_FIN = 0x80
_TEXT, _BINARY = 0x1, 0x2


def frame_header(size: int, binary: bool) -> bytes:
    """The header of a final, unmasked WebSocket data frame of ``size`` bytes (RFC 6455)."""
    first = _FIN | (_BINARY if binary else _TEXT)
    if size < 126:
        return struct.pack("!BB", first, size)
    if size <= 0xFFFF:
        return struct.pack("!BBH", first, 126, size)
    return struct.pack("!BBQ", first, 127, size)


class FrameWriter:
    """Queues ``(data, binary)`` frames for ``handler`` and writes them once per loop turn."""

    def __init__(self, handler: Any, on_unsent: Callable[[list[Any]], None] | None = None) -> None:
        self.handler = handler
        #: Called with the tags of queued frames the closing WebSocket will never take.
        self.on_unsent = on_unsent
        self._queue: list[tuple[bytes, bool, Any]] = []
        self._scheduled = False
        #: Bytes queued or handed to the socket that the client has not taken yet.
        self.backlog = 0
        self._drain_waiters: list[tuple[int, asyncio.Future[None]]] = []

    def write(self, data: bytes, binary: bool, tag: Any = None) -> None:
        self._queue.append((data, binary, tag))
        self.backlog += len(data)
        if not self._scheduled:
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self.flush)

    def flush(self) -> None:
        """Write what is queued (nothing when the WebSocket is gone)."""
        self._scheduled = False
        queue, self._queue = self._queue, []
        handler = self.handler
        ws = getattr(handler, "ws_connection", None)
        if not queue:
            return
        if ws is None or ws.is_closing():
            self._taken(sum(len(data) for data, _, _ in queue))
            if self.on_unsent is not None:
                self.on_unsent([tag for _, _, tag in queue if tag is not None])
            return
        if len(queue) == 1 or handler.get_compression_options() is not None:
            for data, binary, _ in queue:
                try:
                    future = handler.write_message(data, binary=binary)
                except WebSocketClosedError:
                    self._taken(self.backlog)
                    return
                self._follow(future, len(data))
            return
        chunks: list[bytes] = []
        for data, binary, _ in queue:
            chunks.append(frame_header(len(data), binary))
            chunks.append(data)
        try:
            future = ws.stream.write(b"".join(chunks))
        except StreamClosedError:
            self._taken(self.backlog)
            return
        self._follow(future, sum(len(data) for data, _, _ in queue))

    def _follow(self, future: Any, size: int) -> None:
        def done(f: Any) -> None:
            if not f.cancelled():
                f.exception()  # a write that fails because the client left is not worth a log line
            self._taken(size)

        future.add_done_callback(done)

    def _taken(self, size: int) -> None:
        self.backlog = max(0, self.backlog - size)
        waiters = self._drain_waiters
        if waiters:
            ready = [w for w in waiters if self.backlog < w[0] or w[1].done()]
            for below, waiter in ready:
                waiters.remove((below, waiter))
                if not waiter.done():
                    waiter.set_result(None)

    async def drained(self, below: int) -> None:
        """Wait until fewer than ``below`` bytes are unsent (or the WebSocket is gone)."""
        ws = getattr(self.handler, "ws_connection", None)
        if self.backlog < below or ws is None or ws.is_closing():
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._drain_waiters.append((below, waiter))
        await waiter

