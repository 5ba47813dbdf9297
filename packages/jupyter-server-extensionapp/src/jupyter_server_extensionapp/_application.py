"""ExtensionApp: a server extension that is also a ``jupyter <name>`` application.

A subclass names itself, says where its pages, templates and static files are, and fills
in hooks; the package lists it as a point::

    def _jupyter_server_extension_points():
        return [{"module": "my_ext", "app": MyApp}]

Loaded by a running server, the core's extension manager instantiates ``MyApp`` and calls
its ``_link_jupyter_server_extension`` (read ``jupyter_<name>_config.py|json|.d``, then the
server's config, and hand the result to the server) and ``_load_jupyter_server_extension``
(settings, templates, handlers, static files). Launched as ``jupyter <name>`` (``main = MyApp.launch_instance``), it first
configures and starts a server with itself loaded (see :mod:`._launch`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any, ClassVar

from jupyter_core.application import JupyterApp
from jupyter_server_core import ServerApp, url_path_join
from traitlets import Any as AnyTrait
from traitlets import Bool, Dict, List, Unicode, default, observe
from traitlets.config import Config

from ._config_files import conf_d_configs
from ._handler import ExtensionHandlerMixin
from ._launch import initialize_server, launch_extension_app, serverapp_for
from ._static import ExtensionStaticHandler

__all__ = ["ExtensionApp"]


class ExtensionApp(JupyterApp):
    """Base class of configurable server extension applications.

    Class attributes to set: ``name``, ``extension_url`` (its landing page, relative to
    the base URL), ``load_other_extensions`` (load the other enabled extensions when
    launched directly), ``serverapp_config`` (ServerApp traits to use when launched).
    Hooks to override: :meth:`initialize_settings`, :meth:`initialize_handlers`,
    :meth:`initialize_templates`, :meth:`start_extension`, :meth:`stop_extension`.
    """

    name = "ExtensionApp"
    description = "A Jupyter Server extension application."
    extension_url: ClassVar[str] = "/"
    load_other_extensions: ClassVar[bool] = True
    serverapp_config: ClassVar[dict[str, Any]] = {}
    classes: ClassVar[list[Any]] = [ServerApp]  # type: ignore[misc]
    # The server's options are the app's options: `jupyter <name> --port=9999` (when
    # launched, the server also keeps its aliases to its other classes, such as --transport).
    aliases = {
        k: v for k, v in ServerApp.aliases.items() if str(v).split(".")[0] in ("ServerApp", "Application", "JupyterApp")
    }
    flags = dict(ServerApp.flags)

    open_browser = Bool(True, help="Whether to open the browser at the default URL when launched directly.").tag(config=True)
    default_url = Unicode(help="The URL the server's / redirects to when this app is launched directly; default: extension_url.").tag(config=True)
    file_url_prefix = Unicode("", help="The URL prefix where this app opens files directly, if it does.").tag(config=True)
    static_url_prefix = Unicode(help="The URL under which this app's static files are served; default: <base_url>static/<name>/.").tag(config=True)
    static_paths = List(Unicode(), help="Folders searched, in order, for the static files served under static_url_prefix.").tag(config=True)
    template_paths = List(Unicode(), help="Folders searched, in order, for this app's templates.").tag(config=True)
    settings = Dict(help="Settings this app adds to the tornado web application (initialize_settings fills it).")
    handlers: List[Any] = List(help="Routes this app adds, relative to the base URL: (pattern, handler[, kwargs[, name]]).")
    serverapp = AnyTrait(
        allow_none=True,
        help="The ServerApp this app is linked to; before linking, the running server or a blank one.",
    )
    extension_config = AnyTrait(help="This app's own trait values, as settings['<name>_config'] gives handlers.")

    #: Whether a server was given (linked by the extension manager, or passed in): only
    #: then does initialize() set up handlers and start() run that server.
    _has_server: bool = False

    @default("serverapp")
    def _serverapp_default(self) -> Any:
        # Created on its own (a tool that only wants this app's config, say): lend it the
        # server already configured in this process, else a blank one that never runs.
        if ServerApp.initialized():
            return ServerApp.instance()
        return ServerApp()

    @observe("serverapp")
    def _serverapp_given(self, change: Any) -> None:
        self._has_server = change["new"] is not None

    @default("default_url")
    def _default_url_default(self) -> str:
        return self.extension_url

    @default("static_url_prefix")
    def _static_url_prefix_default(self) -> str:
        base = self.serverapp.base_url if self._has_server else "/"
        return url_path_join(base, "static", self.name) + "/"

    @default("config_file_name")
    def _config_file_name_default(self) -> str:
        return f"jupyter_{self.name.replace('-', '_')}_config"

    @property
    def config_file_paths(self) -> list[str]:
        """Where ``jupyter_<name>_config`` is looked for: the server's config path once linked."""
        if self._has_server:
            return list(self.serverapp.config_file_paths)
        return list(super().config_file_paths)

    @classmethod
    def _load_config_files(  # type: ignore[override]
        cls, basefilename: str, path: Any, log: Any = None, raise_config_file_errors: bool = False,
    ) -> Iterator[tuple[Any, str]]:
        """traitlets' reading of ``<basefilename>.py|json`` in each folder, with the folder's
        ``<basefilename>.d/*.json`` right after them (see :mod:`._config_files`)."""
        if isinstance(path, str) or path is None or os.path.isabs(basefilename) or basefilename == "jupyter_config":
            yield from super()._load_config_files(basefilename, path, log, raise_config_file_errors)
            return
        for folder in reversed(list(path)):  # lowest priority first: each later one wins
            yield from super()._load_config_files(basefilename, [folder], log, raise_config_file_errors)
            yield from conf_d_configs(basefilename, folder, log, raise_config_file_errors)

    @classmethod
    def get_extension_package(cls) -> str:
        """The importable package that enables this app (the top of its module path)."""
        return cls.__module__.split(".")[0]

    @classmethod
    def get_extension_point(cls) -> str:
        return cls.__module__

    # -- hooks --------------------------------------------------------------------

    def initialize_settings(self) -> None:
        """Override to add to ``self.settings`` (merged into the web app's settings)."""

    def initialize_handlers(self) -> None:
        """Override to append routes to ``self.handlers``; patterns are relative to the base URL."""

    def initialize_templates(self) -> None:
        """Override to set up templates; ExtensionAppJinjaMixin builds a Jinja environment."""

    async def start_extension(self) -> None:
        """Override to start background work once the server listens."""

    async def stop_extension(self) -> None:
        """Override to end background work; called on shutdown, in reverse load order."""

    def current_activity(self) -> list[Any] | None:
        """Override to report ongoing work (kept busy, the server does not idle-shut down)."""
        return None

    # -- the extension manager's hooks ----------------------------------------------

    def _link_jupyter_server_extension(self, serverapp: Any) -> None:
        """Read this app's config files, then the server's config (which wins), and give
        the result back to the server: every section of ``jupyter_<name>_config`` (the
        server's, its managers', other extensions') configures the whole server, while
        ``jupyter_server_config`` and the command line keep the last word."""
        self.serverapp = serverapp
        self.log = serverapp.log
        self.load_config_file()
        self.update_config(serverapp.config)
        serverapp.update_config(self.config)
        _note_loaded_files(serverapp, self.loaded_config_files)
        self._prepare_config()

    @classmethod
    def _load_jupyter_server_extension(cls, serverapp: Any) -> ExtensionApp:
        """Add this app's settings, templates, handlers and static files to the server."""
        app: ExtensionApp = serverapp_for(cls, serverapp)
        app.initialize()
        return app

    async def _start_jupyter_server_extension(self, serverapp: Any) -> None:
        await self.start_extension()

    async def _stop_jupyter_server_extension(self, serverapp: Any) -> None:
        await self.stop_extension()

    def _jupyter_server_extension_busy_count(self, serverapp: Any) -> int:
        return len(self.current_activity() or [])

    # -- preparing ----------------------------------------------------------------

    def _prepare_config(self) -> None:
        own = self.class_own_traits(config=True)
        self.extension_config = Config({name: getattr(self, name) for name in own})
        self.settings[f"{self.name}_config"] = self.extension_config

    def _prepare_templates(self) -> None:
        self.initialize_templates()
        self.settings[f"{self.name}_template_paths"] = list(self.template_paths)

    def _prepare_settings(self) -> None:
        self.settings[f"{self.name}_static_paths"] = list(self.static_paths)
        self.initialize_settings()
        self.serverapp.web_app.settings.update(self.settings)

    def _prepare_handlers(self) -> None:
        self.initialize_handlers()
        routes: list[Any] = []
        for spec in self.handlers:
            pattern, handler = url_path_join(self.serverapp.base_url, spec[0]), spec[1]
            kwargs = dict(spec[2]) if len(spec) > 2 and spec[2] else {}
            if isinstance(handler, type) and issubclass(handler, ExtensionHandlerMixin):
                kwargs.setdefault("name", self.name)
            routes.append((pattern, handler, kwargs, *spec[3:]))
        if self.static_paths:
            routes.append((url_path_join(self.static_url_prefix, "(.*)"), ExtensionStaticHandler, {"path": list(self.static_paths)}))
        self.serverapp.web_app.add_handlers(".*$", routes)

    # -- JupyterApp ---------------------------------------------------------------

    def initialize(self, argv: list[str] | None = None) -> None:
        """Linked to a server: add settings, templates and handlers to it. Alone (help,
        version, subcommands): parse ``argv`` as any Jupyter application does."""
        if not self._has_server:
            super().initialize(argv)
            return
        self._prepare_templates()
        self._prepare_settings()
        self._prepare_handlers()

    def start(self) -> None:
        """Run a subcommand, or the linked server until it is stopped."""
        super().start()
        if self.subapp is None and self._has_server:
            self.serverapp.start()

    def stop(self) -> None:
        """Ask the linked server to stop."""
        if self._has_server:
            self.serverapp.request_stop()

    @classmethod
    def launch_instance(cls, argv: list[str] | None = None, **kwargs: Any) -> None:
        """``jupyter <name>``: start a server with this app, and send the browser to it."""
        launch_extension_app(cls, argv, **kwargs)

    @classmethod
    def initialize_server(cls, argv: list[str] | None = None, load_other_extensions: bool = True, **kwargs: Any) -> Any:
        """A ServerApp configured and initialized with this app loaded (not yet started)."""
        return initialize_server(cls, argv, load_other_extensions, **kwargs)


def _note_loaded_files(serverapp: Any, files: list[str]) -> None:
    """Add an app's config files to the server's list (``--show-config`` names them)."""
    loaded = getattr(serverapp, "_loaded_config_files", None)
    if isinstance(loaded, list):
        loaded.extend(f for f in files if f not in loaded)
