"""Per-kernel WebSocket state that must outlive a single connection.

Handlers and connections keep no kernel state of their own: which session is connected
to which kernel, and what a disconnected session missed, live here, one registry per
kernel manager. Everything in it is plain data keyed by kernel id and session id, so a
later version can persist it.
"""

from __future__ import annotations

import logging
import weakref
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Protocol

from ._journal import KernelJournal
from ._wschannels import KernelChannels
from ._wsprotocol import RawMessage

__all__ = ["KernelConnectionRegistry", "OfflineBuffer", "registry_for"]

#: What one disconnected session may hold; the oldest messages go first beyond it.
MAX_BUFFERED_BYTES = 64 * 1024 * 1024


class _Connection(Protocol):
    kernel_id: str
    session_id: str

    def close_replaced(self) -> KernelChannels | None: ...


def session_key(kernel_id: str, session_id: str) -> str:
    return f"{kernel_id}:{session_id}"


@dataclass
class OfflineBuffer:
    """The channels of a session whose client went away, and what they received since.

    With the kernel's ``journal``, iopub messages are not kept here: the journal has
    them, and ``iopub_from`` says where the session's replay begins. Other messages
    (replies, input requests) are kept, each stamped with the journal position it
    arrived at, so the replay puts them back in order.
    """

    session_key: str
    channels: KernelChannels
    messages: deque[RawMessage] = field(default_factory=deque)
    nbytes: int = 0
    dropped: int = 0
    journal: KernelJournal | None = None
    iopub_from: int | None = None

    def append(self, message: RawMessage) -> None:
        if self.journal is not None:
            if message.channel == "iopub" and message.journal_seq is not None:
                if self.iopub_from is None or message.journal_seq < self.iopub_from:
                    self.iopub_from = message.journal_seq
                return
            message.journal_seq = self.journal.next_seq
        self.messages.append(message)
        self.nbytes += message.nbytes()
        while self.nbytes > MAX_BUFFERED_BYTES and len(self.messages) > 1:
            self.nbytes -= self.messages.popleft().nbytes()
            self.dropped += 1


class KernelConnectionRegistry:
    """Open connections by session, and offline buffers by kernel (one per kernel)."""

    def __init__(self, log: logging.Logger) -> None:
        self.log = log
        self._open: dict[str, _Connection] = {}
        self._buffers: dict[str, OfflineBuffer] = {}

    # -- open connections --------------------------------------------------------------

    def register(self, connection: _Connection) -> KernelChannels | None:
        """Record ``connection`` as its session's; returns a stale connection's channels.

        A connection of the same session that is still open is stale (its client
        reconnected): it is closed, and its channels go to the new connection.
        """
        key = session_key(connection.kernel_id, connection.session_id)
        stale = self._open.get(key) if connection.session_id else None
        self._open[key] = connection
        if stale is None or stale is connection:
            return None
        self.log.info("Replacing the stale connection of session %s", key)
        return stale.close_replaced()

    def unregister(self, connection: _Connection) -> bool:
        """Forget ``connection``; False when a newer connection of its session took over."""
        key = session_key(connection.kernel_id, connection.session_id)
        if self._open.get(key) is connection:
            del self._open[key]
            return True
        return False

    def connections(self, kernel_id: str) -> list[_Connection]:
        return [c for c in self._open.values() if c.kernel_id == kernel_id]

    # -- offline buffers ---------------------------------------------------------------

    def start_buffering(self, kernel_id: str, session_id: str, channels: KernelChannels,
                        journal: KernelJournal | None = None, iopub_from: int | None = None) -> None:
        """Keep ``channels`` open and store what they receive until the session returns.

        With ``journal``, the session's iopub messages are replayed from it, starting at
        ``iopub_from``, instead of being kept in memory.
        """
        self.discard_buffer(kernel_id)
        buffer = OfflineBuffer(session_key(kernel_id, session_id), channels, journal=journal,
                               iopub_from=iopub_from if journal is not None else None)
        channels.sink = buffer.append
        self._buffers[kernel_id] = buffer
        self.log.debug("Buffering messages of session %s", buffer.session_key)

    def take_buffer(self, kernel_id: str, session_id: str) -> OfflineBuffer | None:
        """The buffer of this session, removed from the registry; None if there is none.

        A buffer kept for another session of the kernel is dropped: only the session
        that connects last can be resumed.
        """
        buffer = self._buffers.get(kernel_id)
        if buffer is None:
            return None
        if not session_id or buffer.session_key != session_key(kernel_id, session_id):
            self.discard_buffer(kernel_id)
            return None
        del self._buffers[kernel_id]
        buffer.channels.sink = None
        if buffer.dropped:
            self.log.warning("Session %s missed %d old messages (buffer full)", buffer.session_key, buffer.dropped)
        return buffer

    def discard_buffer(self, kernel_id: str) -> None:
        buffer = self._buffers.pop(kernel_id, None)
        if buffer is not None:
            self.log.debug("Discarding the buffered messages of session %s", buffer.session_key)
            buffer.channels.close()

    def buffered_sessions(self) -> list[str]:
        return [b.session_key for b in self._buffers.values()]

    def close_all(self) -> None:
        for kernel_id in list(self._buffers):
            self.discard_buffer(kernel_id)


_registries: weakref.WeakKeyDictionary[Any, KernelConnectionRegistry] = weakref.WeakKeyDictionary()


def registry_for(kernel_manager: Any) -> KernelConnectionRegistry:
    """The registry of ``kernel_manager``, made on first use.

    It listens to the manager's kernel events (when the manager offers
    ``on_kernel_event``) so a kernel that is shut down or dies leaves no buffer behind,
    and a buffer follows a restarted kernel to new ports.
    """
    registry = _registries.get(kernel_manager)
    if registry is None:
        registry = KernelConnectionRegistry(kernel_manager.log)
        _registries[kernel_manager] = registry
        subscribe = getattr(kernel_manager, "on_kernel_event", None)
        if subscribe is not None:
            ref = weakref.ref(registry)

            def on_event(kernel_id: str, event: str) -> None:
                reg = ref()
                if reg is None:
                    return
                if event in ("shutdown", "dead"):
                    reg.discard_buffer(kernel_id)
                elif event == "restarted" and kernel_id in reg._buffers:
                    reg._buffers[kernel_id].channels.reconnect_if_moved()

            subscribe(None, on_event)
    return registry
