"""``jupyter_server.extension.application``: ExtensionApp, as frontends build on it.

:class:`ExtensionApp` is the extensionapp wheel's class with what jupyter_server 2.x apps
also find in the tornado settings once they are loaded: ``settings["token"]`` (Notebook 7
puts it in its page config). ``ExtensionAppJinjaMixin`` is the wheel's own.
"""

from __future__ import annotations

from typing import Any

import jupyter_server_extensionapp
from jupyter_server_extensionapp import ExtensionAppJinjaMixin

__all__ = ["ExtensionApp", "ExtensionAppJinjaMixin"]


class ExtensionApp(jupyter_server_extensionapp.ExtensionApp):
    """Base class of configurable server extension applications (see the wheel's docs)."""

    def _prepare_settings(self) -> None:
        super()._prepare_settings()
        settings: dict[str, Any] = self.serverapp.web_app.settings
        settings.setdefault("token", getattr(self.serverapp.identity_provider, "token", "") or "")
