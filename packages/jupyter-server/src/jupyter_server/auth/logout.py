"""``jupyter_server.auth.logout``: the ``/logout`` page handler (the core's)."""

from __future__ import annotations

from jupyter_server_core.auth import LogoutHandler

__all__ = ["LogoutHandler"]
