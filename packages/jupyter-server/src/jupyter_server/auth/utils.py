"""``jupyter_server.auth.utils``: which auth resource a URL belongs to, and small auth helpers.

The URL table names the resource each service's handlers check (``auth_resource``), so that
authorizer tests and tools can ask "what does this URL need?" without a running server.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

from jupyter_server_core.auth import action_for_method, anonymous_user

__all__ = [
    "HTTP_METHOD_TO_AUTH_ACTION",
    "get_anonymous_username",
    "get_regex_to_resource_map",
    "match_url_to_resource",
    "route_table",
    "warn_disabled_authorization",
]

HTTP_METHOD_TO_AUTH_ACTION: dict[str, str] = {
    method: action_for_method(method) for method in ("GET", "HEAD", "OPTIONS", "POST", "PATCH", "PUT", "DELETE", "WEBSOCKET")
}
HTTP_METHOD_TO_AUTH_ACTION["WEBSOCKET"] = "execute"

_ID = r"[^/]+"
# URL pattern (relative to base_url) -> the auth resource its handlers check.
_RESOURCE_URLS: list[tuple[str, str]] = [
    (r"/api/?", "api"),
    (r"/api/spec\.yaml", "api"),
    (r"/api/status", "api"),
    (r"/api/me", "api"),
    (r"/api/config/\w+", "config"),
    (r"/api/contents(?P<path>(?:/.*)?)", "contents"),
    (r"/api/contents(?P<path>(?:/.*)?)/checkpoints(?:/" + _ID + ")?", "contents"),
    (r"/api/kernels(?:/" + _ID + r"(?:/(?:interrupt|restart|channels))?)?", "kernels"),
    (r"/api/kernelspecs(?:/" + _ID + ")?", "kernelspecs"),
    (r"/kernelspecs/" + _ID + "/.+", "kernelspecs"),
    (r"/api/sessions(?:/" + _ID + ")?", "sessions"),
    (r"/api/terminals(?:/" + _ID + ")?", "terminals"),
    (r"/terminals/websocket/" + _ID, "terminals"),
    (r"/api/nbconvert", "nbconvert"),
    (r"/nbconvert/" + _ID + "(?:/.*)?", "nbconvert"),
    (r"/files/.*", "contents"),
    (r"/view/.*", "contents"),
    (r"/api/shutdown", "server"),
    (r"/api/security/csp-report", "csp"),
    (r"/api/events/subscribe", "events"),
    (r"/api/events", "events"),
]


def _urls_of(resource: str, prefix: str = "") -> list[str]:
    """The URL patterns of one resource (those starting with ``prefix``, if given)."""
    return [p for p, r in _RESOURCE_URLS if r == resource and p.startswith(prefix)]


def route_table(resource: str, prefix: str = "") -> list[tuple[str, Any]]:
    """``default_handlers`` of a jupyter_server 2.x handlers module, for the modules that keep
    those names here: ``(URL pattern under base_url, None)`` for each route of ``resource``.
    The handler is None because the owning wheel mounts its own, with its collaborators;
    the module's ``AUTH_RESOURCE`` names the resource those handlers check."""
    return [(pattern, None) for pattern in _urls_of(resource, prefix)]


def get_regex_to_resource_map() -> dict[str, str]:
    """Every known URL pattern mapped to its auth resource (services of this install)."""
    return dict(_RESOURCE_URLS)


def match_url_to_resource(url: str, regex_mapping: dict[str, str] | None = None) -> str | None:
    """The auth resource of ``url`` (a path relative to base_url), or None if none matches."""
    mapping = get_regex_to_resource_map() if regex_mapping is None else regex_mapping
    for pattern, resource in mapping.items():
        if re.fullmatch(pattern.rstrip("$"), url):
            return resource
    return None


def get_anonymous_username() -> str:
    """A fresh display name for an anonymous user (``Anonymous <moon>``)."""
    return anonymous_user().name


def warn_disabled_authorization() -> None:
    """Warn that a handler runs without any authorizer in its settings."""
    warnings.warn(
        "The Tornado settings hold no authorizer: every request is allowed. "
        "Set one (jupyter_server.auth.AllowAllAuthorizer keeps this behaviour explicitly).",
        FutureWarning,
        stacklevel=2,
    )
