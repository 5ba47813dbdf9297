"""``jupyter_server.auth``: who the user is (IdentityProvider) and what they may do (Authorizer).

The core's classes: a custom ``IdentityProvider`` or ``Authorizer`` written for
jupyter_server 2.x subclasses these and is configured the same way
(``ServerApp.identity_provider_class``, ``ServerApp.authorizer_class``).
"""

from __future__ import annotations

from jupyter_server_core.auth import (
    AllowAllAuthorizer,
    Authorizer,
    IdentityProvider,
    PasswordIdentityProvider,
    User,
    passwd,
    passwd_check,
)

from .decorator import allow_unauthenticated, authorized, ws_authenticated

__all__ = [
    "AllowAllAuthorizer",
    "Authorizer",
    "IdentityProvider",
    "PasswordIdentityProvider",
    "User",
    "allow_unauthenticated",
    "authorized",
    "passwd",
    "passwd_check",
    "ws_authenticated",
]
