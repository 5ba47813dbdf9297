"""Sessions: which kernel serves which document."""

from __future__ import annotations

from typing import Any

from ._manager import SessionError, SessionManager, SessionNotFound, SessionQueryError
from ._store import SessionRow, SessionStore

__all__ = ["SessionError", "SessionManager", "SessionNotFound", "SessionQueryError", "SessionRow", "SessionStore", "session_routes"]


def __getattr__(name: str) -> Any:
    if name == "session_routes":
        from ._handlers import session_routes

        return session_routes
    raise AttributeError(name)
