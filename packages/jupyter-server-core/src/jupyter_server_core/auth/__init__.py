"""Authentication and authorization for every handler of the server."""

from typing import Any

from ._authorizer import Action, AllowAllAuthorizer, Authorizer, action_for_method
from ._decorator import authorized
from ._identity import IdentityProvider
from ._identity import _anonymous_user as anonymous_user
from ._legacy_identity import LegacyIdentityProvider, user_from_legacy
from ._password import passwd, passwd_check
from ._password_identity import PasswordIdentityProvider
from ._throttle import LoginThrottle
from ._user import User

__all__ = [
    "Action",
    "AllowAllAuthorizer",
    "Authorizer",
    "IdentityProvider",
    "LegacyIdentityProvider",
    "LoginHandler",
    "LoginThrottle",
    "LogoutHandler",
    "PasswordIdentityProvider",
    "login_routes",
    "passwd",
    "passwd_check",
    "User",
    "action_for_method",
    "anonymous_user",
    "authorized",
    "user_from_legacy",
]


def __getattr__(name: str) -> Any:
    # The login pages build on the base handlers, which build on this package: import late.
    if name in ("LoginHandler", "LogoutHandler", "login_routes"):
        from .. import _login

        return getattr(_login, name)
    raise AttributeError(name)
