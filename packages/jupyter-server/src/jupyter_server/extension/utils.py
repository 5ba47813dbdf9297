"""``jupyter_server.extension.utils``: finding an extension's points and its load function."""

from __future__ import annotations

import importlib
import warnings
from typing import Any

from jupyter_server_core.extensions import ExtensionError, extension_points_of

__all__ = [
    "ExtensionLoadingError",
    "ExtensionMetadataError",
    "ExtensionModuleNotFound",
    "NotAnExtensionApp",
    "get_loader",
    "get_metadata",
    "validate_extension",
]


class ExtensionLoadingError(ExtensionError):
    """An extension point has no load function."""


class ExtensionMetadataError(ExtensionError):
    """An extension point's metadata is missing something (``module``)."""


class ExtensionModuleNotFound(ExtensionError):
    """The module an extension names cannot be imported."""


class NotAnExtensionApp(ExtensionError):
    """An ``app`` entry that is not an ExtensionApp subclass."""


def get_loader(obj: Any, logger: Any = None) -> Any:
    """The function that loads ``obj`` (a module or an ExtensionApp) into the server.

    ``_load_jupyter_server_extension`` is the current name; the 1.x name without the
    underscore still works, with a DeprecationWarning.
    """
    loader = getattr(obj, "_load_jupyter_server_extension", None)
    if loader is not None:
        return loader
    loader = getattr(obj, "load_jupyter_server_extension", None)
    if loader is not None:
        warnings.warn(
            f"{getattr(obj, '__name__', obj)}: rename load_jupyter_server_extension to "
            "_load_jupyter_server_extension (the old name will stop working)",
            DeprecationWarning,
            stacklevel=2,
        )
        return loader
    raise ExtensionLoadingError(f"{obj!r} has no _load_jupyter_server_extension function")


def get_metadata(package_name: str, logger: Any = None) -> tuple[Any, list[dict[str, Any]]]:
    """The imported package and its extension point dicts.

    A package that declares no points is its own single point (``{"module": name,
    "name": name}``), as jupyter_server 2.x treats it.
    """
    module = importlib.import_module(package_name)
    try:
        return module, extension_points_of(module)
    except ExtensionError:
        if logger is not None:
            logger.warning("%s declares no extension points; treating it as one", package_name)
        return module, [{"module": package_name, "name": package_name}]


def validate_extension(name: str) -> bool:
    """True when ``name`` imports and each point's module imports and has a load function."""
    try:
        _, points = get_metadata(name)
        for point in points:
            module = importlib.import_module(point["module"])
            app = point.get("app")
            get_loader(app if app is not None else module)
    except ImportError as exc:
        raise ExtensionModuleNotFound(f"The extension {name} cannot be imported: {exc}") from exc
    return True
