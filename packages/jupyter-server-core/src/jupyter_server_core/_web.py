"""The tornado Application of the server and the context every handler reads."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import tornado.web

if TYPE_CHECKING:
    from .auth import Authorizer, IdentityProvider, LoginThrottle

__all__ = ["BUILTIN_ROUTE_OWNERS", "ServerContext", "ServerWebApplication", "ActivityTracker"]


class ActivityTracker:
    """Remembers when the server last saw activity, by kind (api, kernels, terminals...).

    ``/api/status`` reports the latest; idle shutdown and cullers read it.
    """

    def __init__(self) -> None:
        self.started = time.time()
        self._last: dict[str, float] = {}

    def touch(self, kind: str = "api") -> None:
        self._last[kind] = time.time()

    def last_activity(self) -> float:
        return max(self._last.values(), default=self.started)

    def last(self, kind: str) -> float | None:
        return self._last.get(kind)


@dataclass
class ServerContext:
    """What every handler of the server needs, whatever extension it belongs to.

    Built once by the ServerApp and reachable from any handler as
    ``self.application.context`` (see :class:`ServerWebApplication`).
    """

    base_url: str
    identity_provider: IdentityProvider
    authorizer: Authorizer
    log: logging.Logger
    allow_origin: str = ""
    allow_origin_pat: re.Pattern[str] | None = None
    allow_credentials: bool = False
    allow_remote_access: bool = False
    local_hostnames: list[str] = field(default_factory=lambda: ["localhost"])
    disable_check_xsrf: bool = False
    allow_unauthenticated_access: bool = True
    login_url: str = "/login"
    version: str = ""
    activity: ActivityTracker = field(default_factory=ActivityTracker)
    extra_log_scrub_param_keys: list[str] = field(default_factory=list)
    #: Slows password guessing at the login form; None turns that off.
    login_throttle: LoginThrottle | None = None
    #: The ServerApp, for the compatibility layer and extension hooks only.
    serverapp: Any = None


#: The wheels whose routes are the server's own: any other extension's routes win over them.
# What jupyter_server 2.x served itself, so any extension may replace it. Terminals were an
# extension of their own there (jupyter_server_terminals), ordered like every extension:
# loaded before the frontends, their WebSocket route stays ahead of a page route such as
# Notebook 7's `/terminals/(.*)`.
BUILTIN_ROUTE_OWNERS = frozenset({"jupyter_server_core", "jupyter_server_contents", "jupyter_server_nbconvert"})


class ServerWebApplication(tornado.web.Application):
    """tornado's Application with the typed server context attached.

    Route precedence, the one rule (docs/architecture.md): an extension's routes win over the
    server's own (the core's and those of the wheels in BUILTIN_ROUTE_OWNERS); between two
    other extensions, the one loaded first wins, as in jupyter_server 2.x.
    """

    def __init__(
        self,
        context: ServerContext,
        handlers: list[Any] | None = None,
        **settings: Any,
    ) -> None:
        self.context = context
        #: True while a built-in wheel adds its routes (set by the ExtensionManager).
        self.adding_builtin_routes = False
        self._extension_groups = 0
        super().__init__(handlers, **settings)

    def add_handlers(self, host_pattern: str, host_handlers: Any) -> None:
        """Add a group of routes; tornado asks the groups in order and the first match answers.

        tornado puts each new group after the earlier ones (before the constructor's routes).
        A built-in wheel's group stays there; an extension's moves ahead of every built-in
        group, after the extensions' groups added before it.
        """
        super().add_handlers(host_pattern, host_handlers)
        if not self.adding_builtin_routes:
            if not self.context.allow_unauthenticated_access:
                from ._warnings import warn_unguarded_routes

                warn_unguarded_routes(host_handlers)
            rules = self.default_router.rules
            rules.insert(self._extension_groups, rules.pop(-2))
            self._extension_groups += 1

    def last_activity(self) -> datetime:
        """When the server last saw activity (UTC, timezone-aware), the method JupyterHub's
        single-user extension calls to report activity to the Hub."""
        return datetime.fromtimestamp(self.context.activity.last_activity(), timezone.utc)
