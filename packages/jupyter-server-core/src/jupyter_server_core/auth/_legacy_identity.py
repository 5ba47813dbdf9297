"""Identity from a jupyter_server 1.x login handler class (``ServerApp.login_handler_class``).

Before 2.0, a custom ``LoginHandler`` decided who is logged in through its classmethod
``get_user(handler)``, returning a user name, a dict of user fields, or None. A config that
still sets ``ServerApp.login_handler_class`` gets :class:`LegacyIdentityProvider`, which asks
that classmethod and turns its answer into a :class:`User`.
"""

from __future__ import annotations

import inspect
from typing import Any

from ._password_identity import PasswordIdentityProvider
from ._user import User

__all__ = ["LegacyIdentityProvider", "user_from_legacy"]

_USER_FIELDS = ("username", "name", "display_name", "initials", "avatar_url", "color")


def user_from_legacy(got_user: Any) -> User:
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
        if inspect.isawaitable(got):
            got = await got
        return user_from_legacy(got) if got else None

    async def password_user(self, handler: Any) -> User | None:
        """Who the token or the login cookie says is making the request (what the
        standard provider decides), for ``LoginHandler.get_user``."""
        got = super().get_user(handler)
        return await got if inspect.isawaitable(got) else got

    @property
    def auth_enabled(self) -> bool:
        return bool(self.token or self.hashed_password)

    @property
    def login_available(self) -> bool:
        return self.auth_enabled
