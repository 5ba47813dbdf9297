"""jupyter-server-extensionapp: ExtensionApp and its handler mixins.

Turn a server extension into a ``jupyter <name>`` application with its own config file
(``jupyter_<name>_config.py|json``), pages, Jinja templates and static files served under
``/static/<name>/``. See docs/extension-author-guide.md in the repository.

This package is itself enabled as a server extension by its manifest, so that every wheel
ships one; its load hook does nothing (the package adds no routes of its own).
"""

from __future__ import annotations

from typing import Any

from ._application import ExtensionApp
from ._handler import ExtensionHandlerJinjaMixin, ExtensionHandlerMixin
from ._jinja import ExtensionAppJinjaMixin
from ._launch import RedirectToDefault
from ._static import ExtensionStaticHandler

__all__ = [
    "ExtensionApp",
    "ExtensionAppJinjaMixin",
    "ExtensionHandlerJinjaMixin",
    "ExtensionHandlerMixin",
    "ExtensionStaticHandler",
    "RedirectToDefault",
]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "jupyter_server_extensionapp"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Nothing to load: the apps built on ExtensionApp load themselves."""
