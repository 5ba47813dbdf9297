"""Warnings the server gives extension authors."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from typing import Any

__all__ = ["JupyterServerAuthWarning", "unguarded_routes", "warn_unguarded_routes"]


class JupyterServerAuthWarning(RuntimeWarning):
    """An extension handler serves without any authentication check.

    Given when an extension adds routes whose handlers no check of the server covers
    (not JupyterHandler subclasses) while ``ServerApp.allow_unauthenticated_access`` is
    False: those routes stay open to anyone, whatever that setting says.
    """


_HTTP_METHODS = ("get", "head", "post", "put", "patch", "delete", "options")


def unguarded_routes(routes: Iterable[Any]) -> list[str]:
    """``"<METHOD> of <Class> at <pattern>"`` for every method of these routes that no
    authentication check of ours covers: handlers not derived from JupyterHandler (and
    not marked ``allow_unauthenticated = True`` as meant to be open).

    A route is a tuple ``(pattern, handler_class, ...)`` or a tornado URLSpec/Rule.
    """
    from tornado.web import RequestHandler

    from ._base_handlers import JupyterHandler

    found = []
    for route in routes:
        if isinstance(route, (tuple, list)):
            pattern, handler = (route[0], route[1]) if len(route) > 1 else (route[0], None)
        else:
            handler = getattr(route, "handler_class", None) or getattr(route, "target", None)
            regex = getattr(route, "regex", None) or getattr(getattr(route, "matcher", None), "regex", None)
            pattern = getattr(regex, "pattern", str(route))
        if not (isinstance(handler, type) and issubclass(handler, RequestHandler)):
            continue  # a nested router or a callable: nothing to say about it
        if issubclass(handler, JupyterHandler) or getattr(handler, "allow_unauthenticated", False):
            continue  # checked by us, or declared open on purpose
        found += [f"{m.upper()} of {handler.__name__} at {str(pattern).rstrip('$')}"
                  for m in _HTTP_METHODS if getattr(handler, m) is not getattr(RequestHandler, m)]
    return found


def warn_unguarded_routes(routes: Iterable[Any]) -> None:
    """Give one JupyterServerAuthWarning naming the extension routes anyone can reach."""
    unguarded = unguarded_routes(routes)
    if unguarded:
        warnings.warn(
            "These extension routes answer without checking who asks (their handlers do not "
            "derive from JupyterHandler, so allow_unauthenticated_access=False cannot cover "
            "them): " + "; ".join(unguarded),
            JupyterServerAuthWarning,
            stacklevel=3,
        )
