"""The journal's files on disk: segments of length-prefixed records. Blocking I/O only.

A kernel's journal is a directory (mode 0700) of segment files (mode 0600) named by
the sequence number of their first record, ``0000000000000001.seg``. A record is::

    <u32 body length> <u64 sequence number> <u32 part count>   (16 bytes, little-endian)
    <u32 length of each part> ... <the parts, as the kernel sent them>

The parts are an iopub message's wire parts ``[header, parent_header, metadata,
content, *buffers]``. Records only ever go at the end of the newest segment; the
oldest segments are deleted whole when the journal outgrows its bound. Everything
here runs on the journal's writer thread or a reader thread, never on the event loop.
"""

from __future__ import annotations

import os
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

__all__ = ["DiskCursor", "Segments", "encode_record"]

_HEAD = struct.Struct("<IQI")
_SUFFIX = ".seg"
#: A record claiming a body beyond this is damage (a crash mid-write), not a message.
_MAX_BODY = 1 << 31


def encode_record(seq: int, parts: list[bytes]) -> bytes:
    """One record's bytes."""
    lengths = struct.pack(f"<{len(parts)}I", *map(len, parts))
    body_len = len(lengths) + sum(map(len, parts))
    return b"".join([_HEAD.pack(body_len, seq, len(parts)), lengths, *parts])


def _read_record(f: IO[bytes], skip: bool) -> tuple[int, list[bytes] | None, int] | None:
    """``(seq, parts or None when skipped, record size)``; None at the end or on damage."""
    head = f.read(_HEAD.size)
    if len(head) < _HEAD.size:
        return None
    body_len, seq, count = _HEAD.unpack(head)
    if body_len > _MAX_BODY or 4 * count > body_len:
        return None
    if skip:
        start = f.tell()
        f.seek(body_len, os.SEEK_CUR)
        if f.tell() - start != body_len or f.tell() > os.fstat(f.fileno()).st_size:
            return None
        return seq, None, _HEAD.size + body_len
    body = f.read(body_len)
    if len(body) < body_len:
        return None
    lengths = struct.unpack_from(f"<{count}I", body, 0)
    parts, offset = [], 4 * count
    for length in lengths:
        parts.append(body[offset : offset + length])
        offset += length
    if offset != body_len:
        return None
    return seq, parts, _HEAD.size + body_len


@dataclass
class _Segment:
    first_seq: int
    path: str
    size: int


class Segments:
    """The segment files of one journal directory, shared by its writer and readers."""

    def __init__(self, directory: str, max_bytes: int) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        #: Bytes after which the writer starts a new segment (eviction drops whole ones).
        self.segment_bytes = max(max_bytes // 8, 4096)
        self.lock = threading.Lock()
        self._segments: list[_Segment] = []
        self._out: IO[bytes] | None = None
        self.next_seq = 1
        self.evicted = 0

    # -- opening ---------------------------------------------------------------------

    def open(self) -> None:
        """Find what an earlier server left (truncating a half-written last record)."""
        os.makedirs(self.directory, mode=0o700, exist_ok=True)
        os.chmod(self.directory, 0o700)
        for name in sorted(os.listdir(self.directory)):
            if name.endswith(_SUFFIX) and name[: -len(_SUFFIX)].isdigit():
                path = os.path.join(self.directory, name)
                self._segments.append(_Segment(int(name[: -len(_SUFFIX)]), path, os.path.getsize(path)))
        if not self._segments:
            return
        last = self._segments[-1]
        good, seq = 0, last.first_seq - 1
        with open(last.path, "rb") as f:
            while (record := _read_record(f, skip=True)) is not None:
                seq, good = record[0], good + record[2]
        if good != last.size:
            with open(last.path, "r+b") as f:
                f.truncate(good)
            last.size = good
        self.next_seq = seq + 1

    def first_seq(self) -> int | None:
        """The first sequence number still on disk; None when nothing is."""
        with self.lock:
            return self._segments[0].first_seq if self._segments else None

    def total_bytes(self) -> int:
        with self.lock:
            return sum(s.size for s in self._segments)

    # -- writing (the writer thread) ---------------------------------------------------

    def write(self, records: list[tuple[int, bytes]]) -> None:
        """Append encoded records ``(seq, bytes)``, then evict old segments."""
        with self.lock:
            start = 0
            while start < len(records):
                current = self._current(records[start][0])
                room = self.segment_bytes - current.size
                end, size = start, 0
                while end < len(records) and (end == start or size + len(records[end][1]) <= room):
                    size += len(records[end][1])
                    end += 1
                assert self._out is not None
                self._out.write(b"".join(data for _, data in records[start:end]))
                current.size += size
                start = end
            while len(self._segments) > 1 and sum(s.size for s in self._segments) > self.max_bytes:
                gone = self._segments.pop(0)
                self.evicted += self._segments[0].first_seq - gone.first_seq
                try:
                    os.unlink(gone.path)
                except FileNotFoundError:
                    pass

    def _current(self, seq: int) -> _Segment:
        """The segment to append ``seq`` to: a new one when the last is full."""
        current = self._segments[-1] if self._segments else None
        if current is None or current.size >= self.segment_bytes:
            current = _Segment(seq, os.path.join(self.directory, f"{seq:016d}{_SUFFIX}"), 0)
            self._segments.append(current)
            if self._out is not None:
                self._out.close()
                self._out = None
        if self._out is None:
            fd = os.open(current.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            self._out = os.fdopen(fd, "ab", buffering=0)
        return current

    def close(self) -> None:
        with self.lock:
            if self._out is not None:
                self._out.close()
                self._out = None

    def remove(self) -> None:
        """Delete every file of the journal, and its directory."""
        self.close()
        with self.lock:
            for segment in self._segments:
                try:
                    os.unlink(segment.path)
                except FileNotFoundError:
                    pass
            self._segments.clear()
        try:
            for name in os.listdir(self.directory):
                os.unlink(os.path.join(self.directory, name))
            os.rmdir(self.directory)
        except FileNotFoundError:
            pass

    # -- reading (reader threads) --------------------------------------------------------

    def _segments_from(self, seq: int) -> list[_Segment]:
        with self.lock:
            chosen = [s for s in self._segments if s.first_seq <= seq][-1:]
            return chosen + [s for s in self._segments if s.first_seq > seq]

    def records(self, start_seq: int, end_seq: int) -> Iterator[tuple[int, list[bytes]]]:
        """The records with ``start_seq <= seq < end_seq``, in order (a full scan's way)."""
        for segment in self._segments_from(start_seq):
            try:
                f = open(segment.path, "rb")  # noqa: SIM115 - closed below, generator-safe
            except FileNotFoundError:
                continue  # evicted meanwhile
            with f:
                while (record := _read_record(f, skip=False)) is not None:
                    seq, parts, _ = record
                    if seq >= end_seq:
                        return
                    if seq >= start_seq and parts is not None:
                        yield seq, parts


class DiskCursor:
    """Reads a journal forward from a sequence number, remembering where it stopped."""

    def __init__(self, segments: Segments, seq: int) -> None:
        self.segments = segments
        self.seq = seq
        self._file: IO[bytes] | None = None
        self._path = ""

    def read(self, end_seq: int, max_bytes: int) -> list[tuple[int, list[bytes]]]:
        """Records from :attr:`seq` up to ``end_seq`` (exclusive), about ``max_bytes`` of them.

        When the records at :attr:`seq` were evicted, reading resumes at the oldest one
        kept (the caller sees the jump in the sequence numbers).
        """
        found: list[tuple[int, list[bytes]]] = []
        size = 0
        while self.seq < end_seq and size < max_bytes:
            if self._file is None and not self._open():
                break
            assert self._file is not None
            position = self._file.tell()
            record = _read_record(self._file, skip=False)
            if record is None:
                self._file.seek(position)
                if not self._next_segment():
                    break
                continue
            seq, parts, length = record
            if seq < self.seq:
                continue
            if seq >= end_seq:
                self._file.seek(position)
                break
            assert parts is not None
            found.append((seq, parts))
            size += length
            self.seq = seq + 1
        return found

    def seek(self, seq: int) -> None:
        """Read from ``seq`` on (going back means finding the segment again)."""
        if seq < self.seq:
            self.close()
        self.seq = seq

    def _open(self) -> bool:
        oldest = self.segments.first_seq()
        if oldest is not None and self.seq < oldest:
            self.seq = oldest
        chosen = self.segments._segments_from(self.seq)
        if not chosen:
            return False
        return self._open_path(chosen[0].path)

    def _open_path(self, path: str) -> bool:
        self.close()
        try:
            self._file = open(path, "rb")  # noqa: SIM115 - kept between reads, closed in close()
        except FileNotFoundError:
            return False
        self._path = path
        return True

    def _next_segment(self) -> bool:
        with self.segments.lock:
            later = [s for s in self.segments._segments if s.path > self._path]
        if not later:
            return False
        return self._open_path(later[0].path)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
