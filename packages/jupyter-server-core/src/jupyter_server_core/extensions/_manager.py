"""Import, link, load, start and stop the enabled server extensions.

An extension is a Python package or module named in ``ServerApp.jpserver_extensions`` or
in a conf.d manifest. Its ``_jupyter_server_extension_points()`` lists points, dicts with
``"module"`` and optionally ``"app"`` (an application class, such as an ExtensionApp, that
the manager instantiates with no arguments). For each point the manager calls, when
present, on the app instance or else on the module:

- ``_link_jupyter_server_extension(serverapp)`` before the managers and the web app exist
  (add config and traits);
- ``_load_jupyter_server_extension(serverapp)`` once the web app exists (routes, services);
- ``async _start_jupyter_server_extension(serverapp)`` once the server listens;
- ``async _stop_jupyter_server_extension(serverapp)`` on shutdown, in reverse order.

A failing extension is logged by name and skipped, and the others go on; with
``ServerApp.reraise_server_extension_failures`` the server stops instead, with one line
that names the extension (:class:`ServerExtensionFailure`). A disabled extension is never
imported.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import time
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from traitlets.config import Config

from .._web import BUILTIN_ROUTE_OWNERS, ServerWebApplication
from ._confd import Decision, Mention, resolve_enabled_extensions

__all__ = [
    "ExtensionError",
    "ExtensionManager",
    "ExtensionPackage",
    "ExtensionPoint",
    "ServerExtensionFailure",
    "extension_points_of",
]

CORE = "jupyter_server_core"


class ExtensionError(Exception):
    """An extension is not usable: no points, a point that cannot be imported, ..."""


class ServerExtensionFailure(SystemExit):
    """An extension failed while ``reraise_server_extension_failures`` is set.

    A SystemExit, so that ``jupyter server`` ends with this one line on stderr and exit
    status 1 rather than a traceback; ``pytest.raises(ServerExtensionFailure)`` catches it.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass
class ExtensionPoint:
    """One entry of ``_jupyter_server_extension_points()``."""

    metadata: dict[str, Any]
    module: ModuleType
    app: Any = None
    linked: bool = False
    loaded: bool = False

    @property
    def name(self) -> str:
        if self.app is not None and getattr(self.app, "name", None):
            return str(self.app.name)
        return str(self.metadata.get("name") or self.metadata["module"])

    @property
    def module_name(self) -> str:
        return self.module.__name__

    def _hook(self, hook: str) -> Any:
        for owner in (self.app, self.module):
            if owner is not None and hasattr(owner, hook):
                return getattr(owner, hook)
        # jupyter_server 1.x / classic notebook spellings, without the leading underscore
        if hasattr(self.module, hook.lstrip("_")):
            return getattr(self.module, hook.lstrip("_"))
        return None


@dataclass
class ExtensionPackage:
    """An enabled package and its points."""

    name: str
    decision: Decision | None = None
    module: ModuleType | None = None
    points: list[ExtensionPoint] = field(default_factory=list)
    error: str = ""
    import_seconds: float = 0.0

    @property
    def enabled(self) -> bool:
        return self.decision.enabled if self.decision else True

    @property
    def extension_points(self) -> dict[str, ExtensionPoint]:
        return {p.name: p for p in self.points}


def extension_points_of(module: ModuleType) -> list[dict[str, Any]]:
    """The point dicts a module declares (also the 1.x ``_jupyter_server_extension_paths``)."""
    for attr in ("_jupyter_server_extension_points", "_jupyter_server_extension_paths"):
        fn = getattr(module, attr, None)
        if fn is not None:
            points = fn()
            if not isinstance(points, list) or not all(isinstance(p, dict) and "module" in p for p in points):
                raise ExtensionError(f"{module.__name__}.{attr}() must return a list of dicts with a 'module' key")
            return points
    # A plain module with a load function is its own single point.
    if hasattr(module, "_load_jupyter_server_extension") or hasattr(module, "load_jupyter_server_extension"):
        return [{"module": module.__name__}]
    raise ExtensionError(f"{module.__name__} has no _jupyter_server_extension_points()")


def import_extension(name: str) -> tuple[ModuleType, list[ExtensionPoint]]:
    """Import a package and its points, instantiating each point's app class."""
    module = importlib.import_module(name)
    points = []
    for metadata in extension_points_of(module):
        point_module = importlib.import_module(metadata["module"])
        app_class = metadata.get("app")
        points.append(ExtensionPoint(metadata, point_module, app_class() if app_class is not None else None))
    return module, points


def _load_order(names: list[str], starter: str | None) -> list[str]:
    """The core services first, then the server's service wheels (``jupyter_server_*``:
    an extension written for jupyter_server 2.x finds ``serverapp.contents_manager`` when
    it loads), then every other extension by name, the launched one included.

    tornado matches the routes of ``add_handlers`` calls in the order they were added, so
    where two extensions serve one URL the first by name wins, as in jupyter_server 2.x:
    /lab is JupyterLab's under ``jupyter lab`` and under ``jupyter notebook`` alike (Notebook
    7 also registers a handler for it)."""
    rest = sorted(n for n in names if n != CORE)
    services = [n for n in rest if n.startswith("jupyter_server_")]
    return ([CORE] if CORE in names else []) + services + [n for n in rest if n not in services]


class ExtensionManager:
    """The lifecycle of every enabled extension."""

    def __init__(self, serverapp: Any) -> None:
        self.serverapp = serverapp
        # No server (a tool inspecting extensions): hooks get None, failures are logged here.
        self.log: logging.Logger = serverapp.log if serverapp is not None else logging.getLogger("ServerApp")
        self.packages: dict[str, ExtensionPackage] = {}
        self.decisions: dict[str, Decision] = {}
        self.starter_extension: str | None = None

    # -- views (names as in jupyter_server 2.x) ---------------------------------------

    @property
    def extensions(self) -> dict[str, ExtensionPackage]:
        """Every known package by name (enabled or not); assigning replaces them."""
        return self.packages

    @extensions.setter
    def extensions(self, packages: dict[str, ExtensionPackage]) -> None:
        self.packages = packages

    @property
    def extension_points(self) -> dict[str, ExtensionPoint]:
        return {p.name: p for pkg in self.packages.values() for p in pkg.points}

    @property
    def extension_apps(self) -> dict[str, set[Any]]:
        return {name: {p.app for p in pkg.points if p.app is not None} for name, pkg in self.packages.items()}

    @property
    def linked_extensions(self) -> dict[str, bool]:
        return {name: bool(pkg.points) and all(p.linked for p in pkg.points) for name, pkg in self.packages.items()}

    def loaded_points(self) -> list[ExtensionPoint]:
        return [p for pkg in self.packages.values() for p in pkg.points if p.loaded]

    # -- lifecycle --------------------------------------------------------------------

    def _fail(self, what: str, name: str, exc: BaseException) -> None:
        detail = f"{type(exc).__name__}: {exc}"
        if getattr(self.serverapp, "reraise_server_extension_failures", False):
            raise ServerExtensionFailure(
                f"Extension {name!r} failed to {what}: {detail} "
                "(ServerApp.reraise_server_extension_failures is set, so the server stops)"
            ) from exc
        self.log.warning("Extension %r failed to %s: %s; the server goes on without it.", name, what, detail,
                         exc_info=self.log.isEnabledFor(logging.DEBUG))

    def resolve(self, *, find_extensions: bool = True, starter_extension: str | None = None) -> dict[str, Decision]:
        """Decide which extensions are enabled (conf.d levels, config files, command line)."""
        app = self.serverapp
        cli = getattr(app, "cli_config", {}).get("ServerApp", {}).get("jpserver_extensions")
        resolved = resolve_enabled_extensions(
            app.jpserver_extensions,
            command_line=cli if isinstance(cli, dict) else None,
            config_files=_loaded_config(app),
            use_manifests=find_extensions,
            launched=starter_extension,
        )
        for problem in resolved.problems:
            self.log.warning("Ignoring an extension manifest: %s", problem)
        self.decisions = resolved.decisions
        return self.decisions

    def resolve_and_link(self, *, find_extensions: bool = True, starter_extension: str | None = None) -> None:
        """Decide which extensions are enabled, import them and link their points.

        ``find_extensions=False`` ignores the conf.d manifests: only the core services,
        ``starter_extension`` and what config names load (``load_other_extensions=False``).
        """
        self.starter_extension = starter_extension
        decisions = self.resolve(find_extensions=find_extensions, starter_extension=starter_extension)
        if not find_extensions and CORE not in decisions:
            decisions[CORE] = resolve_enabled_extensions({CORE: True}, use_manifests=False).decisions[CORE]
        enabled = [name for name, d in decisions.items() if d.enabled]
        if CORE not in enabled:
            why = decisions[CORE].reason if CORE in decisions else "no manifest enables it"
            self.log.warning("%s is disabled (%s): kernels, kernelspecs and sessions are off and /api/kernels "
                             "answers 404. `jupyter server extension enable %s` turns them back on.", CORE, why, CORE)
        # Import every package (building its points and apps) before linking any: a link
        # hook may look at the others' points, as JupyterHub's looks for JupyterLab's.
        imported = [self._import(name, decisions[name]) for name in _load_order(enabled, starter_extension)
                    if name not in self.packages]
        for package in imported:
            self._link(package)
        # The trait now says what was decided, from every source (manifests, config files,
        # command line): code written for jupyter_server 2.x reads the merged result there.
        # Set through the config, so that a later update_config() keeps it.
        decided = {name: d.enabled for name, d in self.decisions.items()}
        self.serverapp.update_config(Config({"ServerApp": {"jpserver_extensions": decided}}))

    def link_extension(self, name: str, decision: Decision | None = None) -> ExtensionPackage:
        """Import ``name`` and link its points now; a no-op if it is already known.

        An extension's link hook may call this to enable another extension (the notebook
        shim does so for classic ``NotebookApp.nbserver_extensions``); it is then loaded,
        started and stopped with the others, in the order it was imported.
        """
        if name in self.packages:
            package = self.packages[name]
            self._link(package)  # imported with the others but not linked yet: link it now
            return package
        package = self._import(name, decision)
        self._link(package)
        return package

    def _import(self, name: str, decision: Decision | None) -> ExtensionPackage:
        """Import ``name`` and build its points (their apps instantiated), not linked yet."""
        if decision is None:
            decision = Decision(name, True, Mention(True, "another extension"), "enabled by another extension")
        self.decisions[name] = decision
        package = ExtensionPackage(name, decision)
        self.packages[name] = package
        started = time.perf_counter()
        try:
            package.module, package.points = import_extension(name)
        except Exception as exc:
            package.error = f"{type(exc).__name__}: {exc}"
            self._fail("import", name, exc)
            return package
        finally:
            package.import_seconds = time.perf_counter() - started
            self.log.debug("Extension %s imported in %.3f s", name, package.import_seconds)
        return package

    def _link(self, package: ExtensionPackage) -> None:
        """Call the link hook of each point of an imported package (once)."""
        for point in package.points:
            if not point.linked and self._call(package, point, "_link_jupyter_server_extension", "link"):
                point.linked = True

    def _call(self, package: ExtensionPackage, point: ExtensionPoint, hook: str, what: str) -> bool:
        fn = point._hook(hook)
        if fn is None:
            return True
        try:
            fn(self.serverapp)
        except Exception as exc:
            package.error = f"{type(exc).__name__}: {exc}"
            self._fail(what, point.name, exc)
            return False
        return True

    def load_all(self) -> None:
        """Call each linked point's load hook; the web app exists now."""
        for name in list(self.packages):
            self.load_extension(name)

    def load_extension(self, name: str) -> None:
        """Call the load hook of each linked, not yet loaded point of package ``name``."""
        package = self.packages[name]
        for point in package.points:
            if not point.linked or point.loaded:
                continue
            if point._hook("_load_jupyter_server_extension") is None:
                self.log.warning("Extension %r has no _load_jupyter_server_extension: nothing loaded", point.name)
                continue
            web_app = getattr(self.serverapp, "web_app", None)
            if not (isinstance(web_app, ServerWebApplication) and package.name in BUILTIN_ROUTE_OWNERS):
                web_app = None  # an extension's routes: ServerWebApplication puts them first
            if web_app is not None:
                web_app.adding_builtin_routes = True
            try:
                loaded = self._call(package, point, "_load_jupyter_server_extension", "load")
            finally:
                if web_app is not None:
                    web_app.adding_builtin_routes = False
            if loaded:
                point.loaded = True
                self.log.debug("Loaded extension %s", point.name)

    async def _run_async(self, point: ExtensionPoint, hook: str, what: str) -> None:
        fn = point._hook(hook)
        if fn is None:
            return
        try:
            result = fn(self.serverapp)
            if inspect.isawaitable(result):
                await result
        except Exception as exc:
            self._fail(what, point.name, exc)

    async def start_all(self) -> None:
        """Start every loaded point, in load order; the server listens now."""
        for point in self.loaded_points():
            await self._run_async(point, "_start_jupyter_server_extension", "start")

    async def stop_all(self) -> None:
        """Stop every loaded point, in reverse load order; a failing stop does not stop the rest."""
        for point in reversed(self.loaded_points()):
            try:
                await self._run_async(point, "_stop_jupyter_server_extension", "stop")
            except ServerExtensionFailure as exc:
                self.log.error("%s", exc)

    def activity_counts(self) -> list[int]:
        """Busy counts extensions report (terminals running, ...) for idle shutdown."""
        counts = []
        for point in self.loaded_points():
            fn = point._hook("_jupyter_server_extension_busy_count")
            if fn is not None:
                try:
                    counts.append(int(fn(self.serverapp)))
                except Exception:  # noqa: BLE001 - a broken counter must not stop shutdown logic
                    continue
        return counts

    def any_activity(self) -> bool:
        return any(self.activity_counts())


def _loaded_config(app: Any) -> list[tuple[Any, str]]:
    """The config files the app loaded that name extensions, read again one by one: each
    extension is decided by the highest-ranked file that names it."""
    from traitlets.config.loader import JSONFileConfigLoader, PyFileConfigLoader

    loaded = []
    for filename in getattr(app, "loaded_config_files", []):
        loader_class = JSONFileConfigLoader if filename.endswith(".json") else PyFileConfigLoader
        try:
            with open(filename, encoding="utf-8") as f:
                if "jpserver_extensions" not in f.read():
                    continue  # nothing to attribute: do not run a .py config file twice
            loaded.append((loader_class(filename, log=app.log).load_config(), filename))
        except Exception:  # noqa: BLE001 - the app loaded it already; attribution is best effort
            continue
    return loaded
