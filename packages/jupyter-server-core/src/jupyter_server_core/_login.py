"""The login and logout pages."""

from __future__ import annotations

import hmac
import inspect
import math
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from tornado import web
from tornado.escape import xhtml_escape

from ._base_handlers import JupyterHandler
from ._urls import is_same_origin_path, url_path_join
from .auth._identity import _anonymous_user
from .auth._legacy_identity import LegacyIdentityProvider

if TYPE_CHECKING:
    from ._serverapp import ServerApp

__all__ = ["LoginHandler", "LogoutHandler", "login_routes"]

_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;max-width:28em;margin:4em auto}}input{{margin:.3em 0}}
.error{{color:#a00}}</style></head><body>
<h1>{title}</h1>{body}</body></html>"""


class LoginHandler(JupyterHandler):
    """GET shows the form; POST checks the password (or token) and sets the login cookie."""

    allow_unauthenticated = True

    @classmethod
    async def get_user(cls, handler: JupyterHandler) -> str | None:
        """The jupyter_server 1.x hook: the name of the user the token or login cookie of
        ``handler``'s request names, or None. A custom login handler class (configured as
        ``ServerApp.login_handler_class``) overrides it, and may call it for the default."""
        provider = handler.identity_provider
        if isinstance(provider, LegacyIdentityProvider):
            user = await provider.password_user(handler)
        else:
            got = provider.get_user(handler)
            user = await got if inspect.isawaitable(got) else got
        return user.username if user is not None else None

    def safe_next(self, default: str | None = None) -> str:
        """The ``next`` argument when it stays on this server's origin, else the base URL."""
        target = self.get_argument("next", default or "")
        if "\r" in target or "\n" in target:
            # It would split the Location header: a clear 400, not tornado's 500.
            raise web.HTTPError(400, "Invalid next URL: it must not contain a line break")
        if target and is_same_origin_path(target) and target.startswith(self.base_url):
            return target
        if target and is_same_origin_path(target) and self.base_url == "/":
            return target
        return self.base_url

    def _render(self, message: str = "", status: int = 200) -> None:
        self.set_status(status)
        provider = self.identity_provider
        label = "Password" if getattr(provider, "hashed_password", "") else "Password or token"
        error = f'<p class="error">{xhtml_escape(message)}</p>' if message else ""
        next_field = xhtml_escape(quote(self.get_argument("next", ""), safe=""))
        body = (
            f'{error}<form method="post" action="{xhtml_escape(url_path_join(self.base_url, "login"))}?next={next_field}">'
            f"{self.xsrf_form_html()}"
            f'<label for="password_input">{label}:</label><br>'
            '<input type="password" name="password" id="password_input" autofocus><br>'
            f"{self._new_password_field()}"
            '<button type="submit" id="login_submit">Log in</button></form>'
        )
        self.finish(_PAGE.format(title="Jupyter Server: log in", body=body))

    def _new_password_field(self) -> str:
        if not getattr(self.identity_provider, "password_change_allowed", False):
            return ""
        return (
            '<label for="new_password_input">Optionally, with the token above, '
            "set a password for next time:</label><br>"
            '<input type="password" name="new_password" id="new_password_input"><br>'
        )

    def get(self) -> None:
        if self.current_user is not None and getattr(self, "_authenticated_by_credentials", True):
            user = self.current_user
            if user is not None and self.identity_provider.auth_enabled:
                self.redirect(self.safe_next())
                return
        self._render()

    def post(self) -> None:
        provider = self.identity_provider
        throttle = self.context.login_throttle
        address = self.request.remote_ip or ""
        # One account: the server's password (or token). A provider with user names would
        # pass the name typed here.
        account = ""
        wait = throttle.retry_after(address, account) if throttle is not None else 0.0
        if wait > 0:
            # Refused before the password is even looked at: waiting is the only way on.
            seconds = math.ceil(wait)
            self.log.warning("Login attempt from %s refused: %d s left to wait after repeated failures",
                             address, seconds)
            self.set_header("Retry-After", str(seconds))
            self._render(f"Too many failed logins: try again in {seconds} seconds.", status=429)
            return
        typed = self.get_argument("password", "")
        ok = False
        if getattr(provider, "hashed_password", "") and provider.passwd_check(typed):
            ok = True
        elif provider.token and typed and hmac.compare_digest(typed.encode(), provider.token.encode()):
            ok = True
            new_password = self.get_argument("new_password", "")
            if new_password and getattr(provider, "password_change_allowed", False):
                path = provider.set_password(new_password, self.serverapp.config_dir)
                self.log.info("Wrote hashed password to %s", path)
        if not ok:
            wait = throttle.failed(address, account) if throttle is not None else 0.0
            if wait > 0:
                seconds = math.ceil(wait)
                self.log.warning("Failed login attempt from %s; its next attempt must wait %d s", address, seconds)
                self.set_header("Retry-After", str(seconds))
            else:
                self.log.warning("Failed login attempt from %s", address)
            self._render("Invalid credentials", status=401)
            return
        if throttle is not None:
            throttle.succeeded(address, account)
        provider._login(self, _anonymous_user())
        self.redirect(self.safe_next())


class LogoutHandler(JupyterHandler):
    """Ends the session: the login cookie stops working, even where a copy was kept."""

    allow_unauthenticated = True

    def get(self) -> None:
        self.identity_provider.logout(self)
        body = (
            "<p>Successfully logged out.</p>"
            f'<p><a href="{xhtml_escape(url_path_join(self.base_url, "login"))}">Log in again</a></p>'
        )
        self.finish(_PAGE.format(title="Jupyter Server: logged out", body=body))


def login_routes(serverapp: ServerApp) -> list[Any]:
    """Routes of the login and logout pages, with the classes the identity provider names."""
    base = serverapp.base_url
    # (path, handler) or, as JupyterHub's provider gives, (path, handler, kwargs).
    return [(url_path_join(base, spec[0]), *spec[1:]) for spec in serverapp.identity_provider.get_handlers()]
