"""Watching a kernel from the server side: its iopub traffic and a kernel_info probe.

The manager runs one :func:`watch_iopub` task per kernel so that ``execution_state`` and
``last_activity`` stay current whether or not any client is connected; handlers and
WebSocket connections never track kernel state themselves.
"""

from __future__ import annotations

import asyncio
import logging
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
    journal: Callable[[list[bytes]], Any] | None = None,
) -> None:
    """Subscribe to ``kernel``'s iopub; call ``on_message(msg_type, content, tracked)`` for each.

    ``tracked`` is False for messages answering an ``untracked`` request type (kernel_info,
    comm_info... whose traffic is not user activity). Only the headers are parsed, and the
    content only for ``status`` messages, so heavy output costs little here. Signatures are
    not checked: only the kernel can publish on its own iopub socket. With ``journal``, each
    message's wire parts (header to buffers) go to it too, except the welcome that the
    kernel's XPUB socket sends to every new subscriber. Runs until cancelled.
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
        if journal is not None and msg_type != "iopub_welcome":
            journal(frames[start + 2 :])

    reader = SocketReader(socket, on_frames, _log)
    try:
        await asyncio.Future()  # read from the loop's callbacks until cancelled
    finally:
        reader.close()
        socket.close(linger=0)


async def probe_kernel_info(kernel: Any, timeout: float, iopub_live: asyncio.Event | None = None) -> dict[str, Any] | None:
    """Ask the kernel for its kernel_info on a shell socket of our own, until it answers.

    Returns the reply's content, or None if no reply came within ``timeout`` seconds.
    A reply proves the kernel is up; its content (protocol version, language) is kept
    for the WebSocket layer. The request is sent again, with growing pauses, until a
    reply comes, so a single unanswered request cannot leave the kernel ``starting``
    (a warning says when a later request was answered first); every request also makes
    the kernel publish status messages on iopub. With ``iopub_live``, requests go on after the reply until that event is set
    (the caller's iopub watcher saw a message) or the time is up: a fresh SUB socket's
    subscription reaches the kernel some time after it connects, and the kernel
    applies it when it next publishes.
    """
    session = kernel.session
    socket = _connect(kernel, "shell")
    loop = asyncio.get_running_loop()
    started = loop.time()
    deadline = started + timeout
    asked: list[str] = []
    content: dict[str, Any] | None = None
    delay = 0.1
    try:
        while (remaining := deadline - loop.time()) > 0:
            request = session.msg("kernel_info_request")
            asked.append(request["header"]["msg_id"])
            await socket.send_multipart(session.serialize(request))
            until = loop.time() + min(delay, remaining)
            delay = min(delay * 2, 2.0)
            if content is None:
                content = await _await_reply(socket, session, asked, until - loop.time())
                if content is not None:
                    _log.debug("kernel_info answered after %d request(s) in %.2fs", len(asked), loop.time() - started)
            if content is not None and iopub_live is not None and not iopub_live.is_set():
                try:
                    await asyncio.wait_for(iopub_live.wait(), max(0.0, until - loop.time()))
                except asyncio.TimeoutError:
                    continue
            if content is not None:
                return content
        if content is not None:
            _log.warning("A kernel answered kernel_info, but no iopub message reached the server within %ss", timeout)
        return content
    except asyncio.CancelledError:
        raise
    except zmq.ZMQError:
        return content
    finally:
        socket.close(linger=0)


async def _await_reply(socket: Any, session: Any, asked: list[str], timeout: float) -> dict[str, Any] | None:
    """The content of the first reply to one of ``asked`` within ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    until = loop.time() + timeout
    while (wait := until - loop.time()) > 0:
        if not await socket.poll(max(1, int(wait * 1000)), zmq.POLLIN):
            return None
        reply = _reply(session, await socket.recv_multipart())
        answered = reply.get("parent_header", {}).get("msg_id") if reply is not None else None
        if reply is None or answered not in asked:
            continue
        if answered != asked[0]:  # a kernel answers in order: the earlier requests were lost
            _log.warning("A kernel answered kernel_info request %d, not the first", asked.index(answered) + 1)
        content = reply.get("content")
        return content if isinstance(content, dict) else {}
    return None


def _reply(session: Any, frames: list[bytes]) -> dict[str, Any] | None:
    try:
        _, parts = session.feed_identities(frames)
        message: dict[str, Any] = session.deserialize(parts)
    except (ValueError, IndexError, TypeError):
        return None
    return message
