"""The session table: an embedded SQLite database, in memory or in a file."""

from __future__ import annotations

import sqlite3
from dataclasses import astuple, dataclass, fields

__all__ = ["SessionRow", "SessionStore"]


@dataclass
class SessionRow:
    """One session: which kernel serves which document."""

    session_id: str
    path: str
    name: str | None
    type: str | None
    kernel_id: str | None


_COLUMNS = tuple(f.name for f in fields(SessionRow))


class SessionStore:
    """CRUD on the ``session`` table. ``path`` is ``":memory:"`` or a database file.

    A file that is not an SQLite database, or whose ``session`` table has other columns,
    raises ``sqlite3.DatabaseError``; the caller turns that into a config error.
    """

    def __init__(self, path: str = ":memory:") -> None:
        self.path = path
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS session "
            "(session_id TEXT PRIMARY KEY, path TEXT, name TEXT, type TEXT, kernel_id TEXT)"
        )
        columns = tuple(row[1] for row in self._db.execute("PRAGMA table_info(session)"))
        if columns != _COLUMNS:
            raise sqlite3.DatabaseError(f"the session table has the columns {columns}, expected {_COLUMNS}")

    def insert(self, row: SessionRow) -> None:
        self._db.execute("INSERT INTO session VALUES (?, ?, ?, ?, ?)", astuple(row))

    def get(self, **where: str | None) -> SessionRow | None:
        rows = self.select(**where)
        return rows[0] if rows else None

    def select(self, **where: str | None) -> list[SessionRow]:
        """Rows matching every ``column=value`` given (all rows if none), oldest first."""
        unknown = set(where) - set(_COLUMNS)
        if unknown:
            raise TypeError(f"no such session column(s): {', '.join(sorted(unknown))}")
        clause = " AND ".join(f"{column} IS ?" for column in where)
        sql = "SELECT * FROM session" + (f" WHERE {clause}" if clause else "") + " ORDER BY rowid"
        return [SessionRow(*r) for r in self._db.execute(sql, tuple(where.values()))]

    def update(self, session_id: str, **values: str | None) -> None:
        unknown = set(values) - set(_COLUMNS[1:])
        if unknown:
            raise TypeError(f"no such session column(s): {', '.join(sorted(unknown))}")
        if values:
            assignments = ", ".join(f"{column}=?" for column in values)
            self._db.execute(f"UPDATE session SET {assignments} WHERE session_id=?", (*values.values(), session_id))

    def delete(self, session_id: str) -> None:
        self._db.execute("DELETE FROM session WHERE session_id=?", (session_id,))

    def close(self) -> None:
        self._db.close()
