"""The ``@authorized`` decorator for handler methods."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from tornado.web import HTTPError, RequestHandler

from ._authorizer import Action, action_for_method

__all__ = ["authorized"]

F = TypeVar("F", bound=Callable[..., Any])


def authorized(
    action: Action | F | None = None, resource: str | None = None, message: str | None = None
) -> Any:
    """Check authorization before a handler method runs.

    Usable bare (``@authorized``: the action follows the HTTP method and the resource is the
    handler's ``auth_resource``) or with arguments (``@authorized("execute")``).
    Handlers of this server are checked in ``prepare`` already; the decorator adds a check
    for methods that need a different action, and keeps extension code written for
    jupyter_server working.
    """

    def wrap(method: F) -> F:
        @functools.wraps(method)
        async def wrapper(self: RequestHandler, *args: Any, **kwargs: Any) -> Any:
            user = self.current_user
            if user is None:
                raise HTTPError(403, "Not authenticated")
            chosen = action if isinstance(action, str) else action_for_method(self.request.method or "GET")
            target = resource or getattr(self, "auth_resource", None)
            if target is not None:
                check = getattr(self, "authorize", None)
                if check is not None and not await check(chosen, target):
                    raise HTTPError(
                        403,
                        message or f"User {user.username!r} is not authorized to {chosen} on {target}",
                    )
            result = method(self, *args, **kwargs)
            if isinstance(result, Awaitable):
                result = await result
            return result

        return wrapper  # type: ignore[return-value]

    if callable(action):
        fn, action = action, None
        return wrap(fn)
    return wrap
