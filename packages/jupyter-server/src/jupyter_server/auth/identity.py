"""``jupyter_server.auth.identity``: the identity providers and the User model (the core's).

``LegacyIdentityProvider`` keeps a jupyter_server 1.x style ``LoginHandler`` working: the
handler class's ``get_user(handler)`` decides who is logged in, and the string or dict it
returns becomes a :class:`User` (see ``user_from_legacy``). All are the core's classes.
"""

from __future__ import annotations

from jupyter_server_core.auth import (
    IdentityProvider,
    LegacyIdentityProvider,
    PasswordIdentityProvider,
    User,
    user_from_legacy,
)

__all__ = ["IdentityProvider", "LegacyIdentityProvider", "PasswordIdentityProvider", "User"]

# jupyter_server 2.x's private name of the conversion.
_backward_compat_user = user_from_legacy
