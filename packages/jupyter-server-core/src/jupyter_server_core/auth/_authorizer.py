"""Authorization: may this user do this action on this resource?"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from traitlets.config import LoggingConfigurable

from ._user import User

if TYPE_CHECKING:
    from tornado.web import RequestHandler

__all__ = ["Authorizer", "AllowAllAuthorizer", "Action", "action_for_method"]

Action = Literal["read", "write", "execute"]

_METHOD_ACTIONS: dict[str, Action] = {
    "GET": "read",
    "HEAD": "read",
    "OPTIONS": "read",
    "POST": "write",
    "PUT": "write",
    "PATCH": "write",
    "DELETE": "write",
}


def action_for_method(method: str) -> Action:
    """The action an HTTP method performs: GET/HEAD/OPTIONS read, everything else writes."""
    return _METHOD_ACTIONS.get(method.upper(), "write")


class Authorizer(LoggingConfigurable):
    """Decides every (user, action, resource) question the server asks.

    Override :meth:`is_authorized` to restrict users. It is called for every request to
    a handler that names an ``auth_resource`` (every API handler does), with ``action`` one
    of ``"read"``, ``"write"`` or ``"execute"`` and ``resource`` a name such as
    ``"kernels"``, ``"contents"`` or ``"terminals"``. It may be a coroutine function.
    """

    def is_authorized(
        self, handler: RequestHandler, user: User, action: Action, resource: str
    ) -> bool:
        """Return True to allow ``user`` to do ``action`` on ``resource``."""
        return True


class AllowAllAuthorizer(Authorizer):
    """Allows every authenticated user everything: the default."""
