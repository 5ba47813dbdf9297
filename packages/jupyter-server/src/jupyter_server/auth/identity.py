"""``jupyter_server.auth.identity``: the identity providers and the User model (the core's)."""

from __future__ import annotations

from jupyter_server_core.auth import IdentityProvider, PasswordIdentityProvider, User

__all__ = ["IdentityProvider", "PasswordIdentityProvider", "User"]
