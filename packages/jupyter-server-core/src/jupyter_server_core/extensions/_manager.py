"""Import, link, load, start and stop the enabled server extensions.

An extension is a Python package or module named in ``ServerApp.jpserver_extensions``. Its
``_jupyter_server_extension_points()`` lists points, dicts with ``"module"`` and optionally
``"app"`` (an application class, such as an ExtensionApp). For each point the manager calls,
when present, on the app instance or else on the module:

- ``_link_jupyter_server_extension(serverapp)`` before the web app exists (add config);
- ``_load_jupyter_server_extension(serverapp)`` once it exists (add routes, services);
- ``async _start_jupyter_server_extension(serverapp)`` once the server listens;
- ``async _stop_jupyter_server_extension(serverapp)`` on shutdown, in reverse order.

A failing extension is logged by name and skipped, unless
``ServerApp.reraise_server_extension_failures`` is set.
"""

from __future__ import annotations

import importlib
import inspect
import time
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from ._confd import Decision, resolve_enabled_extensions

__all__ = ["ExtensionManager", "ExtensionPoint", "ExtensionPackage", "ExtensionError"]


class ExtensionError(Exception):
    """An extension could not be imported, linked, loaded or started."""


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


def extension_points_of(module: ModuleType) -> list[dict[str, Any]]:
    """The point dicts a module declares (also the 1.x ``_jupyter_server_extension_paths``)."""
    for attr in ("_jupyter_server_extension_points", "_jupyter_server_extension_paths"):
        fn = getattr(module, attr, None)
        if fn is not None:
            points = fn()
            if not isinstance(points, list):
                raise ExtensionError(f"{module.__name__}.{attr}() must return a list of dicts")
            return points
    # A plain module with a load function is its own single point.
    if hasattr(module, "_load_jupyter_server_extension") or hasattr(module, "load_jupyter_server_extension"):
        return [{"module": module.__name__}]
    raise ExtensionError(
        f"{module.__name__} is not a server extension: it has no _jupyter_server_extension_points()"
    )


class ExtensionManager:
    """The lifecycle of every enabled extension, in the order they were enabled."""

    def __init__(self, serverapp: Any) -> None:
        self.serverapp = serverapp
        self.log = serverapp.log
        self.packages: dict[str, ExtensionPackage] = {}
        self.decisions: dict[str, Decision] = {}

    @property
    def extension_points(self) -> dict[str, ExtensionPoint]:
        return {p.name: p for pkg in self.packages.values() for p in pkg.points}

    @property
    def extensions(self) -> dict[str, ExtensionPackage]:
        return self.packages

    def _fail(self, what: str, name: str, exc: BaseException) -> None:
        if self.serverapp.reraise_server_extension_failures:
            raise ExtensionError(f"Extension {name!r} failed to {what}: {exc}") from exc
        self.log.warning("Extension %r failed to %s: %s: %s", name, what, type(exc).__name__, exc,
                         exc_info=self.log.isEnabledFor(10))

    def resolve_and_link(self) -> None:
        """Decide which extensions are enabled, import them and link their points."""
        self.decisions = resolve_enabled_extensions(self.serverapp.jpserver_extensions)
        # A copy: a link hook may enable more extensions through link_extension().
        for name, decision in list(self.decisions.items()):
            if decision.enabled and name not in self.packages:
                self.link_extension(name, decision)

    def link_extension(self, name: str, decision: Decision | None = None) -> ExtensionPackage:
        """Import ``name`` and link its points now; a no-op if it is already known.

        An extension's link hook may call this to enable another extension (the notebook
        shim does so for classic ``NotebookApp.nbserver_extensions``); it is then loaded,
        started and stopped with the others, in the order it was linked.
        """
        if name in self.packages:
            return self.packages[name]
        if decision is None:
            decision = Decision(name, True, "enabled by another extension")
        self.decisions[name] = decision
        package = ExtensionPackage(name, decision)
        self.packages[name] = package
        started = time.perf_counter()
        try:
            package.module = importlib.import_module(name)
            for metadata in extension_points_of(package.module):
                module = importlib.import_module(metadata.get("module", name))
                app_class = metadata.get("app")
                point = ExtensionPoint(metadata, module, app_class() if app_class is not None else None)
                package.points.append(point)
        except Exception as exc:
            package.error = f"{type(exc).__name__}: {exc}"
            package.points = []
            self._fail("import", name, exc)
            return package
        finally:
            package.import_seconds = time.perf_counter() - started
            self.log.debug("Extension %s imported in %.3f s", name, package.import_seconds)
        for point in package.points:
            self._call(point, "_link_jupyter_server_extension", "link")
            point.linked = True
        return package

    def _call(self, point: ExtensionPoint, hook: str, what: str) -> Any:
        fn = point._hook(hook)
        if fn is None:
            return None
        try:
            return fn(self.serverapp)
        except Exception as exc:
            self._fail(what, point.name, exc)
            return None

    def load_all(self) -> None:
        """Call each point's load hook; the web app exists now."""
        for package in self.packages.values():
            for point in package.points:
                if point._hook("_load_jupyter_server_extension") is None:
                    self.log.warning("Extension %r has no _load_jupyter_server_extension", point.name)
                    continue
                fn = point._hook("_load_jupyter_server_extension")
                try:
                    fn(self.serverapp)
                    point.loaded = True
                    self.log.debug("Loaded extension %s", point.name)
                except Exception as exc:
                    package.error = f"{type(exc).__name__}: {exc}"
                    self._fail("load", point.name, exc)

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
        for point in self.loaded_points():
            await self._run_async(point, "_start_jupyter_server_extension", "start")

    async def stop_all(self) -> None:
        for point in reversed(self.loaded_points()):
            await self._run_async(point, "_stop_jupyter_server_extension", "stop")

    def loaded_points(self) -> list[ExtensionPoint]:
        return [p for pkg in self.packages.values() for p in pkg.points if p.loaded]

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
