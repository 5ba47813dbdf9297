"""``jupyter_server.extension.manager``: the server's extension manager (the core's) and the
errors extension loading raises."""

from __future__ import annotations

from jupyter_server_core.extensions import ExtensionManager, ExtensionPackage, ExtensionPoint

from .utils import (
    ExtensionLoadingError,
    ExtensionMetadataError,
    ExtensionModuleNotFound,
    NotAnExtensionApp,
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
