"""``jupyter <name>``: configure and start a server with an ExtensionApp loaded.

The server parses the command line with the app's aliases and flags added to its own, reads
its config files, loads the app (and the other enabled extensions unless the app says
``load_other_extensions = False``), makes ``/`` redirect to the app's ``default_url`` and
opens the browser there when ``open_browser`` is set.
"""

from __future__ import annotations

import sys
from typing import Any

from jupyter_core.application import JupyterApp
from jupyter_server_core import ServerApp, url_path_join
from tornado import web
from traitlets.config import Config

__all__ = ["initialize_server", "launch_extension_app", "serverapp_for"]

# Options the app answers itself, without starting a server. (--show-config goes through
# the server: the config it prints is the server's, merged with every app's config files.)
_OWN_OPTIONS = {"-h", "--help", "--help-all", "--version", "--generate-config"}


class RedirectToDefault(web.RequestHandler):
    """``/`` of a server launched as ``jupyter <name>``: to the app's default URL, query kept."""

    allow_unauthenticated = True  # only a redirect: the page it leads to checks the user

    def initialize(self, url: str) -> None:
        self.url = url

    def get(self) -> None:
        query = self.request.query
        self.redirect(self.url + (f"?{query}" if query else ""))


def serverapp_for(cls: Any, serverapp: Any) -> Any:
    """The instance of ``cls`` the extension manager linked, or a new one linked now."""
    manager = getattr(serverapp, "extension_manager", None)
    point = manager.extension_points.get(cls.name) if manager is not None else None
    if point is not None and isinstance(point.app, cls):
        return point.app
    app = cls()
    app._link_jupyter_server_extension(serverapp)
    return app


def initialize_server(cls: Any, argv: list[str] | None, load_other_extensions: bool = True, **kwargs: Any) -> Any:
    """A ServerApp configured and initialized with ``cls`` loaded, ready to start."""
    package = cls.get_extension_package()
    config = Config({"ServerApp": dict(cls.serverapp_config)})
    given = kwargs.pop("config", None)
    if given is not None:  # the caller's config, over the app's serverapp_config
        config.merge(Config(given))
    enabled = dict(config.ServerApp.get("jpserver_extensions", {}))
    config.ServerApp.jpserver_extensions = {**enabled, package: True}
    serverapp = ServerApp.instance(config=config, **kwargs)
    serverapp.aliases = {**ServerApp.aliases, **cls.aliases}
    serverapp.flags = {**ServerApp.flags, **cls.flags}
    serverapp.initialize(argv or [], find_extensions=load_other_extensions, starter_extension=package)
    if serverapp.subapp is not None or serverapp.show_config or serverapp.show_config_json:
        return serverapp  # `jupyter <name> list` (the server's subcommand), or --show-config
    point = serverapp.extension_manager.extension_points.get(cls.name)
    if point is None or not point.loaded:
        raise SystemExit(f"{cls.name} could not be loaded: see the messages above")
    app = point.app
    explicit = serverapp.config.get("ServerApp", {})
    if "default_url" not in explicit:
        serverapp.default_url = app.default_url
    # The app's own open_browser setting wins; else the server's, else the app's default.
    if "open_browser" in app.config.get(cls.__name__, {}) or "open_browser" not in explicit:
        serverapp.open_browser = app.open_browser
    if app.file_url_prefix and "file_url_prefix" not in explicit:
        serverapp.file_url_prefix = app.file_url_prefix
    target = url_path_join(serverapp.base_url, serverapp.default_url)
    serverapp.web_app.add_handlers(".*$", [(url_path_join(serverapp.base_url, "/?"), RedirectToDefault, {"url": target})])
    return serverapp


def launch_extension_app(cls: Any, argv: list[str] | None = None, **kwargs: Any) -> None:
    """Run ``jupyter <name> [args]``: help, version and subcommands as any Jupyter app,
    anything else starts the server with the app."""
    args = sys.argv[1:] if argv is None else list(argv)
    subcommands = cls.subcommands if isinstance(cls.subcommands, dict) else {}  # else the trait itself
    if any(a.split("=")[0] in _OWN_OPTIONS for a in args) or (args and args[0] in subcommands):
        JupyterApp.launch_instance.__func__(cls, args, **kwargs)  # type: ignore[attr-defined]
        return
    serverapp = initialize_server(cls, args, cls.load_other_extensions, **kwargs)
    try:
        serverapp.start()
    except KeyboardInterrupt:
        sys.exit(1)
