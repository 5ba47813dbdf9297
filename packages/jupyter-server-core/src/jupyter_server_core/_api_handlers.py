"""``/api``, ``/api/status``, ``/api/me``, ``/api/spec.yaml``, ``/api/resolvePath``,
``/api/security/csp-report`` and ``/api/shutdown``."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from tornado import web

from ._apispec import ApiSpec
from ._base_handlers import CSP_REPORT_PATH, APIHandler, JupyterHandler, json_default
from ._urls import url_path_join
from ._web import ActivityTracker

if TYPE_CHECKING:
    from ._serverapp import ServerApp

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
        self.finish(json.dumps(self.spec.document(self.base_url), indent=1, default=json_default))


class PathResolverHandler(APIHandler):
    """``GET /api/resolvePath?path=<p>[&kernel=<id>]``: what a path printed by a kernel names.

    JupyterLab asks this to turn a path in a traceback or a link into a file it can open.
    Each scope that knows the path answers: ``server`` (the contents manager, an API path)
    and ``kernel`` (the kernel's provisioner, an absolute path in the kernel's file system).
    An unknown kernel is listed under ``unresolved`` rather than failing the request.
    """

    auth_resource = "api"
    tracks_activity = False

    def initialize(self, kernel_manager: Any, contents_manager: Callable[[], Any]) -> None:
        self.kernel_manager = kernel_manager
        # Looked up per request: the contents extension loads after these routes exist.
        self.contents_manager = contents_manager

    async def get(self) -> None:
        path = self.get_query_argument("path")
        kernel_id = self.get_query_argument("kernel", None)
        scopes: dict[str, Any] = {"server": self.contents_manager()}
        unresolved: list[dict[str, str]] = []
        if kernel_id:
            try:
                scopes["kernel"] = self.kernel_manager.get_kernel(kernel_id)
            except (KeyError, web.HTTPError):
                unresolved.append({"scope": "kernel", "reason": f"Kernel {kernel_id} could not be found"})
        resolved = []
        for scope, owner in scopes.items():
            resolve = getattr(owner, "resolve_path", None)
            if resolve is None:
                continue
            found = resolve(path)
            if inspect.isawaitable(found):
                found = await found
            if found is not None:
                resolved.append({"scope": scope, "path": found})
        answer: dict[str, Any] = {"resolved": resolved}
        if unresolved:
            answer["unresolved"] = unresolved
        self.write_json(answer)


class CSPReportHandler(APIHandler):
    """``POST /api/security/csp-report``: a browser's report of a blocked resource, logged.

    Every page's Content-Security-Policy names this URL as its ``report-uri``. Browsers
    send reports with the login cookie but without the XSRF token or a matching Origin,
    so neither is asked for; the report only reaches the log.
    """

    auth_resource = "csp"
    tracks_activity = False
    _LOGGED_BYTES = 4000

    def check_origin(self, origin: str | None = None) -> bool:
        return True

    def check_xsrf_cookie(self) -> None:
        return

    def post(self) -> None:
        report = self.request.body[: self._LOGGED_BYTES].decode("utf-8", "replace")
        self.log.warning("The browser reported a Content-Security-Policy violation: %s", report)
        self.finish()


class ShutdownHandler(JupyterHandler):
    """``POST /api/shutdown``: stop the whole server, as SIGTERM does (File > Shut Down).

    The 200 (empty, as jupyter_server answers it) goes out first; then the server stops its
    extensions (terminals end there), shuts down every kernel and exits.
    """

    auth_resource = "server"

    def initialize(self, request_stop: Callable[[], None]) -> None:
        self.request_stop = request_stop

    async def post(self) -> None:
        self.log.info("Shutting down the server at the request of %s.",
                      getattr(self.current_user, "username", "a user"))
        await self.finish()
        self.request_stop()


def api_routes(serverapp: ServerApp) -> list[Any]:
    base = serverapp.base_url
    return [
        (url_path_join(base, "/api"), APIVersionHandler),
        (url_path_join(base, "/api/status"), APIStatusHandler,
         {"activity": serverapp.activity, "kernel_manager": serverapp.kernel_manager}),
        (url_path_join(base, "/api/me"), IdentityHandler),
        (url_path_join(base, "/api/spec.yaml"), APISpecHandler, {"spec": serverapp.api_spec}),
        (url_path_join(base, "/api/resolvePath"), PathResolverHandler,
         {"kernel_manager": serverapp.kernel_manager,
          "contents_manager": lambda: getattr(serverapp, "contents_manager", None)}),
        (url_path_join(base, CSP_REPORT_PATH), CSPReportHandler),
        (url_path_join(base, "/api/shutdown"), ShutdownHandler, {"request_stop": serverapp.request_stop}),
    ]
