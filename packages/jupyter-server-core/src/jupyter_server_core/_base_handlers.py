"""Base request handlers: authentication, security checks and JSON errors for everyone.

Every handler of the server and of its extensions derives from :class:`JupyterHandler`
(pages) or :class:`APIHandler` (JSON APIs). Both authenticate in :meth:`prepare` by
default; a handler opts out by setting ``allow_unauthenticated = True``. A handler that
names an ``auth_resource`` is also authorized for every request, with the action derived
from the HTTP method.
"""

from __future__ import annotations

import inspect
import ipaddress
import json
import logging
import traceback
from collections.abc import Awaitable
from http.client import responses
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

from tornado import web
from tornado.escape import url_escape, xhtml_escape

from ._logging import scrub_url
from ._urls import url_path_join
from .auth._authorizer import Action, action_for_method
from .auth._user import User

if TYPE_CHECKING:
    from ._web import ServerContext

__all__ = [
    "JupyterHandler",
    "APIHandler",
    "APINotFoundHandler",
    "PageNotFoundHandler",
    "WebSocketMixin",
    "json_default",
]

_UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def json_default(obj: Any) -> Any:
    """JSON encoding for the models handlers return: datetimes as ISO 8601 with a Z."""
    from datetime import datetime, timezone

    if isinstance(obj, datetime):
        if obj.tzinfo is None:
            obj = obj.replace(tzinfo=timezone.utc)
        return obj.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    if isinstance(obj, (set, frozenset)):
        return sorted(obj)
    raise TypeError(f"{type(obj).__name__} is not JSON serializable")


def host_is_local(host: str, local_hostnames: list[str]) -> bool:
    """True when a Host header value names this machine (loopback or a listed name)."""
    if host.startswith("["):
        name = host[1 : host.find("]")] if "]" in host else host[1:]
    elif host.count(":") == 1:
        name = host.rsplit(":", 1)[0]
    else:
        name = host
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return name.lower() in {h.lower() for h in local_hostnames}


class JupyterHandler(web.RequestHandler):
    """Base of every handler: security headers, host/origin checks, auth, errors.

    Hooks to override:

    - ``auth_resource``: set to a resource name (``"kernels"``) to authorize each request.
    - ``allow_unauthenticated``: set True for the rare handler anyone may reach (login).
    - :meth:`write_error`: pages render a short HTML error, APIs a JSON one.
    """

    auth_resource: str | None = None
    allow_unauthenticated: bool = False
    #: Whether a request counts as activity (``/api/status`` polls do not).
    tracks_activity: bool = True

    @property
    def context(self) -> ServerContext:
        return cast("ServerContext", self.application.context)  # type: ignore[attr-defined]

    @property
    def log(self) -> logging.Logger:
        return self.context.log

    @property
    def base_url(self) -> str:
        return self.context.base_url

    @property
    def serverapp(self) -> Any:
        return self.context.serverapp

    @property
    def identity_provider(self) -> Any:
        # The settings entry first: code that swaps it (as jupyter_server 2.x allowed) wins.
        return self.settings.get("identity_provider") or self.context.identity_provider

    @property
    def authorizer(self) -> Any:
        return self.settings.get("authorizer") or self.context.authorizer

    # -- headers ---------------------------------------------------------------------

    def set_default_headers(self) -> None:
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Content-Security-Policy", self.content_security_policy)
        # A token in a page URL must never travel to another site through Referer.
        self.set_header("Referrer-Policy", "same-origin")
        self.set_cors_headers()

    @property
    def content_security_policy(self) -> str:
        """The CSP header value: frames only from this origin."""
        return "frame-ancestors 'self'"

    def set_cors_headers(self) -> None:
        ctx = self.context
        origin = self.request.headers.get("Origin")
        if ctx.allow_origin == "*":
            self.set_header("Access-Control-Allow-Origin", "*")
        elif origin and self._origin_allowed(origin):
            self.set_header("Access-Control-Allow-Origin", origin)
            self.add_header("Vary", "Origin")
        else:
            return
        if ctx.allow_credentials:
            self.set_header("Access-Control-Allow-Credentials", "true")

    def _origin_allowed(self, origin: str) -> bool:
        ctx = self.context
        if ctx.allow_origin == "*":
            return True
        if ctx.allow_origin and origin == ctx.allow_origin:
            return True
        return bool(ctx.allow_origin_pat and ctx.allow_origin_pat.match(origin))

    # -- checks ----------------------------------------------------------------------

    def check_host(self) -> bool:
        """Refuse Host headers that do not name this machine (DNS rebinding)."""
        if self.context.allow_remote_access:
            return True
        return host_is_local(self.request.host or "", self.context.local_hostnames)

    def check_origin(self, origin_to_satisfy_tornado: str = "") -> bool:
        """Whether the request's Origin may act on this server.

        No Origin header (not a browser, or same-origin GET) passes; a browser's Origin must
        be this server's own or one allowed by ``allow_origin``/``allow_origin_pat``.
        """
        origin = origin_to_satisfy_tornado or self.request.headers.get("Origin", "")
        if not origin or self.context.allow_origin == "*":
            return True
        if urlsplit(origin).netloc.lower() == (self.request.host or "").lower():
            return True
        return self._origin_allowed(origin)

    def check_xsrf_cookie(self) -> None:
        """XSRF applies to cookie-authenticated requests only; a token header proves intent."""
        if self.context.disable_check_xsrf:
            return
        if not self.identity_provider.should_check_xsrf(self):
            return
        if not self.identity_provider.auth_enabled and not self.request.headers.get("Cookie"):
            return
        super().check_xsrf_cookie()

    # -- auth ------------------------------------------------------------------------

    async def prepare(self) -> None:
        if not self.check_host():
            self.log.warning("Blocking request with non-local 'Host' %s", self.request.host)
            raise web.HTTPError(403, "Host not allowed: set ServerApp.allow_remote_access to serve remote hosts")
        if self.request.method == "OPTIONS":
            return
        user = self.identity_provider.get_user(self)
        if inspect.isawaitable(user):
            user = await user
        self._current_user = user
        if user is None and not self.allow_unauthenticated:
            self.refuse_unauthenticated()
            return
        if user is not None and self.tracks_activity:
            # Only authenticated requests count: a stranger's probing must not keep an idle
            # server alive.
            self.context.activity.touch("api")
        if user is not None and self.request.method == "GET":
            # Make sure browsers hold an _xsrf cookie for their next unsafe request.
            self.xsrf_token  # noqa: B018
        if self.auth_resource is not None and user is not None:
            action = action_for_method(self.request.method or "GET")
            if not await self.authorize(action, self.auth_resource):
                raise web.HTTPError(
                    403, f"User {user.username!r} is not authorized to {action} {self.auth_resource}"
                )

    def refuse_unauthenticated(self) -> None:
        """Pages redirect to the login page; APIs (see APIHandler) answer 403."""
        if self.request.method in ("GET", "HEAD"):
            url = self.get_login_url()
            self.redirect(url + "?next=" + url_escape(self.request.uri or "/"))
            return
        raise web.HTTPError(403, "Not authenticated")

    def get_login_url(self) -> str:
        return url_path_join(self.base_url, "login")

    def get_current_user(self) -> User | None:
        return cast("User | None", getattr(self, "_current_user", None))

    async def authorize(self, action: Action, resource: str) -> bool:
        """Ask the authorizer whether the current user may do ``action`` on ``resource``."""
        user = self.current_user
        if user is None:
            return False
        allowed = self.authorizer.is_authorized(self, user, action, resource)
        if isinstance(allowed, Awaitable):
            allowed = await allowed
        return bool(allowed)

    # -- errors ----------------------------------------------------------------------

    def error_message(self, status_code: int, **kwargs: Any) -> tuple[str, str]:
        """The (message, reason) pair to show for an error; never a traceback."""
        reason = responses.get(status_code, "Unknown HTTP Error")
        message = reason
        exc_info = kwargs.get("exc_info")
        if exc_info:
            exc = exc_info[1]
            if isinstance(exc, web.HTTPError):
                if exc.log_message:
                    message = exc.log_message % exc.args if exc.args else exc.log_message
                if exc.reason:
                    reason = exc.reason
            else:
                message = "Unhandled error"
        return message, reason

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        if isinstance(value, web.HTTPError):
            if value.status_code >= 500:
                self.log.warning("%d %s %s: %s", value.status_code, self.request.method,
                                 scrub_url(self.request.uri or "", self.context.extra_log_scrub_param_keys),
                                 value.log_message)
            return
        self.log.error(
            "Uncaught exception %s %s\n%s",
            self.request.method,
            scrub_url(self.request.uri or "", self.context.extra_log_scrub_param_keys),
            "".join(traceback.format_exception(typ, value, tb)),
        )

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        message, reason = self.error_message(status_code, **kwargs)
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.finish(
            "<!DOCTYPE html><html><head><meta charset='utf-8'>"
            f"<title>{status_code} {xhtml_escape(reason)}</title></head>"
            f"<body><h1>{status_code}: {xhtml_escape(reason)}</h1>"
            f"<p>{xhtml_escape(message)}</p></body></html>"
        )


class APIHandler(JupyterHandler):
    """Base of JSON API handlers: JSON errors, no caching, CORS preflight, origin check."""

    @property
    def content_security_policy(self) -> str:
        # JSON is never a document to render: no sources at all, as jupyter_server sends.
        return "frame-ancestors 'self'; default-src 'none'"

    def set_default_headers(self) -> None:
        super().set_default_headers()
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store, no-cache, must-revalidate, max-age=0")

    async def prepare(self) -> None:
        # A preflight is answered for anyone (as jupyter_server does); only allowed origins
        # get Access-Control-Allow-Origin, so a browser goes no further for the others.
        if self.request.method != "OPTIONS" and not self.check_origin():
            raise web.HTTPError(404, "Cross-origin request not allowed")
        await super().prepare()

    def refuse_unauthenticated(self) -> None:
        raise web.HTTPError(403, "Not authenticated: send the token or log in")

    def write_json(self, model: Any, status: int = 200) -> None:
        """Finish the request with ``model`` as JSON."""
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(model, default=json_default))

    def get_json_body(self) -> Any:
        """The request body parsed as JSON; None when empty; a 400 when not JSON."""
        if not self.request.body:
            return None
        try:
            return json.loads(self.request.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise web.HTTPError(400, f"Invalid JSON in request body: {exc}") from None

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        message, reason = self.error_message(status_code, **kwargs)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"message": message, "reason": reason}))

    def options(self, *args: Any, **kwargs: Any) -> None:
        """CORS preflight: tell allowed origins which headers and methods they may use."""
        requested = self.request.headers.get("Access-Control-Request-Headers")
        if requested:
            self.set_header("Access-Control-Allow-Headers", requested)
        else:
            self.set_header("Access-Control-Allow-Headers", "accept, content-type, authorization, x-xsrftoken")
        self.set_header("Access-Control-Allow-Methods", "GET, PUT, POST, PATCH, DELETE, OPTIONS")
        # 200 with an empty body, as jupyter_server answers a preflight.
        self.finish()


class APINotFoundHandler(APIHandler):
    """Every /api path nothing else serves: a JSON 404, after authentication."""

    async def _not_found(self, *args: Any) -> None:
        raise web.HTTPError(404, f"No such API endpoint: {self.request.path}")

    get = post = put = patch = delete = head = _not_found


class PageNotFoundHandler(JupyterHandler):
    """Any other unknown path: a plain HTML 404."""

    allow_unauthenticated = True

    def prepare(self) -> Awaitable[None]:  # type: ignore[override]
        raise web.HTTPError(404)


class WebSocketMixin:
    """Put before tornado's ``WebSocketHandler`` in a handler's bases, with JupyterHandler:

        class EchoHandler(WebSocketMixin, WebSocketHandler, JupyterHandler): ...

    tornado asks ``check_origin(origin)`` before the upgrade; this answers with the server's
    rule (same origin, or allowed by ``allow_origin``/``allow_origin_pat``) instead of
    tornado's own. An unauthenticated upgrade is refused with 403, never redirected.
    """

    def check_origin(self, origin: str) -> bool:
        return JupyterHandler.check_origin(self, origin)  # type: ignore[arg-type]

    def refuse_unauthenticated(self) -> None:
        raise web.HTTPError(403, "Not authenticated: send the token or log in")
