"""``jupyter_server.extension.serverextension``: ``jupyter server extension`` and the
coloured status marks extension CLIs (``jupyter labextension list``) print."""

from __future__ import annotations

import sys

from jupyter_server_core.extensions import ServerExtensionApp

__all__ = ["GREEN_ENABLED", "GREEN_OK", "RED_DISABLED", "RED_X", "ServerExtensionApp"]

if sys.platform == "win32":  # the console may not render ANSI colours or the marks
    GREEN_ENABLED, RED_DISABLED, GREEN_OK, RED_X = "enabled", "disabled", "OK", "X"
else:
    GREEN_ENABLED = "\033[32menabled\033[0m"
    RED_DISABLED = "\033[31mdisabled\033[0m"
    GREEN_OK = "\033[32mOK\033[0m"
    RED_X = "\033[31m X\033[0m"
