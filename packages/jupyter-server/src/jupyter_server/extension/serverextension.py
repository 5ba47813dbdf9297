"""``jupyter_server.extension.serverextension``: ``jupyter server extension``, the Python
toggling API of jupyter_server 2.x and the coloured status marks extension CLIs
(``jupyter labextension list``) print.

The applications are the core's (they write conf.d manifests). The older Python function
``toggle_server_extension_python`` keeps its own contract: it sets
``ServerApp.jpserver_extensions`` in ``jupyter_server_config.json`` of one config folder,
which the server reads as a config file (above every manifest).
"""

from __future__ import annotations

import sys
from typing import Any

import jupyter_core.paths
from jupyter_core.paths import SYSTEM_CONFIG_PATH, jupyter_config_dir
from jupyter_server_core.extensions import (
    DisableServerExtensionApp,
    EnableServerExtensionApp,
    ListServerExtensionsApp,
    ServerExtensionApp,
    ToggleServerExtensionApp,
)

from jupyter_server.config_manager import BaseJSONConfigManager

__all__ = [
    "GREEN_ENABLED",
    "GREEN_OK",
    "RED_DISABLED",
    "RED_X",
    "DisableServerExtensionApp",
    "EnableServerExtensionApp",
    "ListServerExtensionsApp",
    "ServerExtensionApp",
    "ToggleServerExtensionApp",
    "main",
    "toggle_server_extension_python",
]

if sys.platform == "win32":  # the console may not render ANSI colours or the marks
    GREEN_ENABLED, RED_DISABLED, GREEN_OK, RED_X = "enabled", "disabled", "OK", "X"
else:
    GREEN_ENABLED = "\033[32menabled\033[0m"
    RED_DISABLED = "\033[31mdisabled\033[0m"
    GREEN_OK = "\033[32mOK\033[0m"
    RED_X = "\033[31m X\033[0m"

# Read at call time, so tests can point the sys-prefix level elsewhere (pytest-jupyter does).
ENV_CONFIG_PATH: list[str] = list(jupyter_core.paths.ENV_CONFIG_PATH)


def _get_config_dir(user: bool = False, sys_prefix: bool = False) -> str:
    """The config folder of one level: the user's, the environment's or the system's.
    ``user`` wins over ``sys_prefix`` (True by default in the functions that take both)."""
    if user:
        return jupyter_config_dir()
    if sys_prefix:
        return ENV_CONFIG_PATH[0]
    return SYSTEM_CONFIG_PATH[0]


def toggle_server_extension_python(import_name: str, enabled: bool | None = None, parent: Any = None,
                                   user: bool = False, sys_prefix: bool = True) -> None:
    """Set ``ServerApp.jpserver_extensions[import_name]`` in ``jupyter_server_config.json``
    of the chosen level (``enabled=None`` counts as True)."""
    manager = BaseJSONConfigManager(parent=parent, config_dir=_get_config_dir(user=user, sys_prefix=sys_prefix))
    data = manager.get("jupyter_server_config")
    extensions = data.setdefault("ServerApp", {}).setdefault("jpserver_extensions", {})
    extensions[import_name] = True if enabled is None else bool(enabled)
    manager.update("jupyter_server_config", data)


main = ServerExtensionApp.launch_instance


if __name__ == "__main__":
    main()
