"""``/api``, ``/api/status``, ``/api/me`` and ``/api/spec.yaml``."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from tornado import web

from ._apispec import ApiSpec
from ._base_handlers import APIHandler, json_default
from ._urls import url_path_join
from ._web import ActivityTracker

__all__ = ["api_routes"]



def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


class APIVersionHandler(APIHandler):
    """``GET /api``: the server version. Open to all, as jupyter_server has it."""

    allow_unauthenticated = True

    def get(self) -> None:
        self.write_json({"version": self.context.version})


class APIStatusHandler(APIHandler):
    """``GET /api/status``: start time, last activity, kernels and their connections."""

    auth_resource = "api"
    # Monitors poll this; their polls must not look like a user's activity.
    tracks_activity = False

    def initialize(self, activity: ActivityTracker, kernel_manager: Any) -> None:
        self.activity = activity
        self.kernel_manager = kernel_manager

    def get(self) -> None:
        km = self.kernel_manager
        kernels = len(km.list_kernel_ids()) if km is not None else 0
        counter = getattr(km, "connection_count", None)
        connections = counter() if callable(counter) else 0
        self.write_json(
            {
                "started": _iso(self.activity.started),
                "last_activity": _iso(self.activity.last_activity()),
                "kernels": kernels,
                "connections": connections,
            }
        )


class IdentityHandler(APIHandler):
    """``GET /api/me``: who you are and, on request, what you may do.

    ``?permissions={"contents": ["read", "write"]}`` asks about those actions; the answer
    lists the allowed ones per resource.
    """

    async def get(self) -> None:
        user = self.current_user
        assert user is not None
        raw = self.get_argument("permissions", "")
        asked: dict[str, list[str]] = {}
        if raw:
            try:
                asked = json.loads(raw)
            except ValueError as exc:
                raise web.HTTPError(400, f"permissions should be a JSON dict of {{resource: [actions]}}, got {raw!r}: {exc}") from None
            if not isinstance(asked, dict) or not all(
                isinstance(k, str) and isinstance(v, list) and all(isinstance(a, str) for a in v)
                for k, v in asked.items()
            ):
                raise web.HTTPError(400, f"permissions should be a JSON dict of {{resource: [actions]}}, got {raw!r}")
        permissions: dict[str, list[str]] = {}
        for resource, actions in asked.items():
            allowed = []
            for action in actions:
                # Unknown actions go to the authorizer too, as jupyter_server does: a custom
                # authorizer may know more actions than read/write/execute.
                if await self.authorize(action, resource):  # type: ignore[arg-type]
                    allowed.append(action)
            permissions[resource] = allowed
        # jupyter_server 2.x lists the fields PATCH accepts here too; frontends read it.
        permissions["updatable_fields"] = list(self.identity_provider.updatable_fields)
        self.write_json({"identity": user.to_model(), "permissions": permissions})

    def patch(self) -> None:
        """Change the caller's own display fields: ``{"display_name": "Ada", "color": "#f00"}``."""
        user = self.current_user
        assert user is not None
        changes = self.get_json_body()
        if not isinstance(changes, dict) or not changes:
            raise web.HTTPError(400, "Invalid or missing JSON body: send an object of identity fields")
        allowed = self.identity_provider.updatable_fields
        for key, value in changes.items():
            if key not in allowed:
                raise web.HTTPError(400, f"Field {key} is not updatable (updatable: {', '.join(allowed)})")
            if value is not None and not isinstance(value, str):
                raise web.HTTPError(400, f"Field {key} must be a string or null, not {type(value).__name__}")
        try:
            updated = self.identity_provider.update_user(self, user, changes)
        except NotImplementedError as exc:
            raise web.HTTPError(501, str(exc)) from None
        self._current_user = updated
        self.write_json({"status": "success", "identity": updated.to_model()})


class APISpecHandler(APIHandler):
    """``GET /api/spec.yaml``: the OpenAPI document of what this server serves now."""

    auth_resource = "api"

    def initialize(self, spec: ApiSpec) -> None:
        self.spec = spec

    def get(self) -> None:
        self.set_header("Content-Type", "text/x-yaml")
        # JSON is YAML: no YAML library needed to serve a valid document.
        self.finish(json.dumps(self.spec.document(), indent=1, default=json_default))


def api_routes(serverapp: Any) -> list[Any]:
    base = serverapp.base_url
    return [
        (url_path_join(base, "/api/?"), APIVersionHandler),
        (url_path_join(base, "/api/status"), APIStatusHandler,
         {"activity": serverapp.activity, "kernel_manager": serverapp.kernel_manager}),
        (url_path_join(base, "/api/me"), IdentityHandler),
        (url_path_join(base, "/api/spec.yaml"), APISpecHandler, {"spec": serverapp.api_spec}),
    ]
