"""The server extension hooks: routes and manager on load, every shell ended on stop."""

from __future__ import annotations

from typing import Any, Protocol

from jupyter_server_core import url_path_join
from jupyter_server_core.contracts import ExtensionServer

from ._apispec import TERMINAL_PATHS, TERMINAL_SCHEMAS
from ._handlers import TerminalHandler, TerminalRootHandler
from ._manager import TerminalManager
from ._websocket import TerminalWebSocketHandler

__all__ = ["terminal_routes", "load_terminals", "start_terminals", "stop_terminals", "busy_count"]

_NAME = r"([^/]+)"


class TerminalsHost(ExtensionServer, Protocol):
    """The ServerApp as this extension uses it: the contract, the traits it reads and the
    manager it sets."""

    terminals_enabled: bool
    terminado_settings: dict[str, Any]
    terminal_manager: TerminalManager


def terminal_routes(base_url: str, terminals: TerminalManager) -> list[Any]:
    """The REST and WebSocket routes of the terminals service."""
    kwargs = {"terminals": terminals}
    return [
        (url_path_join(base_url, r"/api/terminals"), TerminalRootHandler, kwargs),
        (url_path_join(base_url, r"/api/terminals", _NAME), TerminalHandler, kwargs),
        (url_path_join(base_url, r"/terminals/websocket", _NAME), TerminalWebSocketHandler, kwargs),
    ]


def load_terminals(serverapp: TerminalsHost) -> None:
    """Create the TerminalManager and add the routes, unless ``ServerApp.terminals_enabled`` is False."""
    if not serverapp.terminals_enabled:
        serverapp.log.info("Terminals are disabled (ServerApp.terminals_enabled = False)")
        return
    manager = TerminalManager(
        parent=serverapp,
        log=serverapp.log,
        root_dir=serverapp.root_dir,
        terminado_settings=dict(serverapp.terminado_settings),
        extra_env={"JUPYTER_SERVER_ROOT": serverapp.root_dir, "JUPYTER_SERVER_URL": serverapp.connection_url},
        # Terminal input and output count as server activity (idle shutdown, /api/status).
        on_activity=lambda: serverapp.activity.touch("terminals"),
    )
    serverapp.terminal_manager = manager
    assert serverapp.web_app is not None, "extensions load once the web app exists"
    serverapp.web_app.add_handlers(".*$", terminal_routes(serverapp.base_url, manager))
    # What jupyter_server 2.x frontends (JupyterLab's page config) read from the settings.
    serverapp.web_app.settings["terminals_available"] = True
    serverapp.web_app.settings["terminal_manager"] = manager
    serverapp.api_spec.add(TERMINAL_PATHS, TERMINAL_SCHEMAS)
    serverapp.metrics.add_gauge(
        "terminal_currently_running_total", "terminals open right now",
        lambda: [({}, float(len(manager)))],
    )
    serverapp.log.debug("Terminals use the shell %s", manager.shell_command)


def _manager_of(serverapp: TerminalsHost) -> TerminalManager | None:
    manager = getattr(serverapp, "terminal_manager", None)
    return manager if isinstance(manager, TerminalManager) else None


async def start_terminals(serverapp: TerminalsHost) -> None:
    manager = _manager_of(serverapp)
    if manager is not None:
        manager.start_culling()


async def stop_terminals(serverapp: TerminalsHost) -> None:
    manager = _manager_of(serverapp)
    if manager is not None:
        count = len(manager)
        await manager.shutdown()
        if count:
            serverapp.log.info("Ended %d terminal(s)", count)


def busy_count(serverapp: TerminalsHost) -> int:
    manager = _manager_of(serverapp)
    return len(manager) if manager is not None else 0
