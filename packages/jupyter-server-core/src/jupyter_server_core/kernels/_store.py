"""The kernel store: what a later server needs to adopt the kernels this one leaves running.

One SQLite file (by default in the runtime directory) holds a ``kernel`` table, written
here, and the ``session`` table of :mod:`..sessions._store`, so kernels and the sessions
bound to them survive together. One server at a time owns a store: :class:`StoreLock`
takes an exclusive ``flock`` on a file next to it, which the operating system releases
when the owner exits, however it exits (kill -9 included).
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import astuple, dataclass, fields
from typing import IO, Any

__all__ = ["KernelStore", "StoreLocked", "StoreLock", "StoredKernel"]


@dataclass
class StoredKernel:
    """One kernel as the store keeps it; the JSON columns are dicts here."""

    kernel_id: str
    kernel_name: str
    cwd: str
    connection_file: str
    connection_info: dict[str, Any]
    provisioner_info: dict[str, Any]
    last_activity: str
    execution_state: str


_COLUMNS = tuple(f.name for f in fields(StoredKernel))
_JSON = ("connection_info", "provisioner_info")


class StoreLocked(RuntimeError):
    """Another running server owns this store."""


class StoreLock:
    """An exclusive, non-blocking lock on ``<store>.lock``, held until :meth:`release`."""

    def __init__(self, store_path: str) -> None:
        self.path = store_path + ".lock"
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock or raise :class:`StoreLocked` naming the owner's pid."""
        import fcntl

        lock_file = open(self.path, "a+")  # noqa: SIM115 - held open for the server's life
        try:
            fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock_file.seek(0)
            owner = lock_file.read().strip() or "unknown"
            lock_file.close()
            raise StoreLocked(
                f"the kernel store {self.path[:-5]} belongs to another running server (pid {owner}); "
                "stop that server first, or give this one another runtime directory "
                "or MappingKernelManager.persistence_file"
            ) from None
        lock_file.seek(0)
        lock_file.truncate()
        lock_file.write(str(os.getpid()))
        lock_file.flush()
        self._file = lock_file

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing the descriptor drops the flock
            self._file = None


class KernelStore:
    """CRUD on the ``kernel`` table of the SQLite file at ``path``."""

    def __init__(self, path: str) -> None:
        self.path = path
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS kernel (kernel_id TEXT PRIMARY KEY, kernel_name TEXT, cwd TEXT, "
            "connection_file TEXT, connection_info TEXT, provisioner_info TEXT, last_activity TEXT, "
            "execution_state TEXT)"
        )
        columns = tuple(row[1] for row in self._db.execute("PRAGMA table_info(kernel)"))
        if columns != _COLUMNS:
            raise sqlite3.DatabaseError(f"the kernel table has the columns {columns}, expected {_COLUMNS}")

    def save(self, kernel: StoredKernel) -> None:
        """Insert or replace the row of ``kernel.kernel_id``."""
        values = [json.dumps(v, default=str) if f in _JSON else v for f, v in zip(_COLUMNS, astuple(kernel), strict=True)]
        self._db.execute(f"INSERT OR REPLACE INTO kernel VALUES ({', '.join('?' * len(_COLUMNS))})", values)

    def update_activity(self, kernel_id: str, last_activity: str, execution_state: str) -> None:
        self._db.execute(
            "UPDATE kernel SET last_activity=?, execution_state=? WHERE kernel_id=?",
            (last_activity, execution_state, kernel_id),
        )

    def all(self) -> list[StoredKernel]:
        """Every stored kernel, oldest first; a row whose JSON does not parse is skipped."""
        kernels = []
        for row in self._db.execute("SELECT * FROM kernel ORDER BY rowid"):
            values = dict(zip(_COLUMNS, row, strict=True))
            try:
                for name in _JSON:
                    values[name] = json.loads(values[name] or "{}")
            except ValueError:
                continue
            kernels.append(StoredKernel(**values))
        return kernels

    def delete(self, kernel_id: str) -> None:
        """Forget a kernel and the sessions bound to it."""
        self._db.execute("DELETE FROM kernel WHERE kernel_id=?", (kernel_id,))
        if self._db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='session'").fetchone():
            self._db.execute("DELETE FROM session WHERE kernel_id=?", (kernel_id,))

    def close(self) -> None:
        self._db.close()
