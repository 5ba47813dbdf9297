"""Password login on top of the token identity provider."""

from __future__ import annotations

import hmac
from typing import Any

from tornado.web import RequestHandler
from traitlets import Bool, Unicode, default

from ._identity import IdentityProvider
from ._password import passwd, passwd_check, persist_hashed_password
from ._user import User

__all__ = ["PasswordIdentityProvider"]


class PasswordIdentityProvider(IdentityProvider):
    """Token or password: the default identity provider.

    With ``hashed_password`` set (``jupyter server password`` writes it), the login page
    accepts the password; the token keeps working unless it is set to "".
    """

    hashed_password = Unicode(
        "",
        help="""Hashed password to use for web authentication.

        To generate, type in a python/IPython shell:

            from jupyter_server_core.auth import passwd; passwd()

        The string should be of the form type:salt:hashed-password, or argon2:...""",
    ).tag(config=True)

    password_required = Bool(
        False, help="Forces users to use a password for the Jupyter server; an empty password is refused at start."
    ).tag(config=True)

    allow_password_change = Bool(
        True, help="Allow the login form to set a new password when logging in with a token."
    ).tag(config=True)

    @default("token")
    def _token_default(self) -> str:
        # jupyter_server's rule: a configured password means no generated token.
        import os

        if os.environ.get("JUPYTER_TOKEN") or os.environ.get("JUPYTER_TOKEN_FILE"):
            return super()._token_default()
        if self.hashed_password:
            return ""
        return super()._token_default()

    @property
    def auth_enabled(self) -> bool:
        return bool(self.token or self.hashed_password)

    @default("updatable_fields")
    def _default_updatable_fields(self) -> list[str]:
        # Changes live in the login cookie: every display field may change.
        return ["name", "display_name", "initials", "avatar_url", "color"]

    def update_user_model(self, current_user: User, user_data: dict[str, Any]) -> User:
        """``current_user`` changed in place (a provider that hands out the same User
        object for later requests sees the change too), then returned."""
        for key, value in user_data.items():
            if key in self.updatable_fields:
                setattr(current_user, key, value)
        return current_user

    def persist_user_model(self, handler: RequestHandler) -> None:
        """The changed identity goes into a fresh login cookie."""
        self._login(handler, handler.current_user)

    def passwd_check(self, password: str) -> bool:
        return bool(self.hashed_password) and passwd_check(self.hashed_password, password)

    @property
    def password_change_allowed(self) -> bool:
        """Whether the login form offers to set a password (token logins only)."""
        return self.allow_password_change and bool(self.token)

    def set_password(self, password: str, config_dir: str) -> str:
        """Hash ``password``, use it from now on and keep it in ``config_dir``'s
        jupyter_server_config.json, as ``jupyter server password`` does; return that path."""
        hashed = passwd(password)
        path = persist_hashed_password(hashed, config_dir)
        self.hashed_password = hashed
        return path

    def cookie_secret_hook(self, h: hmac.HMAC) -> hmac.HMAC:
        """A new password (``jupyter server password``, then a restart) ends every login made
        with the old one: the hash is part of the cookies' signing key."""
        h = super().cookie_secret_hook(h)
        h.update(self.hashed_password.encode())
        return h

    def validate_security(self, app: Any, ssl_options: dict[str, Any] | None = None) -> None:
        """Refuse to start without a password when ``password_required`` is set."""
        super().validate_security(app, ssl_options)
        if self.password_required and not self.hashed_password:
            # One line and exit status 1, as the other start-up refusals (see check_root).
            (getattr(app, "log", None) or self.log).critical(
                "PasswordIdentityProvider.password_required is set but no password is: "
                "run `jupyter server password` first"
            )
            raise SystemExit(1)
