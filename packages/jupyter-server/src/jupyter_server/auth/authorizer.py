"""``jupyter_server.auth.authorizer``: the Authorizer base and the allow-all default (the core's)."""

from __future__ import annotations

from jupyter_server_core.auth import AllowAllAuthorizer, Authorizer

__all__ = ["AllowAllAuthorizer", "Authorizer"]
