"""jupyter-server-terminals: shells in the browser for the Jupyter Server.

A server extension: ``/api/terminals`` (list, start, describe, end) and the WebSocket
``/terminals/websocket/<name>`` in terminado's message format. Installing the wheel enables
it; ``ServerApp.terminals_enabled = False`` turns it off.
"""

from __future__ import annotations

from ._extension import (
    TerminalsHost,
    busy_count,
    load_terminals,
    start_terminals,
    stop_terminals,
    terminal_routes,
)
from ._handlers import TerminalHandler, TerminalRootHandler
from ._manager import NoSuchTerminal, TerminalManager
from ._websocket import TerminalWebSocketHandler

__all__ = [
    "NoSuchTerminal",
    "TerminalHandler",
    "TerminalManager",
    "TerminalRootHandler",
    "TerminalWebSocketHandler",
    "terminal_routes",
]


def _jupyter_server_config_classes() -> list[type]:
    """Listed by ``jupyter server --help-all`` and ``--generate-config``."""
    return [TerminalManager]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "jupyter_server_terminals"}]


def _load_jupyter_server_extension(serverapp: TerminalsHost) -> None:
    load_terminals(serverapp)


async def _start_jupyter_server_extension(serverapp: TerminalsHost) -> None:
    await start_terminals(serverapp)


async def _stop_jupyter_server_extension(serverapp: TerminalsHost) -> None:
    await stop_terminals(serverapp)


def _jupyter_server_extension_busy_count(serverapp: TerminalsHost) -> int:
    """Running terminals keep an idle server up (ServerApp.shutdown_no_activity_timeout)."""
    return busy_count(serverapp)
