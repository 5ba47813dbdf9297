"""The kernel output journal: every iopub message of a kernel, numbered, kept on disk.

:class:`KernelJournal` is one kernel's journal as the event loop sees it. The manager's
own iopub watcher calls :meth:`KernelJournal.append` for every message (whether or not
a client is connected); the message gets the next sequence number, goes at once to
whoever listens live (WebSocket connections that keep up, the unattended-output
writer), and waits in memory only until the :class:`JournalWriter` thread has written
it to the kernel's segment files (``_journalfile``). Readers ask for a range of
sequence numbers (:meth:`KernelJournal.read`): the written part comes from disk on a
worker thread, the rest from memory, so a reader never waits for the disk on the loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
import queue
import threading
from collections import deque
from collections.abc import Callable

from ._journalfile import DiskCursor, Segments, encode_record
from ._wsprotocol import RawMessage

__all__ = ["JournalListener", "JournalWriter", "KernelJournal"]

#: Called on the loop with each message as it is appended: ``listener(seq, message)``.
JournalListener = Callable[[int, RawMessage], None]

#: Seconds the records of a kernel gather before they go to the writer thread as one write.
#: Waking the thread for every message would cost the loop time and, on a busy machine,
#: latency: a thread that holds the GIL when the OS preempts it stalls the loop with it.
HAND_OVER_DELAY = 0.05


class JournalWriter:
    """One thread that writes the records of every journal, in the order they came."""

    def __init__(self, log: logging.Logger) -> None:
        self.log = log
        self._queue: queue.SimpleQueue[tuple[Callable[[], None], Callable[[], None] | None]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def submit(self, work: Callable[[], None], then: Callable[[], None] | None = None) -> None:
        """Run ``work`` on the writer thread, then ``then`` on the event loop."""
        if self._thread is None or not self._thread.is_alive():
            self._loop = asyncio.get_running_loop()
            self._thread = threading.Thread(target=self._run, name="kernel-journal-writer", daemon=True)
            self._thread.start()
        self._queue.put((work, then))

    def _run(self) -> None:
        while True:
            work, then = self._queue.get()
            try:
                work()
            except Exception:
                self.log.exception("Writing a kernel journal failed")
            if then is not None and self._loop is not None:
                try:
                    self._loop.call_soon_threadsafe(then)
                except RuntimeError:
                    return  # the loop is closed: the server is gone

    async def drain(self) -> None:
        """Wait until everything submitted so far is written."""
        if self._thread is None:
            return
        done = asyncio.Event()
        self.submit(lambda: None, done.set)
        await done.wait()


class KernelJournal:
    """One kernel's journal: append on the loop, listen live, read any kept range."""

    def __init__(self, kernel_id: str, directory: str, max_bytes: int, writer: JournalWriter,
                 log: logging.Logger) -> None:
        self.kernel_id = kernel_id
        self.log = log
        self.segments = Segments(directory, max_bytes)
        self.segments.open()
        self._writer = writer
        #: The sequence number the next appended message gets.
        self.next_seq = self.segments.next_seq
        # The last sequence number on disk; set by the writer thread (an int: atomic to set).
        self._written_upto = self.next_seq - 1
        self._unwritten: deque[tuple[int, list[bytes]]] = deque()
        self._batch: list[tuple[int, list[bytes]]] = []
        self._listeners: list[JournalListener] = []
        self._closed = False

    # -- writing -----------------------------------------------------------------------

    def append(self, parts: list[bytes]) -> int:
        """Add one iopub message (its wire parts); returns its sequence number."""
        seq = self.next_seq
        self.next_seq += 1
        if self._closed:
            return seq
        record = (seq, parts)
        self._unwritten.append(record)
        if not self._batch:
            asyncio.get_running_loop().call_later(HAND_OVER_DELAY, self._hand_over)
        self._batch.append(record)
        if self._listeners:
            message = RawMessage("iopub", parts)
            for listener in list(self._listeners):
                try:
                    listener(seq, message)
                except Exception:
                    self.log.exception("Kernel %s: a journal listener failed", self.kernel_id)
        return seq

    @property
    def written_seq(self) -> int:
        """Every sequence number below this is on disk."""
        return self._written_upto + 1

    def _hand_over(self) -> None:
        """Give the gathered records to the writer thread as one write."""
        unwritten, written = self._unwritten, self._written_upto
        while unwritten and unwritten[0][0] <= written:
            unwritten.popleft()  # on disk: readers find them there
        batch, self._batch = self._batch, []
        if not batch or self._closed:
            return
        records = [(seq, encode_record(seq, parts)) for seq, parts in batch]
        last = batch[-1][0]

        def write() -> None:
            try:
                self.segments.write(records)
            finally:
                # Even when the disk refused them: memory must not keep them for good
                # (readers then see the gap; the writer logged why).
                self._written_upto = last

        self._writer.submit(write)

    # -- listening -----------------------------------------------------------------------

    def listen(self, listener: JournalListener) -> Callable[[], None]:
        """Call ``listener(seq, message)`` for each message appended from now on."""
        self._listeners.append(listener)

        def stop() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return stop

    # -- reading -------------------------------------------------------------------------

    @property
    def oldest_seq(self) -> int:
        """The first sequence number still kept (older ones were evicted)."""
        on_disk = self.segments.first_seq()
        if on_disk is not None:
            return on_disk
        return self._unwritten[0][0] if self._unwritten else self.next_seq

    def cursor(self, seq: int) -> JournalCursor:
        """A reader starting at ``seq`` (close it when done)."""
        return JournalCursor(self, seq)

    async def find(self, msg_id: str) -> int | None:
        """The sequence number of the kept message whose header has ``msg_id``; None if none."""
        needle = json.dumps(msg_id).encode()
        for seq, parts in list(self._unwritten):
            if needle in parts[0] and _msg_id(parts[0]) == msg_id:
                return seq
        end = self.written_seq

        def scan() -> int | None:
            for seq, parts in self.segments.records(0, end):
                if needle in parts[0] and _msg_id(parts[0]) == msg_id:
                    return seq
            return None

        return await asyncio.get_running_loop().run_in_executor(None, scan)

    # -- the end -------------------------------------------------------------------------

    def close(self) -> None:
        """Stop journaling; the files stay (a later server goes on with them)."""
        self._hand_over()
        self._closed = True
        self._listeners.clear()
        self._writer.submit(self.segments.close)

    def remove(self) -> None:
        """Stop journaling and delete the files (the kernel is gone)."""
        self._closed = True
        self._batch.clear()
        self._listeners.clear()
        self._writer.submit(self.segments.remove)


def _msg_id(header: bytes) -> str:
    try:
        value = json.loads(header).get("msg_id")
    except (ValueError, AttributeError):
        return ""
    return value if isinstance(value, str) else ""


class JournalCursor:
    """Reads a journal forward; :meth:`read` gives the next records, disk and memory alike."""

    def __init__(self, journal: KernelJournal, seq: int) -> None:
        self.journal = journal
        #: The sequence number of the next record to read.
        self.seq = seq
        self._disk = DiskCursor(journal.segments, seq)
        #: How many records were evicted before this cursor could read them.
        self.lost = 0

    @property
    def at_end(self) -> bool:
        return self.seq >= self.journal.next_seq

    async def read(self, max_bytes: int = 1 << 20) -> list[tuple[int, RawMessage]]:
        """The next records (at least one unless at the end), about ``max_bytes`` of them."""
        journal = self.journal
        oldest = journal.oldest_seq
        if self.seq < oldest:
            self.lost += oldest - self.seq
            self.seq = oldest
        found: list[tuple[int, list[bytes]]] = []
        # Taken before the disk read: the writer may drop records from memory meanwhile,
        # and the disk read only goes up to what was written when it started.
        unwritten = list(journal._unwritten)
        end = journal.written_seq
        if self.seq < end:
            self._disk.seek(self.seq)
            found = await asyncio.get_running_loop().run_in_executor(None, self._disk.read, end, max_bytes)
            if found:
                self.lost += found[0][0] - self.seq
                self.seq = found[-1][0] + 1
            else:  # nothing on disk where it should be (evicted under us): go on from memory
                first = unwritten[0][0] if unwritten else end
                self.lost += max(0, first - self.seq)
                self.seq = max(self.seq, first)
        size = sum(len(p) for _, parts in found for p in parts)
        for seq, parts in unwritten:
            if size >= max_bytes or seq > self.seq:
                break  # full, or the disk part stopped short: the next read goes on from there
            if seq == self.seq:
                found.append((seq, parts))
                size += sum(map(len, parts))
                self.seq = seq + 1
        return [(seq, RawMessage("iopub", parts)) for seq, parts in found]

    def close(self) -> None:
        self.journal._writer.submit(self._disk.close)

