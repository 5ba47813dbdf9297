"""``jupyter_server.services.sessions.sessionmanager``: the session manager (the core's)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NewType

from jupyter_server_core.sessions import SessionManager

__all__ = [
    "KernelName",
    "KernelSessionRecord",
    "KernelSessionRecordConflict",
    "KernelSessionRecordList",
    "ModelName",
    "SessionManager",
]

KernelName = NewType("KernelName", str)
ModelName = NewType("ModelName", str)


class KernelSessionRecordConflict(Exception):
    """Two records name the same session or kernel but disagree on the other id."""


@dataclass
class KernelSessionRecord:
    """A pairing of a session id and a kernel id, either of which may not be known yet.

    Two records are the same pairing when they share a kernel id, or share a session id
    while at most one of them knows its kernel; the same session with two different
    kernels is a :class:`KernelSessionRecordConflict`.
    """

    session_id: str | None = None
    kernel_id: str | None = None

    def _kernels_differ(self, other: KernelSessionRecord) -> bool:
        return bool(self.kernel_id and other.kernel_id and self.kernel_id != other.kernel_id)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, KernelSessionRecord):
            return NotImplemented
        if self.kernel_id and self.kernel_id == other.kernel_id:
            return True
        if self.session_id and self.session_id == other.session_id:
            if self._kernels_differ(other):
                raise KernelSessionRecordConflict(
                    f"Session {self.session_id} is paired with two kernels: {self.kernel_id} and {other.kernel_id}"
                )
            return True
        return False

    __hash__ = None  # type: ignore[assignment]

    def update(self, other: KernelSessionRecord) -> None:
        """Take the ids ``other`` knows; a different kernel id is a conflict."""
        if self._kernels_differ(other):
            raise KernelSessionRecordConflict(
                f"Cannot pair kernel {self.kernel_id} with the record of kernel {other.kernel_id}"
            )
        if other.kernel_id:
            self.kernel_id = other.kernel_id
        if other.session_id:
            self.session_id = other.session_id


class KernelSessionRecordList:
    """Records looked up by record, session id or kernel id; updating merges into a match."""

    def __init__(self, *records: KernelSessionRecord) -> None:
        self._records: list[KernelSessionRecord] = []
        for record in records:
            self.update(record)

    def __str__(self) -> str:
        return str(self._records)

    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, item: object) -> bool:
        try:
            self.get(item)  # type: ignore[arg-type]
        except ValueError:
            return False
        return True

    def get(self, record: KernelSessionRecord | str) -> KernelSessionRecord:
        """The record matching ``record`` (a record, a session id or a kernel id)."""
        for found in self._records:
            if isinstance(record, str):
                if record in (found.kernel_id, found.session_id):
                    return found
            elif found == record:
                return found
        raise ValueError(f"No kernel-session record matches {record!r}")

    def update(self, record: KernelSessionRecord) -> None:
        """Merge ``record`` into the matching one, or add it."""
        for found in self._records:
            if found == record:
                found.update(record)
                return
        self._records.append(record)

    def remove(self, record: KernelSessionRecord) -> None:
        """Drop the record matching ``record`` (if any)."""
        self._records = [r for r in self._records if not r == record]
