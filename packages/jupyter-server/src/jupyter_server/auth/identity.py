"""``jupyter_server.auth.identity``: the identity providers and the User model (the core's).

``LegacyIdentityProvider`` keeps a jupyter_server 1.x style ``LoginHandler`` working: the
handler class's ``get_user(handler)`` decides who is logged in, and the string or dict it
returns becomes a :class:`User` (see ``_backward_compat_user``).
"""

from __future__ import annotations

from typing import Any

from jupyter_server_core.auth import IdentityProvider, PasswordIdentityProvider, User

__all__ = ["IdentityProvider", "LegacyIdentityProvider", "PasswordIdentityProvider", "User"]

_USER_FIELDS = ("username", "name", "display_name", "initials", "avatar_url", "color")


def _backward_compat_user(got_user: Any) -> User:
    """A :class:`User` from what a pre-2.0 ``get_user`` returned: a name or a dict of fields.

    A dict needs ``username`` or ``name``; the missing one of the two is copied from the
    other. Anything else (or a dict with neither) is a ValueError.
    """
    if isinstance(got_user, User):
        return got_user
    if isinstance(got_user, str):
        return User(username=got_user)
    if isinstance(got_user, dict):
        fields = {k: got_user[k] for k in _USER_FIELDS if k in got_user}
        if "username" not in fields and "name" not in fields:
            raise ValueError(f"A user model needs a username or a name, got {sorted(got_user)}")
        fields.setdefault("username", fields.get("name"))
        fields.setdefault("name", fields["username"])
        return User(**fields)
    raise ValueError(f"Cannot make a User from {got_user!r}: expected a name, a dict or a User")


class LegacyIdentityProvider(PasswordIdentityProvider):
    """Identity decided by a classic ``LoginHandler`` class's ``get_user(handler)``."""

    async def get_user(self, handler: Any) -> User | None:
        login = self.login_handler_class
        got: Any = login.get_user(handler) if hasattr(login, "get_user") else super().get_user(handler)
        if hasattr(got, "__await__"):
            got = await got
        return _backward_compat_user(got) if got else None

    @property
    def auth_enabled(self) -> bool:
        return bool(self.token or self.hashed_password)

    @property
    def login_available(self) -> bool:
        return self.auth_enabled
