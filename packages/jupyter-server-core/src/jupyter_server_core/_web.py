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
    from .auth import Authorizer, IdentityProvider

__all__ = ["ServerContext", "ServerWebApplication", "ActivityTracker"]


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
    #: The ServerApp, for the compatibility layer and extension hooks only.
    serverapp: Any = None


class ServerWebApplication(tornado.web.Application):
    """tornado's Application with the typed server context attached."""

    def __init__(
        self,
        context: ServerContext,
        handlers: list[Any] | None = None,
        **settings: Any,
    ) -> None:
        self.context = context
        super().__init__(handlers, **settings)

    def last_activity(self) -> datetime:
        """When the server last saw activity (UTC, timezone-aware), the method JupyterHub's
        single-user extension calls to report activity to the Hub."""
        return datetime.fromtimestamp(self.context.activity.last_activity(), timezone.utc)
