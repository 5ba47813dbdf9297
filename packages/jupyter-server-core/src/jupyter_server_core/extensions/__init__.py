"""Server extensions: enablement (conf.d levels), lifecycle and the `extension` subcommand."""

from ._cli import ServerExtensionApp
from ._confd import Decision, resolve_enabled_extensions
from ._manager import ExtensionError, ExtensionManager, ExtensionPoint

__all__ = [
    "Decision",
    "ExtensionError",
    "ExtensionManager",
    "ExtensionPoint",
    "ServerExtensionApp",
    "resolve_enabled_extensions",
]
