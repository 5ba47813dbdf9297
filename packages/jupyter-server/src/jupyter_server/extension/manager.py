"""``jupyter_server.extension.manager``: the server's extension manager and its parts, with
the constructors jupyter_server 2.x code calls, and the errors extension loading raises.

Each class is the core's (``jupyter_server_core.extensions``), extended: the server itself
runs the core's classes; these add what tools and tests written for jupyter_server 2.x build
on their own: ``ExtensionPoint(metadata=...)``, ``ExtensionPackage(name=..., enabled=...)``
and ``ExtensionManager(serverapp=...)`` filled with ``add_extension`` or
``from_jpserver_extensions``.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from jupyter_server_core import extensions as _core
from jupyter_server_core.extensions import Decision, Mention

from .config import ExtensionConfigManager
from .utils import (
    ExtensionLoadingError,
    ExtensionMetadataError,
    ExtensionModuleNotFound,
    NotAnExtensionApp,
    get_loader,
)

__all__ = [
    "ExtensionLoadingError",
    "ExtensionManager",
    "ExtensionMetadataError",
    "ExtensionModuleNotFound",
    "ExtensionPackage",
    "ExtensionPoint",
    "NotAnExtensionApp",
]


def _import(name: str, what: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise ExtensionModuleNotFound(f"The {what} {name!r} cannot be imported: {exc}") from exc


class ExtensionPoint(_core.ExtensionPoint):
    """One point of an extension, built from its metadata dict (``{"module": ..., "app":
    ...}``): the module is imported and the app class, if any, instantiated."""

    def __init__(self, *, metadata: dict[str, Any], module: Any = None, app: Any = None) -> None:
        if not isinstance(metadata, dict) or "module" not in metadata:
            raise ExtensionMetadataError(f"An extension point needs a 'module' key: {metadata!r}")
        if module is None:
            module = _import(metadata["module"], "extension point module")
        if app is None and metadata.get("app") is not None:
            app = metadata["app"]()
        super().__init__(metadata, module, app)

    def validate(self) -> bool:
        """True when the point can be loaded (it has a load function); ExtensionLoadingError
        otherwise."""
        get_loader(self.app if self.app is not None else self.module)
        return True

    def link(self, serverapp: Any) -> Any:
        """Run the point's link hook (if it has one) against ``serverapp``."""
        hook = self._hook("_link_jupyter_server_extension")
        return hook(serverapp) if hook is not None else None

    def load(self, serverapp: Any) -> Any:
        """Run the point's load hook against ``serverapp``."""
        return get_loader(self.app if self.app is not None else self.module)(serverapp)


class ExtensionPackage(_core.ExtensionPackage):
    """An extension package by name. Enabled, it is imported at once with its points
    (ExtensionModuleNotFound if it cannot be); disabled, it is not imported at all."""

    def __init__(self, *, name: str, enabled: bool = False, **_: Any) -> None:
        mention = Mention(enabled, "config")
        super().__init__(name, Decision(name, enabled, mention, "as given"))
        self.version = ""
        self.metadata: list[dict[str, Any]] = []
        if enabled:
            self.module = _import(name, "module")
            self.version = str(getattr(self.module, "__version__", ""))
            try:
                self.metadata = _core.extension_points_of(self.module)
            except _core.ExtensionError as exc:
                raise ExtensionMetadataError(str(exc)) from exc
            self.points = [ExtensionPoint(metadata=m) for m in self.metadata]

    def validate(self) -> bool:
        """True when every point can be loaded."""
        return all(point.validate() for point in self.points if isinstance(point, ExtensionPoint))

    def link_point(self, point_name: str, serverapp: Any) -> None:
        point = self.extension_points[point_name]
        if not point.linked:
            point.linked = True
            if isinstance(point, ExtensionPoint):
                point.link(serverapp)

    def load_point(self, point_name: str, serverapp: Any) -> Any:
        point = self.extension_points[point_name]
        point.loaded = True
        return point.load(serverapp) if isinstance(point, ExtensionPoint) else None

    def link_all_points(self, serverapp: Any) -> None:
        for name in self.extension_points:
            self.link_point(name, serverapp)

    def load_all_points(self, serverapp: Any) -> list[Any]:
        return [self.load_point(name, serverapp) for name in self.extension_points]


class ExtensionManager(_core.ExtensionManager):
    """The core's manager, with the jupyter_server 2.x ways to fill it by hand.

    A failure under ``ServerApp.reraise_server_extension_failures`` raises the extension's
    own exception here (the server's manager ends the process with one line instead).
    """

    def __init__(self, serverapp: Any = None, **_: Any) -> None:
        super().__init__(serverapp)
        #: Reads the ``serverconfig`` folders of the Jupyter config path.
        self.config_manager = ExtensionConfigManager()

    def _fail(self, what: str, name: str, exc: BaseException) -> None:
        if getattr(self.serverapp, "reraise_server_extension_failures", False):
            raise exc
        self.log.warning("Extension %r failed to %s: %s: %s", name, what, type(exc).__name__, exc,
                         exc_info=self.log.isEnabledFor(logging.DEBUG))

    def add_extension(self, extension_name: str, enabled: bool = False) -> bool:
        """Know ``extension_name`` (imported only if ``enabled``); False when it cannot be."""
        try:
            self.packages[extension_name] = ExtensionPackage(name=extension_name, enabled=enabled)
        except Exception as exc:
            self._fail("import", extension_name, exc)
            return False
        return True

    def from_jpserver_extensions(self, jpserver_extensions: dict[str, bool]) -> None:
        """Add every extension of a ``ServerApp.jpserver_extensions``-like dict, by name."""
        for name, enabled in sorted(jpserver_extensions.items()):
            self.add_extension(name, enabled=enabled)

    def from_config_manager(self, config_manager: ExtensionConfigManager) -> None:
        """Add the extensions a config manager's ``jpserver_extensions`` names."""
        self.from_jpserver_extensions(config_manager.get_jpserver_extensions())

    def link_all_extensions(self) -> None:
        for name in list(self.packages):
            self.link_extension(name)

    def load_all_extensions(self) -> None:
        self.load_all()
