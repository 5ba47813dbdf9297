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
from urllib.parse import quote, urlsplit

from tornado import web
from tornado.escape import url_escape, xhtml_escape

from ._logging import scrub_url
from ._origin import origin_allowed
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
    "TrailingSlashHandler",
    "WebSocketMixin",
    "json_default",
    "parse_json_body",
]

#: Where browsers send Content-Security-Policy violation reports (under the base URL).
CSP_REPORT_PATH = "api/security/csp-report"

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


def parse_json_body(body: bytes | str) -> Any:
    """A request body parsed as JSON; a 400 when it is not JSON, not UTF-8, or nested so
    deeply that parsing it would exhaust the interpreter's stack."""
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise web.HTTPError(400, f"Invalid JSON in request body: {exc}") from None
    except RecursionError:
        raise web.HTTPError(400, "Invalid JSON in request body: nested too deeply") from None


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
    #: How a GET or HEAD authenticated by the login cookie alone is checked against
    #: cross-site inclusion (another site's page loading this URL as a script or image
    #: with the user's cookie): ``"off"``; ``"foreign"`` refuses a Referer from another
    #: site (APIs); ``"required"`` also refuses a missing Referer unless the request
    #: carries the XSRF token (``/files/``, as jupyter_server does).
    referer_check: str = "off"
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
        # Extra headers from the tornado ``headers`` setting (ServerApp.tornado_settings, or
        # an extension such as JupyterHub's single-user one) come last: they win.
        for name, value in self.settings.get("headers", {}).items():
            self.set_header(name, value)

    @property
    def content_security_policy(self) -> str:
        """The CSP header value: frames only from this origin; browsers report violations
        to ``/api/security/csp-report`` (which logs them)."""
        return f"frame-ancestors 'self'; report-uri {url_path_join(self.base_url, CSP_REPORT_PATH)}"

    def set_cors_headers(self) -> None:
        ctx = self.context
        origin = self.request_origin()
        if ctx.allow_origin == "*":
            self.set_header("Access-Control-Allow-Origin", "*")
        elif origin and self.origin_allowed(origin):
            self.set_header("Access-Control-Allow-Origin", origin)
            self.add_header("Vary", "Origin")
        else:
            return
        if ctx.allow_credentials:
            self.set_header("Access-Control-Allow-Credentials", "true")

    def request_origin(self) -> str | None:
        """The request's Origin (``Sec-Websocket-Origin`` from old WebSocket clients); None when absent."""
        headers = self.request.headers
        if "Origin" in headers:
            return headers["Origin"]
        return headers.get("Sec-Websocket-Origin")

    def origin_allowed(self, origin: str | None) -> bool:
        """The server's origin rule (see :func:`origin_allowed`) applied to ``origin``."""
        ctx = self.context
        return origin_allowed(origin, self.request.host, ctx.allow_origin, ctx.allow_origin_pat)

    # -- checks ----------------------------------------------------------------------

    def check_host(self) -> bool:
        """Refuse Host headers that do not name this machine (DNS rebinding)."""
        if self.context.allow_remote_access:
            return True
        return host_is_local(self.request.host or "", self.context.local_hostnames)

    def check_origin(self, origin: str | None = None) -> bool:
        """Whether this request's Origin may act on the server (tornado asks it of WebSockets).

        ``origin`` defaults to the request's own. A request carrying the right token needs
        no Origin check: a page of another site cannot know the token (jupyter_server 2.x
        skips it too). Everyone else is held to :meth:`origin_allowed`.
        """
        if origin is None:
            origin = self.request_origin()
        if origin is None or not self.identity_provider.should_check_xsrf(self):
            return True
        if self.origin_allowed(origin):
            return True
        self.log.warning("Refused a cross-origin request to %s from origin %r (Host %r)",
                         self.request.path, origin, self.request.host)
        return False

    def check_referer(self) -> None:
        """Refuse (403) a cookie-authenticated GET that another site's page made.

        A request with the token (header or URL) passes: another site cannot know it. So
        does everything when authentication or the XSRF check is off, or ``allow_origin``
        is ``*``. A Referer on this host, or on an origin ``allow_origin`` or
        ``allow_origin_pat`` allows, passes.
        """
        ctx = self.context
        if ctx.allow_origin == "*" or ctx.disable_check_xsrf or not self.identity_provider.auth_enabled:
            return
        if not self.identity_provider.should_check_xsrf(self):
            return
        referer = self.request.headers.get("Referer", "")
        if not referer:
            if self.referer_check != "required":
                return
            try:
                web.RequestHandler.check_xsrf_cookie(self)
            except web.HTTPError:
                raise web.HTTPError(
                    403, "Request refused: it comes with neither a Referer from this server nor the XSRF token"
                ) from None
            return
        parts = urlsplit(referer)
        if parts.netloc.lower() == (self.request.host or "").lower():
            return
        if self.origin_allowed(f"{parts.scheme}://{parts.netloc}"):
            return
        self.log.warning("Refusing a cross-site %s of %s (Referer from %s)", self.request.method,
                         self.request.path, parts.netloc)
        raise web.HTTPError(403, f"Cross-site request refused: pages of {parts.scheme}://{parts.netloc} may not read this")

    def check_xsrf_cookie(self) -> None:
        """XSRF applies to cookie-authenticated requests only; a token header proves intent.

        An unsafe request from a foreign origin is refused first, also on a server without
        authentication, where the XSRF cookie alone would not be asked for.
        """
        if self.context.disable_check_xsrf:
            return
        if not self.identity_provider.should_check_xsrf(self):
            return
        if not self.check_origin():
            # 404 as for a cross-origin API call, the status jupyter_server answers.
            raise web.HTTPError(404, "Cross-origin request not allowed")
        if not self.identity_provider.auth_enabled and not self.request.headers.get("Cookie"):
            return
        super().check_xsrf_cookie()

    # -- auth ------------------------------------------------------------------------

    async def prepare(self) -> None:
        if not self.check_host():
            self.log.warning("Blocking request with non-local 'Host' %s", self.request.host)
            raise web.HTTPError(403, "Host not allowed: set ServerApp.allow_remote_access to serve remote hosts")
        # tornado checks a WebSocket's Origin only in get(), after the handler may have done
        # work (a gateway relay opens its upstream socket): refuse foreign origins first.
        if self.request.headers.get("Upgrade", "").lower() == "websocket" and not self.check_origin():
            raise web.HTTPError(403, "Cross-origin WebSocket not allowed")
        if self.request.method == "OPTIONS" and self._open_preflight():
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
        if user is not None and self.request.method in ("GET", "HEAD") and self.referer_check != "off":
            self.check_referer()
        if user is not None and self.request.method == "GET":
            # Make sure browsers hold an _xsrf cookie for their next unsafe request.
            self.xsrf_token  # noqa: B018
        if self.auth_resource is not None and user is not None:
            action = action_for_method(self.request.method or "GET")
            if not await self.authorize(action, self.auth_resource):
                raise web.HTTPError(
                    403, f"User {user.username!r} is not authorized to {action} {self.auth_resource}"
                )

    def _open_preflight(self) -> bool:
        """Whether an OPTIONS request goes through without login: a CORS preflight never
        carries credentials, so the preflight answer of APIHandler (or tornado's 405)
        goes to anyone. An ``options`` a subclass wrote does its own work and needs a user
        like any method, unless ``allow_unauthenticated`` or ServerApp.allow_unauthenticated_access (the
        jupyter_server 2.x switch for handlers that declare no rule) says otherwise."""
        own = type(self).options in (web.RequestHandler.options, APIHandler.options)
        return own or self.allow_unauthenticated or self.context.allow_unauthenticated_access

    def refuse_unauthenticated(self) -> None:
        """Pages redirect to the login page; APIs (see APIHandler) answer 403."""
        if self.request.method in ("GET", "HEAD"):
            url = self.get_login_url()
            # As tornado's @authenticated does: a login URL with a query of its own (an
            # OAuth authorize URL carrying its state, as JupyterHub's) gets no `next`.
            if "?" not in url:
                url += "?next=" + url_escape(self.request.uri or "/")
            self.redirect(url)
            return
        raise web.HTTPError(403, "Not authenticated")

    def get_login_url(self) -> str:
        """Where an unauthenticated page request is sent: tornado's ``login_url`` setting,
        which the server sets to its own /login and an identity provider may point
        elsewhere (JupyterHub's single-user extension points it at the Hub)."""
        return str(self.settings.get("login_url") or url_path_join(self.base_url, "login"))

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

    def error_message(self, status_code: int, **kwargs: Any) -> tuple[str, str | None]:
        """The (message, reason) pair to show for an error; never a traceback.

        This is the one place that decides both, for pages and JSON alike. ``reason`` is the
        short machine-readable reason a handler gave (``HTTPError(..., reason="bad type")``)
        and None otherwise, as jupyter_server reports it; the HTTP phrase is the status
        line's business, not the body's.
        """
        message = responses.get(status_code, "Unknown HTTP Error")
        reason: str | None = None
        exc_info = kwargs.get("exc_info")
        if exc_info:
            exc = exc_info[1]
            if isinstance(exc, web.HTTPError):
                if exc.log_message:
                    message = exc.log_message % exc.args if exc.args else exc.log_message
                reason = exc.reason
            else:
                message = "Unhandled error"
        return message, reason

    def error_model(self, status_code: int, **kwargs: Any) -> dict[str, Any]:
        """The JSON body of an API error: ``{"message": ..., "reason": ...}``."""
        message, reason = self.error_message(status_code, **kwargs)
        return {"message": message, "reason": reason}

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
        reason = reason or responses.get(status_code, "Unknown HTTP Error")
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.finish(
            "<!DOCTYPE html><html><head><meta charset='utf-8'>"
            f"<title>{status_code} {xhtml_escape(reason)}</title></head>"
            f"<body><h1>{status_code}: {xhtml_escape(reason)}</h1>"
            f"<p>{xhtml_escape(message)}</p></body></html>"
        )


class APIHandler(JupyterHandler):
    """Base of JSON API handlers: JSON errors, no caching, CORS preflight, origin check."""

    referer_check = "foreign"

    @property
    def content_security_policy(self) -> str:
        # JSON is never a document to render: no sources at all, as jupyter_server sends.
        return super().content_security_policy + "; default-src 'none'"

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
        return parse_json_body(self.request.body)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(self.error_model(status_code, **kwargs)))

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


class TrailingSlashHandler(JupyterHandler):
    """GET of any other path that ends in ``/``: a redirect to it without the slash.

    Routed after every service, so ``/api/kernels/`` reaches ``/api/kernels`` as with
    jupyter_server (and other methods get its 405). Leading slashes are collapsed as well,
    so ``//evil.example/`` stays on this server.
    """

    allow_unauthenticated = True

    def set_default_headers(self) -> None:
        """A bare redirect: no page, so none of the page headers."""

    async def prepare(self) -> None:
        if not self.check_host():
            raise web.HTTPError(403, "Host not allowed: set ServerApp.allow_remote_access to serve remote hosts")

    def get(self, *args: Any) -> None:
        path, sep, query = (self.request.uri or "/").partition("?")
        # Browsers read a backslash (or a tab or line break inside) as a slash: "/\evil/"
        # must not become "/\evil", which they would follow to another site. Escape
        # everything but the URL's own punctuation.
        self.redirect("/" + quote(path.strip("/"), safe="/%!$&'()*+,;=:@-._~") + sep + query)


class WebSocketMixin:
    """Put before tornado's ``WebSocketHandler`` in a handler's bases, with JupyterHandler:

        class EchoHandler(WebSocketMixin, WebSocketHandler, JupyterHandler): ...

    tornado asks ``check_origin(origin)`` before the upgrade; this answers with the server's
    rule (same origin, or allowed by ``allow_origin``/``allow_origin_pat``) instead of
    tornado's own. An unauthenticated upgrade is refused with 403, never redirected.
    """

    def check_origin(self, origin: str | None = None) -> bool:
        return JupyterHandler.check_origin(self, origin)  # type: ignore[arg-type]

    def refuse_unauthenticated(self) -> None:
        raise web.HTTPError(403, "Not authenticated: send the token or log in")
