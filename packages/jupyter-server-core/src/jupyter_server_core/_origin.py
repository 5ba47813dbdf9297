"""The one rule deciding which browser origins may act on this server.

Every place that looks at an ``Origin`` header asks :func:`origin_allowed`: the CORS
headers of every response, the refusal of cross-origin API calls and unsafe page requests,
and the Origin check tornado runs before any WebSocket upgrade (kernels, terminals,
events, the gateway relay). One function means one behaviour to test and to reason about.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

__all__ = ["origin_allowed"]

_log = logging.getLogger(__name__)
# Patterns already reported as matching only a prefix of some origin: warn once each.
_prefix_warned: set[str] = set()


def origin_allowed(
    origin: str | None,
    host: str | None,
    allow_origin: str = "",
    allow_origin_pat: re.Pattern[str] | None = None,
) -> bool:
    """Whether a request from ``origin`` (the ``Origin`` header) may act on the server
    reached as ``host`` (the ``Host`` header).

    - No Origin header, or no Host: allowed. Browsers send Origin on every cross-site
      request that could act, so its absence means a script, a command-line client or a
      same-origin navigation (jupyter_server decides the same).
    - ``allow_origin == "*"``: every origin is allowed.
    - An origin naming the server's own host is allowed.
    - ``allow_origin`` set: only that exact origin (scheme, host and port), case aside.
    - Otherwise ``allow_origin_pat`` must match the *whole* origin. A prefix match is not
      enough: ``https://good\\.example`` must not let ``https://good.example.evil.example``
      in (CVE-2026-40110).
    """
    if origin is None or not host:
        return True
    if allow_origin == "*":
        return True
    origin = origin.lower()
    if urlsplit(origin).netloc == host.lower():
        return True
    if allow_origin:
        return origin == allow_origin.lower()
    if allow_origin_pat is None:
        return False
    if allow_origin_pat.fullmatch(origin):
        return True
    if allow_origin_pat.match(origin) and allow_origin_pat.pattern not in _prefix_warned:
        _prefix_warned.add(allow_origin_pat.pattern)
        _log.warning(
            "ServerApp.allow_origin_pat %r matches only the beginning of the origin %r, which is "
            "refused: the pattern must match the whole origin (end it with '.*' on purpose if "
            "anything may follow)",
            allow_origin_pat.pattern, origin,
        )
    return False
