"""``jupyter_server.extension.handler``: the handler mixins of an ExtensionApp.

``ExtensionHandlerMixin`` is the extensionapp wheel's: it gives a handler its app
(``extensionapp``), its config, ``static_url_prefix`` and ``static_url()``.
``ExtensionHandlerJinjaMixin`` renders the app's templates with the variables
jupyter_server 2.x templates use (``ws_url``, ``token``, ``login_available``, ...) added to
the wheel's own.
"""

from __future__ import annotations

from typing import Any

import jupyter_server_extensionapp
from jupyter_server_extensionapp import ExtensionHandlerMixin

from ..base.handlers import JupyterHandler

__all__ = ["ExtensionHandlerJinjaMixin", "ExtensionHandlerMixin"]


class ExtensionHandlerJinjaMixin(jupyter_server_extensionapp.ExtensionHandlerJinjaMixin):
    """Put before ExtensionHandlerMixin: renders ``settings["<name>_jinja2_env"]`` templates."""

    @property
    def template_namespace(self) -> dict[str, Any]:
        own = super().template_namespace
        if not isinstance(self, JupyterHandler):
            return own
        return {**JupyterHandler.template_namespace.fget(self), **own}  # type: ignore[attr-defined]
