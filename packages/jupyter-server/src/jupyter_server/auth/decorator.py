"""``jupyter_server.auth.decorator``: per-method authorization and authentication marks.

``authorized`` is the core's decorator. ``allow_unauthenticated`` marks a handler method
anyone may call (the core authenticates every request in ``prepare`` unless the handler
allows strangers); ``ws_authenticated`` refuses a WebSocket upgrade without a user.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from jupyter_server_core.auth import authorized
from tornado.web import HTTPError

__all__ = ["allow_unauthenticated", "authorized", "ws_authenticated"]

F = TypeVar("F", bound=Callable[..., Any])


def allow_unauthenticated(method: F) -> F:
    """Let anyone call ``method`` (a login or landing page).

    The core's handlers authenticate in ``prepare``, before any method; a handler whose
    method carries this mark is let through there (see
    ``JupyterHandler.allow_unauthenticated``), which is checked per request method.
    """
    method._jupyter_allow_unauthenticated = True  # type: ignore[attr-defined]
    return method


def ws_authenticated(method: F) -> F:
    """Refuse a WebSocket upgrade with 403 unless the request has a user."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        if self.current_user is None:
            raise HTTPError(403, "Not authenticated")
        return method(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]
