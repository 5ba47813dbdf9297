"""Handler mixins for the handlers of an ExtensionApp.

Put the mixins before the base handler::

    class PageHandler(ExtensionHandlerJinjaMixin, ExtensionHandlerMixin, JupyterHandler): ...
    class ApiHandler(ExtensionHandlerMixin, APIHandler): ...

ExtensionApp passes ``name`` (the app's name) to every handler that derives from
:class:`ExtensionHandlerMixin` through the route, so the handler finds its app, its config
and its static files.
"""

from __future__ import annotations

from typing import Any

from jupyter_server_core import url_path_join
from tornado import web

from ._static import ExtensionStaticHandler

__all__ = ["ExtensionHandlerJinjaMixin", "ExtensionHandlerMixin"]


class ExtensionHandlerMixin:
    """Gives a handler its extension: ``extensionapp``, ``config``, ``server_config``,
    ``static_url_prefix``, ``static_path`` and a ``static_url()`` under ``/static/<name>/``."""

    name: str
    settings: dict[str, Any]
    request: Any

    def initialize(self, name: str, *args: Any, **kwargs: Any) -> None:
        """Receives ``name`` from the route; other route kwargs go to the next initialize()."""
        self.name = name
        try:
            super().initialize(*args, **kwargs)  # type: ignore[misc]
        except TypeError:
            pass

    @property
    def extensionapp(self) -> Any:
        """The ExtensionApp instance this handler belongs to."""
        manager = getattr(self.serverapp, "extension_manager", None)  # type: ignore[attr-defined]
        point = manager.extension_points.get(self.name) if manager is not None else None
        if point is not None and point.app is not None:
            return point.app
        return self.settings.get(self.name)

    @property
    def extension_config(self) -> Any:
        """The app's own trait values (``settings["<name>_config"]``)."""
        return self.settings.get(f"{self.name}_config", {})

    @property
    def config(self) -> Any:
        return self.extension_config

    @property
    def server_config(self) -> Any:
        """The whole server's config (every section)."""
        return self.serverapp.config  # type: ignore[attr-defined]

    @property
    def static_url_prefix(self) -> str:
        return str(self.extensionapp.static_url_prefix)

    @property
    def static_path(self) -> list[str]:
        return list(self.settings.get(f"{self.name}_static_paths", []))

    def static_url(self, path: str, include_host: bool | None = None, **kwargs: Any) -> str:
        """URL of one of this extension's static files, with ``?v=<hash>`` for caching."""
        if not self.static_path:
            raise ValueError(f"The extension {self.name!r} has no static_paths: it serves no static files")
        settings = {"static_path": self.static_path, "static_url_prefix": self.static_url_prefix}
        get_url = self.settings.get("static_handler_class", ExtensionStaticHandler).make_static_url
        if include_host is None:
            include_host = getattr(self, "include_host", False)
        base = f"{self.request.protocol}://{self.request.host}" if include_host else ""
        return base + str(get_url(settings, path, **kwargs))


class ExtensionHandlerJinjaMixin:
    """Renders the app's Jinja templates (``template_paths``, ``settings["<name>_jinja2_env"]``)."""

    name: str
    settings: dict[str, Any]

    def get_template(self, name: str) -> Any:
        env = self.settings.get(f"{self.name}_jinja2_env")
        if env is None:
            raise web.HTTPError(500, f"The extension {self.name!r} has no Jinja environment: derive its app from ExtensionAppJinjaMixin")
        return env.get_template(name)

    @property
    def template_namespace(self) -> dict[str, Any]:
        """Variables every template sees; ``ServerApp.jinja_template_vars`` are added."""
        handler: Any = self
        namespace: dict[str, Any] = {
            "base_url": handler.base_url,
            "default_url": url_path_join(handler.base_url, handler.serverapp.default_url),
            "static_url": handler.static_url,
            "xsrf_form_html": handler.xsrf_form_html,
            "xsrf_token": handler.xsrf_token.decode("utf8"),
            "logged_in": handler.current_user is not None,
            "current_user": handler.current_user,
        }
        namespace.update(self.settings.get("jinja_template_vars", {}))
        return namespace

    def render_template(self, name: str, **ns: Any) -> str:
        """Render template ``name`` with the template namespace and ``ns``."""
        namespace = self.template_namespace
        namespace.update(ns)
        return str(self.get_template(name).render(**namespace))
