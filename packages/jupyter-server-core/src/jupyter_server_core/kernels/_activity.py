"""Watching a kernel from the server side: its iopub traffic and a kernel_info probe.

The manager runs one :func:`watch_iopub` task per kernel so that ``execution_state`` and
``last_activity`` stay current whether or not any client is connected; handlers and
WebSocket connections never track kernel state themselves.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Collection
from typing import Any

import zmq
from jupyter_client.connect import ConnectionFileMixin

from ._zmqreader import SocketReader

__all__ = ["probe_kernel_info", "watch_iopub"]

_DELIM = b"<IDS|MSG>"

_log = logging.getLogger(__name__)


def _connect(kernel: Any, channel: str) -> Any:
    # The mixin's own method gives the bare (asyncio) socket; the IOLoop kernel managers
    # would wrap it in a ZMQStream, which has no awaitable recv.
    connect = getattr(ConnectionFileMixin, f"connect_{channel}")
    return connect(kernel)


async def watch_iopub(
    kernel: Any,
    on_message: Callable[[str, dict[str, Any], bool], None],
    untracked: Collection[str],
) -> None:
    """Subscribe to ``kernel``'s iopub; call ``on_message(msg_type, content, tracked)`` for each.

    ``tracked`` is False for messages answering an ``untracked`` request type (kernel_info,
    comm_info... whose traffic is not user activity). Only the headers are parsed, and the
    content only for ``status`` messages, so heavy output costs little here. Signatures are
    not checked: only the kernel can publish on its own iopub socket. Runs until cancelled.
    """
    socket = _connect(kernel, "iopub")
    unpack = kernel.session.unpack

    def on_frames(frames: list[bytes]) -> None:
        try:
            start = frames.index(_DELIM)
            header = unpack(frames[start + 2])
            parent = unpack(frames[start + 3])
            tracked = parent.get("msg_type") not in untracked
            msg_type = header.get("msg_type", "")
            content = unpack(frames[start + 5]) if msg_type == "status" and tracked else {}
        except (ValueError, IndexError, TypeError, AttributeError):
            return  # not a Jupyter message: nothing to learn from it
        on_message(msg_type, content, tracked)

    reader = SocketReader(socket, on_frames, _log)
    try:
        await asyncio.Future()  # read from the loop's callbacks until cancelled
    finally:
        reader.close()
        socket.close(linger=0)


async def probe_kernel_info(kernel: Any, timeout: float) -> dict[str, Any] | None:
    """Ask the kernel for its kernel_info on a shell socket of our own.

    Returns the reply's content, or None if no reply came within ``timeout`` seconds.
    A reply proves the kernel is up and idle; its content (protocol version, language)
    is kept for the WebSocket layer.
    """
    session = kernel.session
    socket = _connect(kernel, "shell")
    try:
        request = session.msg("kernel_info_request")
        await socket.send_multipart(session.serialize(request))
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            if not await socket.poll(int(remaining * 1000), zmq.POLLIN):
                return None
            frames = await socket.recv_multipart()
            try:
                _, parts = session.feed_identities(frames)
                reply = session.deserialize(parts)
            except (ValueError, IndexError, TypeError):
                continue
            if reply.get("parent_header", {}).get("msg_id") == request["header"]["msg_id"]:
                content = reply.get("content")
                return content if isinstance(content, dict) else {}
        return None
    except asyncio.CancelledError:
        raise
    except zmq.ZMQError:
        return None
    finally:
        socket.close(linger=0)
