"""``jupyter_server.log``: the request log line, as jupyter_server 2.x's ``log_request``.

Secret query values are always scrubbed (the core's ``scrub_url``, plus the keys of
``ServerApp.extra_log_scrub_param_keys`` found in the handler's settings). A 5xx also logs
the request headers, with the Referer scrubbed the same way and cookies left out.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from jupyter_server_core import log_level_for_status, scrub_url

__all__ = ["log_request"]


def log_request(handler: Any, record_prometheus_metrics: bool = True) -> None:
    """Log one finished request on the handler's logger, at a level following its status."""
    status = handler.get_status()
    request = handler.request
    settings = getattr(handler, "settings", None) or {}
    extra = list(settings.get("extra_log_scrub_param_keys", []) or [])
    log = getattr(handler, "log", None) or logging.getLogger("ServerApp")
    level = log_level_for_status(status)

    # The logger's method named after the level (log.debug, log.info, ...): handlers and tests
    # of 2.x replace the handler's ``log`` and watch those methods.
    emit = getattr(log, logging.getLevelName(level).lower(), None) or (lambda text: log.log(level, text))

    millis = 1000.0 * request.request_time()
    user = getattr(handler, "current_user", None)
    who = f" ({getattr(user, 'username', user)})" if user else ""
    line = f"{status} {request.method} {scrub_url(request.uri, extra)} ({request.remote_ip}){who} {millis:.2f}ms"
    if status >= 500 and status != 502:
        headers = {k: v for k, v in dict(request.headers).items() if k.lower() != "cookie"}
        if "Referer" in headers:
            headers["Referer"] = scrub_url(headers["Referer"], extra)
        emit(json.dumps(headers, indent=2))
    emit(line)
    if record_prometheus_metrics:
        metrics = getattr(getattr(handler, "application", None), "metrics", None)
        if metrics is not None and hasattr(metrics, "observe"):
            metrics.observe(handler)
