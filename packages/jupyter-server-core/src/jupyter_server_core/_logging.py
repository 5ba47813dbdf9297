"""Request logging that never writes a secret."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["scrub_url", "log_request", "log_level_for_status", "SCRUBBED_KEYS"]

SCRUBBED_KEYS = ("token", "auth", "key", "code", "state", "xsrf", "_xsrf", "password")


def scrub_url(url: str, extra_keys: list[str] | tuple[str, ...] = ()) -> str:
    """``url`` with the values of secret-looking query parameters replaced by ``[secret]``."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    keys = tuple(k.lower() for k in (*SCRUBBED_KEYS, *extra_keys))
    pairs = [
        (name, "[secret]" if any(k in name.lower() for k in keys) else value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(pairs, safe="[]")))


def log_level_for_status(status: int) -> int:
    """The level a request's log line gets: successes (and 304) at debug, redirects at info,
    client errors at warning, server errors at error."""
    if status < 300 or status == 304:
        return logging.DEBUG
    if status < 400:
        return logging.INFO
    return logging.WARNING if status < 500 else logging.ERROR


def log_request(handler: Any) -> None:
    """tornado ``log_function``: one line a request, method, scrubbed path, status, time."""
    status = handler.get_status()
    request = handler.request
    ctx = getattr(handler.application, "context", None)
    log = ctx.log if ctx is not None else logging.getLogger("ServerApp")
    extra = ctx.extra_log_scrub_param_keys if ctx is not None else []
    level = log_level_for_status(status)
    millis = 1000.0 * request.request_time()
    user = handler.current_user if hasattr(handler, "_current_user") else None
    who = f" ({user.username}@{request.remote_ip})" if user else f" ({request.remote_ip})"
    log.log(level, "%d %s %s%s %.2fms", status, request.method,
            scrub_url(request.uri or "", extra), who, millis)
    if status >= 400 and level >= logging.WARNING:
        referer = request.headers.get("Referer")
        if referer:
            log.log(level, "  Referer: %s", scrub_url(referer, extra))
