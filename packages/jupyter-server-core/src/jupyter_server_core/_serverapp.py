"""``jupyter server``: the ServerApp and its lifecycle.

initialize() loads config (files, then command line), builds the managers, resolves and
links the enabled extensions, builds the web application, binds the sockets and loads the
extensions. start() runs the event loop until SIGINT/SIGTERM, then stops everything in
reverse order. Tests drive the same steps in-process through ``_start_serving`` and
``_stop_serving``.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import warnings
from typing import Any

from jupyter_core.application import JupyterApp, base_aliases, base_flags
from jupyter_core.paths import jupyter_data_dir, secure_write
from tornado import httpserver
from tornado.log import LogFormatter
from traitlets import Bool, Instance, TraitError, Unicode, default, observe
from traitlets.config import Configurable
from traitlets.utils.text import wrap_paragraphs

from ._apispec import CORE_PATHS, CORE_SCHEMAS, ApiSpec
from ._base_handlers import APINotFoundHandler, PageNotFoundHandler, TrailingSlashHandler
from ._compression import gzip_transform
from ._config_files import (
    INTERNAL_CONFIG_CLASSES,
    NamedJSONFileConfigLoader,
    NamedPyFileConfigLoader,
    OnceFilter,
    class_options_help,
)
from ._directories import prepare_private_dir
from ._legacy_methods import LegacyMethodsMixin
from ._logging import log_request
from ._memory import MemoryReleaser, limit_malloc_arenas
from ._metrics import ServerMetrics, metrics_routes
from ._network import ServerStartError
from ._running import RunningMixin
from ._start_paths import StartPathsMixin
from ._static import static_routes
from ._urls import url_path_join
from ._version import __version__
from ._web import ActivityTracker, ServerContext, ServerWebApplication
from .events import EventBus, events_routes
from .extensions import ExtensionManager

__all__ = ["ServerApp", "main", "aliases", "flags"]

aliases: dict[str, Any] = dict(base_aliases)
aliases.update(
    {
        "ip": "ServerApp.ip",
        "port": "ServerApp.port",
        "port-retries": "ServerApp.port_retries",
        "sock": "ServerApp.sock",
        "sock-mode": "ServerApp.sock_mode",
        "transport": "KernelManager.transport",
        "keyfile": "ServerApp.keyfile",
        "certfile": "ServerApp.certfile",
        "client-ca": "ServerApp.client_ca",
        "notebook-dir": "ServerApp.root_dir",
        "preferred-dir": "ServerApp.preferred_dir",
        "browser": "ServerApp.browser",
        "pylab": "ServerApp.pylab",
        "gateway-url": "GatewayClient.url",
    }
)

flags: dict[str, Any] = dict(base_flags)
flags.update(
    {
        "allow-root": (
            {"ServerApp": {"allow_root": True}},
            "Start even when run by root.",
        ),
        "no-browser": (
            {"ServerApp": {"open_browser": False}, "ExtensionApp": {"open_browser": False}},
            "Do not open a browser at start.",
        ),
        "autoreload": (
            {"ServerApp": {"autoreload": True}},
            "Autoreload the webapp when Python source files change.",
        ),
        "debug": (
            {"ServerApp": {"log_level": "DEBUG"}, "ExtensionApp": {"log_level": "DEBUG"}},
            "Log at DEBUG level, server and extensions alike.",
        ),
    }
)


class ServerApp(JupyterApp, StartPathsMixin, RunningMixin, LegacyMethodsMixin):
    """The Jupyter Server application."""

    name = "jupyter-server"
    version = __version__
    description = """The Jupyter Server.

    Serves kernels, kernelspecs and sessions over REST and WebSocket, and every installed
    server extension (contents, terminals, nbconvert, frontends)."""
    examples = """
    jupyter server                       # start the server
    jupyter server --port=9999 --no-browser
    jupyter server list                  # list running servers
    jupyter server stop 8888             # stop the server on port 8888
    jupyter server password              # set a password
    jupyter server extension list        # enabled extensions and where that was decided
    """

    aliases = aliases
    flags = flags

    subcommands = {
        "list": ("jupyter_server_core._subcommands.ListApp", "Show the servers this user runs."),
        "stop": ("jupyter_server_core._subcommands.StopApp", "Stop the server on a port or UNIX socket."),
        "password": ("jupyter_server_core._subcommands.PasswordApp", "Set a password for the Jupyter server."),
        "extension": ("jupyter_server_core.extensions.ServerExtensionApp", "List, enable, disable and explain server extensions."),
    }

    _log_formatter_cls = LogFormatter  # type: ignore[assignment]

    @default("log_level")
    def _default_log_level(self) -> int:
        return logging.INFO

    @default("log_format")
    def _default_log_format(self) -> str:
        return "%(color)s[%(levelname)1.1s %(asctime)s.%(msecs).03d %(name)s]%(end_color)s %(message)s"

    @default("config_file_name")
    def _default_config_file_name(self) -> str:
        return "jupyter_server_config"

    # A config file that fails to run stops the server: starting without part of the
    # operator's config (a password, say) would be worse than not starting.
    raise_config_file_errors = Bool(True, help="Stop with an error when a config file fails to load.")
    python_config_loader_class = NamedPyFileConfigLoader
    json_config_loader_class = NamedJSONFileConfigLoader

    def load_config_file(self, suppress_errors: bool = True) -> None:  # type: ignore[override]
        try:
            super().load_config_file(suppress_errors)
        except (TraitError, ValueError, ServerStartError):
            raise
        except Exception as exc:  # noqa: BLE001 - any error in the user's file, told in one line
            raise ServerStartError(
                f"Could not load the config file {self.config_file or self.config_file_name}: "
                f"{type(exc).__name__}: {exc}"
            ) from None

    runtime_dir_override = Unicode("", help="Internal: the runtime dir for the info file (tests).")
    _list_extension_classes = False

    # Set during initialize(); public for extensions, as in jupyter_server 2.x.
    web_app = Instance(ServerWebApplication, allow_none=True)
    http_server = Instance(httpserver.HTTPServer, allow_none=True)
    identity_provider: Any = None
    authorizer: Any = None
    kernel_spec_manager: Any = None
    # No class default: like jupyter_server 2.x, the attribute exists once initialize() made
    # the manager (pytest-jupyter's cleanup tells a started app from a bare one by hasattr).
    kernel_manager: Any
    session_manager: Any = None
    config_manager: Any = None
    contents_manager: Any = None
    gateway_config: Any = None  # the GatewayClient (jupyter_server 2.x's name)
    extension_manager: ExtensionManager
    activity: ActivityTracker
    events: EventBus  # set by init_server_state()

    @property
    def classes(self) -> list[type]:  # type: ignore[override]
        from jupyter_client.kernelspec import KernelSpecManager
        from jupyter_client.manager import AsyncKernelManager, KernelManager
        from jupyter_client.session import Session

        from .auth import Authorizer, IdentityProvider, LoginThrottle, PasswordIdentityProvider
        from .config import ConfigManager
        from .extensions._report import extension_config_classes
        from .gateway import (
            GatewayClient,
            GatewayKernelSpecManager,
            GatewayMappingKernelManager,
            GatewaySessionManager,
            GatewayWebSocketConnection,
            KernelRouter,
        )
        from .kernels import MappingKernelManager
        from .kernels._parameters import KernelParameters
        from .sessions import SessionManager

        # Extensions' classes only where they are listed: importing them costs a plain start.
        extra = extension_config_classes() if self._list_extension_classes else []
        return [ServerApp, IdentityProvider, PasswordIdentityProvider, LoginThrottle, Authorizer, KernelManager,
                AsyncKernelManager, Session, MappingKernelManager, KernelSpecManager, SessionManager,
                ConfigManager, GatewayClient, GatewayMappingKernelManager, GatewayKernelSpecManager,
                GatewaySessionManager, GatewayWebSocketConnection, KernelRouter, KernelParameters, *extra]

    def _classes_inc_parents(self, classes: Any = None) -> Any:
        """The configurable classes, without ServerApp's internal bases: their traits are
        ServerApp's and are listed (and set) under that name only."""
        for cls in super()._classes_inc_parents(classes):
            if cls.__name__ not in INTERNAL_CONFIG_CLASSES:
                yield cls

    def emit_help(self, classes: bool = False) -> Any:
        """``--help-all`` lists each option once, under the class name that sets it."""
        if not classes:
            yield from super().emit_help(classes)
            return
        yield from self.emit_description()
        yield from self.emit_subcommands_help()
        yield from self.emit_options_help()
        yield "Class options"
        yield "============="
        yield from (f"{paragraph}\n" for paragraph in wrap_paragraphs(self.keyvalue_description))
        yield from class_options_help(self._classes_with_config_traits())
        yield from self.emit_examples()
        yield from self.emit_help_epilogue(classes)

    def _load_config(self, cfg: Any, section_names: Any = None, traits: Any = None) -> None:
        # traitlets reloads the whole config at each step of startup: warn about an unknown
        # option (`Did you mean ...`) or an internal section once, not at every reload.
        if not hasattr(self, "_told"):
            self._told = OnceFilter()
            self.log.addFilter(self._told)
        self._told.active = True
        try:
            for section in sorted(INTERNAL_CONFIG_CLASSES.keys() & cfg.keys()):
                public = INTERNAL_CONFIG_CLASSES[section]
                # GatewayClientConfig is a Configurable base and is read; ServerApp's trait
                # groups are plain HasTraits and are not: say which, never stay silent.
                owners = [c for c in self.classes if c.__name__ == public]
                read = any(issubclass(base, Configurable) for c in owners for base in c.__mro__
                           if base.__name__ == section)
                effect = "it applies" if read else "it is ignored"
                for trait in cfg[section]:
                    self.log.warning("%s.%s: %s is an internal name and %s; write %s.%s",
                                     section, trait, section, effect, public, trait)
            super()._load_config(cfg, section_names, traits)
        finally:
            self._told.active = False

    def parse_command_line(self, argv: list[str] | None = None) -> None:
        """Also offer the subcommands installed wheels contribute (entry points), read only
        when the command line may name one, so a plain start does not scan metadata."""
        args = sys.argv[1:] if argv is None else argv
        self._list_extension_classes = bool({"--help-all", "--generate-config"} & set(args))
        if args and (not args[0].startswith("-") or args[0] in ("-h", "--help", "--help-all")):
            from ._subcommands import contributed_subcommands

            self.subcommands = {**contributed_subcommands(), **type(self).subcommands}
        super().parse_command_line(argv)
        if self.subapp is not None:
            return
        if self.extra_args and not os.path.exists(os.path.expanduser(self.extra_args[0])):
            from ._subcommands import unknown_subcommand

            raise ServerStartError(unknown_subcommand(self.extra_args[0], list(self.subcommands)))
        self.apply_path_argument()

    @observe("pylab")
    def _refuse_pylab(self, change: Any) -> None:
        if change["new"] != "disabled":
            self.log.critical("ServerApp.pylab (--pylab) is no longer supported: run %%matplotlib inside a notebook.")
            self.exit(1)

    # -- initialize ------------------------------------------------------------------

    def initialize(
        self, argv: list[str] | None = None, *, bind: bool = True,
        find_extensions: bool = True, starter_extension: str | None = None,
        new_httpserver: bool = True,
    ) -> None:
        """Load config, build managers and the web app, bind sockets, load extensions.

        ``find_extensions=False`` ignores conf.d manifests; ``starter_extension`` names the
        package an ExtensionApp launched as ``jupyter <name>`` (always loaded);
        ``new_httpserver=False`` (jupyter_server 2.x's spelling of ``bind=False``) leaves
        listening to the caller, who then calls ``start_app()``.
        """
        bind = bind and new_httpserver
        super().initialize(argv)
        if self._dispatching:
            return  # a subcommand runs
        # Extensions keep state in the data dir (jupyter_server_fileid's database): make it
        # exist before any of them links, on a fresh account too.
        prepare_private_dir(jupyter_data_dir(), "Jupyter data directory", self.log)
        self.check_start_paths()
        self.init_server_state()
        self.extension_manager = ExtensionManager(self)
        self.extension_manager.resolve_and_link(
            find_extensions=find_extensions, starter_extension=starter_extension
        )
        # After linking: an ExtensionApp's config files (jupyter_lab_config, ...) may have
        # set deprecated spellings too; --show-config prints the config as merged so far.
        self.forward_deprecated_config()
        if self.show_config or self.show_config_json:
            return
        self.init_configurables()
        self.init_webapp()
        if bind:
            self.init_httpserver()
        self.extension_manager.load_all()

    def init_server_state(self) -> None:
        """The app's own services: activity, metrics, memory, the event bus, the API spec.

        Part of initialize(); init_webapp() calls it when a caller builds the web app on
        its own (init_configurables() then init_webapp(), as tests of jupyter_server 2.x do).
        """
        self.activity = ActivityTracker()
        self.metrics = ServerMetrics(self)
        self.memory = MemoryReleaser(last_activity=self.activity.last_activity)
        limit_malloc_arenas(2)  # before the worker threads exist: see _memory.py
        if getattr(self, "events", None) is None:
            # Initialized again (pytest-jupyter's factory may do so): keep the bus, so the
            # listeners registered since, and the managers built before, share one.
            self.events = EventBus(self)
        if "EventLogger" in self.config:
            # The operator configured event handlers: record from the start.
            self.events.logger  # noqa: B018
        self.api_spec = ApiSpec(__version__)
        self.api_spec.add(CORE_PATHS, CORE_SCHEMAS)

    def init_httpserver(self) -> None:
        """Create the HTTP server and bind its sockets (the step's jupyter_server 2.x name)."""
        self.bind_sockets()

    @property
    def event_logger(self) -> Any:
        """The jupyter_events EventLogger (created on first access; see events/_bus.py)."""
        return self.events.logger

    def forward_deprecated_config(self) -> None:
        """Move deprecated ServerApp spellings to their new homes, naming the new spelling."""
        config = self.config
        moved = _DEPRECATED_SERVERAPP_TRAITS
        for old, (section, new) in moved.items():
            if old in config.get("ServerApp", {}):
                self.log.warning(
                    "ServerApp.%s config is deprecated in jupyter_server 2.0. Use %s.%s", old, section, new
                )
                if new not in config.get(section, {}):
                    config[section][new] = config.ServerApp[old]
        self.update_config(config)

    def check_root(self) -> None:
        if not self.allow_root and hasattr(os, "geteuid") and os.geteuid() == 0:
            self.log.critical("Refusing to run as root; pass --allow-root if you mean it.")
            raise SystemExit(1)

    def init_configurables(self) -> None:
        """Build the identity provider, authorizer and the kernel, session and config managers."""
        provider_class = self.identity_provider_class
        if self._legacy_login_configured():
            from .auth import LegacyIdentityProvider

            provider_class = LegacyIdentityProvider
        self.identity_provider = provider_class(parent=self, log=self.log, **self._deprecated_identity_kwargs())
        validate = getattr(self.identity_provider, "validate_security", None)
        if validate is not None:
            validate(self)
        self.authorizer = self.authorizer_class(parent=self, log=self.log, identity_provider=self.identity_provider) if _accepts(self.authorizer_class, "identity_provider") else self.authorizer_class(parent=self, log=self.log)
        from .gateway import configure_gateway, gateway_kwargs

        # With GatewayClient.url set, the manager classes become the gateway's.
        gateway = self.gateway_config = configure_gateway(self)
        self.kernel_spec_manager = self.kernel_spec_manager_class(
            parent=self, **gateway_kwargs(self.kernel_spec_manager_class, gateway),
        )
        self.kernel_manager = self.kernel_manager_class(
            parent=self, log=self.log, connection_dir=self.runtime_dir,
            kernel_spec_manager=self.kernel_spec_manager, root_dir=self.root_dir,
            **gateway_kwargs(self.kernel_manager_class, gateway),
        )
        self.session_manager = self.session_manager_class(
            parent=self, log=self.log, kernel_manager=self.kernel_manager,
        )
        self.config_manager = self.config_manager_class(parent=self, log=self.log)

    def _legacy_login_configured(self) -> bool:
        """Whether a jupyter_server 1.x login handler (the deprecated
        ``ServerApp.login_handler_class``) decides identity: set, and no identity provider
        class chosen (the current way wins)."""
        from ._login import LoginHandler
        from .auth import PasswordIdentityProvider

        chosen = "identity_provider_class" in self.config.get("ServerApp", {})
        default_provider = self.identity_provider_class is PasswordIdentityProvider
        return self.login_handler_class is not LoginHandler and default_provider and not chosen

    def _deprecated_identity_kwargs(self) -> dict[str, Any]:
        """Deprecated ServerApp traits set on the instance itself (``ServerApp(token=...)``,
        which config forwarding cannot see), for the identity provider; its own config wins."""
        kwargs: dict[str, Any] = {}
        for old, (section, new) in _DEPRECATED_SERVERAPP_TRAITS.items():
            if not self.trait_has_value(old) or new in self.config.get(section, {}):
                continue
            if _accepts(self.identity_provider_class, new) and getattr(self, old) != self.traits()[old].default_value:
                kwargs[new] = getattr(self, old)
        return kwargs

    def _cookie_secret(self) -> bytes:
        if self.cookie_secret:
            return bytes(self.cookie_secret)
        path = self.cookie_secret_file or os.path.join(self.runtime_dir, "jupyter_cookie_secret")
        secret = b""
        if os.path.exists(path):
            with open(path, "rb") as f:
                secret = f.read().strip()
        if not secret:
            import base64

            secret = base64.encodebytes(os.urandom(32)).strip()
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with secure_write(path, True) as f:
                f.write(secret)
        # The signing key also depends on what the identity provider mixes in (the password
        # hash), so that changing the password ends every earlier login (as jupyter_server).
        import hashlib
        import hmac

        h = hmac.new(secret, digestmod=hashlib.sha256)
        hook = getattr(self.identity_provider, "cookie_secret_hook", None)
        return (hook(h) if hook is not None else h).digest()

    def init_webapp(self) -> None:
        """Build the tornado application with the core's own routes; extensions add more."""
        from ._api_handlers import api_routes
        from ._login import login_routes
        from ._root import root_routes
        from .auth import LoginThrottle
        from .config import config_routes

        if getattr(self, "events", None) is None:
            self.init_server_state()
        pattern = re.compile(self.allow_origin_pat) if self.allow_origin_pat else None
        self.context = ServerContext(
            base_url=self.base_url,
            identity_provider=self.identity_provider,
            authorizer=self.authorizer,
            log=self.log,
            allow_origin=self.allow_origin,
            allow_origin_pat=pattern,
            allow_credentials=self.allow_credentials,
            allow_remote_access=self.allow_remote_access,
            local_hostnames=list(self.local_hostnames),
            disable_check_xsrf=self.disable_check_xsrf,
            allow_unauthenticated_access=self.allow_unauthenticated_access,
            login_url=url_path_join(self.base_url, "login"),
            version=__version__,
            activity=self.activity,
            extra_log_scrub_param_keys=list(self.extra_log_scrub_param_keys),
            login_throttle=LoginThrottle(parent=self, log=self.log),
            serverapp=self,
        )
        routes: list[Any] = []
        routes += api_routes(self)
        routes += login_routes(self)
        routes += root_routes(self)
        routes += config_routes(self.base_url, self.config_manager)
        routes += metrics_routes(self)
        routes += static_routes(self.base_url)
        routes += events_routes(self.base_url, self.events)
        # Last (extensions' routes come before all of these): slash-terminated URLs redirect.
        routes.append((r".*/", TrailingSlashHandler))
        routes.append((url_path_join(self.base_url, r"/api/.*"), APINotFoundHandler))
        settings: dict[str, Any] = {
            "cookie_secret": self._cookie_secret(),
            "xsrf_cookies": True,
            "login_url": url_path_join(self.base_url, "login"),
            "log_function": self.memory.log_function(self.metrics.log_function(log_request)),
            "default_handler_class": PageNotFoundHandler,
            "websocket_ping_interval": self.websocket_ping_interval or None,
            "websocket_ping_timeout": self.websocket_ping_timeout or None,
            "autoreload": self.autoreload,
            "static_path": None,
            # Keys the jupyter_server compatibility layer and extensions expect.
            "base_url": self.base_url,
            "serverapp": self,
            "identity_provider": self.identity_provider,
            "authorizer": self.authorizer,
            "kernel_manager": self.kernel_manager,
            "kernel_spec_manager": self.kernel_spec_manager,
            "session_manager": self.session_manager,
            "config_manager": self.config_manager,
            "contents_manager": self.contents_manager,
            "allow_origin": self.allow_origin,
            "allow_credentials": self.allow_credentials,
            "allow_remote_access": self.allow_remote_access,
            "local_hostnames": self.local_hostnames,
            "disable_check_xsrf": self.disable_check_xsrf,
            "server_root_dir": self.root_dir,
            "jinja_template_vars": self.jinja_template_vars,
            "websocket_url": self.websocket_url,
            "version_hash": "",
            "static_immutable_cache": list(self.static_immutable_cache),
            # The terminals extension sets it True when it loads.
            "terminals_available": False,
        }
        settings.update(self.tornado_settings)
        self.web_app = ServerWebApplication(self.context, routes, **settings)
        if self.compress_responses:
            self.web_app.add_transform(gzip_transform(self.compress_min_size))

    def start(self) -> None:
        """Run the server until SIGINT or SIGTERM."""
        super().start()
        if self.subapp is not None or self.show_config or self.show_config_json:
            return
        if self.web_app is None:
            self.initialize([])
        # Checked when serving begins, as jupyter_server does: a tool (or an extension's
        # initialize_server) may set a server up as root without running it. By now every
        # extension (the notebook shim) has had its say on allow_root.
        self.check_root()
        self._run_forever()


# ServerApp traits of jupyter_server 1.x and their 2.x homes.
_DEPRECATED_SERVERAPP_TRAITS = {
    "token": ("IdentityProvider", "token"),
    "password": ("PasswordIdentityProvider", "hashed_password"),
    "password_required": ("PasswordIdentityProvider", "password_required"),
    "allow_password_change": ("PasswordIdentityProvider", "allow_password_change"),
    "cookie_options": ("IdentityProvider", "cookie_options"),
    "get_secure_cookie_kwargs": ("IdentityProvider", "get_secure_cookie_kwargs"),
    "login_handler_class": ("IdentityProvider", "login_handler_class"),
    "logout_handler_class": ("IdentityProvider", "logout_handler_class"),
}


def _accepts(cls: type, name: str) -> bool:
    return name in getattr(cls, "class_trait_names", lambda: [])()


def main(argv: list[str] | None = None) -> None:
    """Console script entry point: ``jupyter-server`` / ``jupyter server``.

    Bad configuration ends the process with one readable line and exit code 1, never a
    traceback: the trait validators and the socket binding say what is wrong.
    """
    warnings.filterwarnings("default", category=DeprecationWarning, module="jupyter_server_core")
    try:
        ServerApp.launch_instance(argv)
    except KeyboardInterrupt:
        sys.exit(1)
    except BrokenPipeError:  # `jupyter server --help | head`: the reader left, nothing to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except (TraitError, ValueError, ServerStartError) as exc:
        message = " ".join(str(exc).split())
        print(f"jupyter server: error: {message}", file=sys.stderr)
        sys.exit(1)
