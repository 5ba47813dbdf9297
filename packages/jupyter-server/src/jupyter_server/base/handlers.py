"""``jupyter_server.base.handlers``: the handler base classes extensions derive from.

:class:`JupyterHandler` and :class:`APIHandler` are the core's classes with the attributes
jupyter_server 2.x handlers also offered (``contents_manager``, ``kernel_manager``,
``token``, ``render_template``, ``static_url_prefix``, ...), all read from the server, so a
handler written for jupyter_server 2.x runs unchanged. Authentication, host and origin
checks, XSRF and JSON errors are the core's (see jupyter_server_core._base_handlers).
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Callable
from typing import Any, TypeVar

import jupyter_server_core
from jupyter_core.utils import ensure_async
from jupyter_server_core import url_escape, url_path_join
from jupyter_server_extensionapp import ExtensionStaticHandler
from tornado import web

__all__ = [
    "APIHandler",
    "APIVersionHandler",
    "AuthenticatedFileHandler",
    "AuthenticatedHandler",
    "FilesRedirectHandler",
    "RedirectWithParams",
    "FileFindHandler",
    "JupyterHandler",
    "filename_regex",
    "json_errors",
    "path_regex",
]

F = TypeVar("F", bound=Callable[..., Any])

#: A URL path capture group named ``path``: ``""``, ``/`` or ``/a/b``.
path_regex = r"(?P<path>(?:(?:/[^/]+)+|/?))"
#: One path segment named ``filename``.
filename_regex = r"(?P<filename>[^/]+)"


def json_errors(method: F) -> F:
    """Kept for extensions that still decorate with it: APIHandler already answers every
    error as ``{"message", "reason"}`` JSON, so the method is returned as it is."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        return method(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


class JupyterHandler(jupyter_server_core.JupyterHandler):
    """The core's page handler with jupyter_server 2.x's attributes.

    Services come from the ServerApp (``self.serverapp``), as the core hands them to
    extensions; tornado settings an extension sets (``mathjax_url``, ``jinja2_env``, ...)
    are read from ``self.settings``.
    """

    @property
    def allow_unauthenticated(self) -> bool:  # type: ignore[override]
        """Whether the method answering this request is marked ``@allow_unauthenticated``
        (jupyter_server.auth.decorator); a subclass may still set the class attribute."""
        method = getattr(self, (self.request.method or "GET").lower(), None)
        return bool(getattr(method, "_jupyter_allow_unauthenticated", False))

    # -- the server's services -------------------------------------------------------

    @property
    def config(self) -> Any:
        """The server's whole config (every section)."""
        return self.serverapp.config

    @property
    def contents_manager(self) -> Any:
        return self.serverapp.contents_manager

    @property
    def kernel_manager(self) -> Any:
        return self.serverapp.kernel_manager

    @property
    def kernel_spec_manager(self) -> Any:
        return self.serverapp.kernel_spec_manager

    @property
    def session_manager(self) -> Any:
        return self.serverapp.session_manager

    @property
    def config_manager(self) -> Any:
        return self.serverapp.config_manager

    @property
    def terminal_manager(self) -> Any:
        return getattr(self.serverapp, "terminal_manager", None)

    @property
    def event_logger(self) -> Any:
        return self.serverapp.event_logger

    # -- identity ------------------------------------------------------------------

    @property
    def token(self) -> str:
        """The server's token (empty when it has none)."""
        return str(getattr(self.identity_provider, "token", "") or "")

    @property
    def login_available(self) -> bool:
        return bool(getattr(self.identity_provider, "login_available", True))

    @property
    def logged_in(self) -> bool:
        return self.current_user is not None

    # -- URLs and page settings ----------------------------------------------------------

    @property
    def default_url(self) -> str:
        return str(self.settings.get("default_url") or self.serverapp.default_url)

    @property
    def static_url_prefix(self) -> str:
        return str(self.settings.get("static_url_prefix") or url_path_join(self.base_url, "static") + "/")

    @property
    def ws_url(self) -> str:
        return str(self.settings.get("websocket_url", ""))

    @property
    def version_hash(self) -> str:
        return str(self.settings.get("version_hash", ""))

    @property
    def mathjax_url(self) -> str:
        """``settings["mathjax_url"]`` under the base URL when relative; empty when unset."""
        url = str(self.settings.get("mathjax_url", "") or "")
        if not url or url.startswith(("http:", "https:", "/")) or "://" in url:
            return url
        return url_path_join(self.base_url, url)

    @property
    def mathjax_config(self) -> str:
        return str(self.settings.get("mathjax_config", "TeX-AMS-MML_HTMLorMML-full,Safe"))

    @property
    def jinja_template_vars(self) -> dict[str, Any]:
        return dict(self.settings.get("jinja_template_vars", {}))

    # -- templates ------------------------------------------------------------------

    def get_template(self, name: str) -> Any:
        """Template ``name`` from ``settings["jinja2_env"]`` (extensions set their own)."""
        env = self.settings.get("jinja2_env")
        if env is None:
            raise web.HTTPError(500, f"No Jinja environment to render {name!r}")
        return env.get_template(name)

    @property
    def template_namespace(self) -> dict[str, Any]:
        namespace: dict[str, Any] = {
            "base_url": self.base_url,
            "default_url": self.default_url,
            "ws_url": self.ws_url,
            "logged_in": self.logged_in,
            "login_available": self.login_available,
            "token_available": bool(self.token),
            "static_url": self.static_url,
            "version_hash": self.version_hash,
            "xsrf_form_html": self.xsrf_form_html,
            "token": self.token,
            "xsrf_token": self.xsrf_token.decode("utf8"),
        }
        namespace.update(self.jinja_template_vars)
        return namespace

    def render_template(self, name: str, **ns: Any) -> str:
        namespace = self.template_namespace
        namespace.update(ns)
        return str(self.get_template(name).render(**namespace))

    # -- JSON -------------------------------------------------------------------------

    def get_json_body(self) -> Any:
        """The request body parsed as JSON; None when empty; a 400 when not JSON."""
        return jupyter_server_core.APIHandler.get_json_body(self)  # type: ignore[arg-type]


class APIHandler(JupyterHandler, jupyter_server_core.APIHandler):
    """The core's JSON API handler (JSON errors, no caching, CORS preflight) with the
    attributes of :class:`JupyterHandler`."""

    def update_api_activity(self) -> None:
        """Count this request as API activity (for ``/api/status`` and idle shutdown)."""
        if self.tracks_activity:
            self.context.activity.touch("api")


class FileFindHandler(JupyterHandler, ExtensionStaticHandler):
    """Static files found in a list of folders (the first that has the file wins).

    Route kwargs: ``path`` (a folder or a list), ``default_filename``, ``no_cache_paths``
    (URL path prefixes answered with ``Cache-Control: no-cache``) and
    ``follow_dir_symlinks`` (serve through symlinks that point outside ``path``, as
    ``jupyter labextension develop`` links need). URL prefixes in
    ``settings["static_immutable_cache"]`` are cached for a year.
    """

    follow_dir_symlinks: bool = False
    #: Static assets of installed packages: as the extensions' own static files, served to
    #: anyone (the pages that use them ask for a login).
    allow_unauthenticated = True

    def initialize(  # type: ignore[override]
        self,
        path: str | list[str],
        default_filename: str | None = None,
        no_cache_paths: list[str] | None = None,
        follow_dir_symlinks: bool = False,
        **kwargs: Any,
    ) -> None:
        ExtensionStaticHandler.initialize(self, path, default_filename)
        self.no_cache_paths = list(no_cache_paths or [])
        self.follow_dir_symlinks = follow_dir_symlinks
        self.allowed_symlink_directory = os.sep if follow_dir_symlinks else None

    @classmethod
    def get_content_version(cls, abspath: str) -> str:
        """The file's hash for ``?v=`` and ETags, read from the file itself.

        tornado's default goes through ``cls.get_content``; subclasses such as
        jupyterlab_server's ThemesHandler redefine ``get_content`` as an instance method,
        which fails when called on the class (every theme CSS request logged an error).
        """
        digest = hashlib.sha512()
        with open(abspath, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 16), b""):
                digest.update(chunk)
        return digest.hexdigest()

    def _path_in(self, prefixes: list[str]) -> bool:
        path = self.request.path
        return any(path.startswith(prefix) for prefix in prefixes)

    def set_headers(self) -> None:
        super().set_headers()
        if self._path_in(self.no_cache_paths) and not self.get_argument("v", ""):
            self.set_header("Cache-Control", "no-cache")

    def get_cache_time(self, path: str, modified: Any, mime_type: str) -> int:
        if self._path_in(list(self.settings.get("static_immutable_cache", []))):
            return self.CACHE_MAX_AGE
        if self._path_in(self.no_cache_paths):
            return 0
        return super().get_cache_time(path, modified, mime_type)

    def set_extra_headers(self, path: str) -> None:
        if self._path_in(list(self.settings.get("static_immutable_cache", []))):
            self.set_header("Cache-Control", "public, max-age=31536000, immutable")


#: jupyter_server 2.x's name of the authenticated page-handler base (the same class here).
AuthenticatedHandler = JupyterHandler


class APIVersionHandler(APIHandler):
    """``GET /api``: the server version, open to all (as the core's own route)."""

    allow_unauthenticated = True

    def get(self) -> None:
        self.finish({"version": jupyter_server_core.__version__})


class AuthenticatedFileHandler(JupyterHandler, web.StaticFileHandler):
    """Static files from a folder (route kwarg ``path``), for logged-in users only."""

    @web.authenticated
    def head(self, path: str) -> Any:  # type: ignore[override]
        return self.get(path, include_body=False)

    @web.authenticated
    def get(self, path: str, include_body: bool = True) -> Any:  # type: ignore[override]
        if self.get_query_argument("download", "") not in ("", "0"):  # ?download=1: save, not show
            from jupyter_server_contents._files_handler import content_disposition

            self.set_header("Content-Disposition", content_disposition(path.rsplit("/", 1)[-1]))
        return web.StaticFileHandler.get(self, path, include_body)

    def compute_etag(self) -> str | None:
        return None

    def validate_absolute_path(self, root: str, absolute_path: str) -> str | None:
        """Hidden files are refused unless the contents manager allows them."""
        checked = web.StaticFileHandler.validate_absolute_path(self, root, absolute_path)
        manager = self.settings.get("contents_manager")
        if checked and manager is not None and not getattr(manager, "allow_hidden", True):
            relative = os.path.relpath(checked, root)
            if any(part.startswith(".") for part in relative.split(os.sep)):
                raise web.HTTPError(404)
        return checked


class FilesRedirectHandler(JupyterHandler):
    """``/tree/<path>`` of a file (not a folder): redirect to ``/files/<path>``."""

    @web.authenticated
    async def get(self, path: str = "") -> None:
        path = path.strip("/")
        manager = self.contents_manager
        if manager is None or not await ensure_async(manager.file_exists(path)):
            raise web.HTTPError(404, f"File does not exist: {path}")
        self.redirect(url_path_join(self.base_url, "files", url_escape(path)))


class RedirectWithParams(web.RequestHandler):
    """A permanent redirect to the route kwarg ``url``, keeping the query string."""

    def initialize(self, url: str, permanent: bool = True) -> None:
        self._url, self._permanent = url, permanent

    def get(self) -> None:
        query = self.request.query
        self.redirect(f"{self._url}?{query}" if query else self._url, permanent=self._permanent)
