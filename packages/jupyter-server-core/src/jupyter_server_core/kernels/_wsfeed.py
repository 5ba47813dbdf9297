"""A WebSocket client's iopub messages, taken from the kernel's journal.

With a journal, a connection does not forward what its own iopub socket receives: it
follows the journal with a :class:`JournalFeed`. While the client keeps up, the feed
listens live and hands each message on as it is appended (no disk involved). When the
WebSocket's unsent backlog passes :data:`HIGH_WATER` bytes, the feed stops listening
and remembers where it was; the messages go on piling up in the journal (on disk), not
in the server's memory. Once the backlog falls under :data:`LOW_WATER` the feed reads
on from the journal, a batch at a time, with consecutive ``stream`` messages of one
request and one stream name merged into one, and goes back to listening live when it
has caught up. The same reading serves replay: a returning session, or a client that
asked for everything after a message id, starts the feed at that point.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from ._journal import JournalCursor, KernelJournal
from ._wsprotocol import RawMessage

__all__ = ["HIGH_WATER", "LOW_WATER", "JournalFeed", "coalesce_streams"]

#: Unsent bytes on the WebSocket beyond which a client counts as slow.
HIGH_WATER = 2 * 1024 * 1024
#: Unsent bytes under which a slow client is sent more from the journal.
LOW_WATER = 512 * 1024
#: Bytes of journal read per batch while catching up.
BATCH_BYTES = 256 * 1024


def coalesce_streams(records: list[tuple[int, RawMessage]]) -> list[tuple[int, RawMessage]]:
    """Merge runs of ``stream`` messages with the same parent and stream name.

    A merged message keeps the header of the last message of its run (so its msg_id
    marks the latest output it holds, for a later "replay since") and its sequence number.
    """
    merged: list[tuple[int, RawMessage]] = []
    run: list[tuple[int, RawMessage, dict[str, Any]]] = []

    def close_run() -> None:
        if len(run) == 1:
            merged.append((run[0][0], run[0][1]))
        elif run:
            seq, last, content = run[-1]
            text = "".join(str(c.get("text", "")) for _, _, c in run)
            body = json.dumps({**content, "text": text}, ensure_ascii=False).encode()
            message = RawMessage("iopub", [*last.parts[:3], body], last._header)
            message.journal_seq = seq
            merged.append((seq, message))
        run.clear()

    for seq, message in records:
        content: dict[str, Any] | None = None
        if message.msg_type == "stream" and not message.buffers:
            try:
                loaded = json.loads(message.parts[3])
            except ValueError:
                loaded = None
            content = loaded if isinstance(loaded, dict) and isinstance(loaded.get("text"), str) else None
        if content is None:
            close_run()
            merged.append((seq, message))
            continue
        if run:
            _, previous, previous_content = run[-1]
            same = (previous.parent_msg_id() == message.parent_msg_id()
                    and previous_content.get("name") == content.get("name"))
            if not same:
                close_run()
        run.append((seq, message, content))
    close_run()
    return merged


class JournalFeed:
    """Hands a kernel's journal to one client: live while it keeps up, read back when not.

    ``deliver(message)`` sends one message to the client; ``backlog()`` says how many
    bytes wait unsent on its WebSocket; ``drained(below)`` waits until fewer do.
    Messages of other channels that must reach the client in the journal's order
    (a returning session's buffered replies) come in as ``extras``: each goes out just
    before the journal message whose sequence number its ``journal_seq`` names.
    """

    def __init__(self, journal: KernelJournal, deliver: Callable[[RawMessage], None],
                 backlog: Callable[[], int], drained: Callable[[int], Awaitable[None]],
                 log: logging.Logger) -> None:
        self.journal = journal
        self._deliver = deliver
        self._backlog = backlog
        self._drained = drained
        self.log = log
        #: The sequence number of the next journal message this client has not been given.
        self.seq = journal.next_seq
        self._stop_listening: Callable[[], None] | None = None
        self._catching_up: asyncio.Task[None] | None = None
        self._extras: deque[RawMessage] = deque()
        self._closed = False

    def start(self, seq: int | None = None, extras: list[RawMessage] | None = None) -> None:
        """Begin at ``seq`` (default: from now on)."""
        self._extras.extend(extras or ())
        if seq is None or seq >= self.journal.next_seq:
            self._go_live()
        else:
            self.seq = seq
            self._catch_up()

    def _go_live(self) -> None:
        while self._extras:  # what waited for journal messages that were never kept
            self._deliver(self._extras.popleft())
        self.seq = self.journal.next_seq
        self._stop_listening = self.journal.listen(self._on_live)

    def _on_live(self, seq: int, message: RawMessage) -> None:
        if self._backlog() > HIGH_WATER:
            # From here on this client is served from the journal (disk), not from memory.
            self.log.debug("Kernel %s: a client is %d bytes behind; serving it from the journal",
                           self.journal.kernel_id, self._backlog())
            self._stop()
            self._catch_up()
            return
        message.journal_seq = seq
        self.seq = seq + 1
        self._deliver(message)

    def _stop(self) -> None:
        if self._stop_listening is not None:
            self._stop_listening()
            self._stop_listening = None

    def _catch_up(self) -> None:
        self._catching_up = asyncio.ensure_future(self._read_on())

    async def _read_on(self) -> None:
        cursor: JournalCursor = self.journal.cursor(self.seq)
        try:
            while not self._closed:
                if self._backlog() > LOW_WATER:
                    await self._drained(LOW_WATER)
                    continue
                cursor.seq = self.seq
                records = await cursor.read(BATCH_BYTES)
                if self._closed:
                    return
                if cursor.lost:
                    self.log.warning("Kernel %s: %d output messages were evicted from the journal before "
                                     "a slow client could read them (MappingKernelManager.journal_max_bytes)",
                                     self.journal.kernel_id, cursor.lost)
                    cursor.lost = 0
                for seq, message in coalesce_streams(records):
                    while self._extras and (self._extras[0].journal_seq or 0) <= seq:
                        self._deliver(self._extras.popleft())
                    message.journal_seq = seq
                    self._deliver(message)
                self.seq = cursor.seq
                if cursor.at_end:
                    # No await since the read: nothing was appended in between.
                    self._go_live()
                    return
        except Exception:
            self.log.exception("Kernel %s: reading the output journal for a client failed", self.journal.kernel_id)
        finally:
            cursor.close()

    def close(self) -> None:
        """Stop; :attr:`seq` says where a later feed for the same session should begin."""
        self._closed = True
        self._stop()
        if self._catching_up is not None and not self._catching_up.done():
            self._catching_up.cancel()
