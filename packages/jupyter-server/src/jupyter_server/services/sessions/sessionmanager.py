"""``jupyter_server.services.sessions.sessionmanager``: the session manager (the core's)."""

from __future__ import annotations

from jupyter_server_core.sessions import SessionManager

__all__ = ["SessionManager"]
