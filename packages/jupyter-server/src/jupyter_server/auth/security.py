"""``jupyter_server.auth.security``: password hashing for ``c.PasswordIdentityProvider.hashed_password``."""

from __future__ import annotations

from jupyter_server_core.auth import passwd, passwd_check

__all__ = ["passwd", "passwd_check"]
