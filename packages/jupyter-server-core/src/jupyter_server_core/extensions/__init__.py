"""Server extensions: enablement (conf.d levels), lifecycle and the `extension` subcommand."""

from ._cli import (
    DisableServerExtensionApp,
    EnableServerExtensionApp,
    ListServerExtensionsApp,
    ServerExtensionApp,
)
from ._cli import _ToggleApp as ToggleServerExtensionApp
from ._confd import Decision, LevelVerdict, Mention, ResolvedExtensions, resolve_enabled_extensions
from ._levels import ConfigLevel, ManifestError, config_levels, level_dir
from ._manager import (
    ExtensionError,
    ExtensionManager,
    ExtensionPackage,
    ExtensionPoint,
    ServerExtensionFailure,
    extension_points_of,
)

__all__ = [
    "ConfigLevel",
    "Decision",
    "DisableServerExtensionApp",
    "EnableServerExtensionApp",
    "ExtensionError",
    "ExtensionManager",
    "ExtensionPackage",
    "ExtensionPoint",
    "LevelVerdict",
    "ListServerExtensionsApp",
    "ManifestError",
    "Mention",
    "ResolvedExtensions",
    "ServerExtensionApp",
    "ServerExtensionFailure",
    "ToggleServerExtensionApp",
    "config_levels",
    "extension_points_of",
    "level_dir",
    "resolve_enabled_extensions",
]
