"""``jupyter_server.auth.login``: the ``/login`` page handler (the core's)."""

from __future__ import annotations

from jupyter_server_core.auth import LoginHandler

__all__ = ["LoginHandler"]
