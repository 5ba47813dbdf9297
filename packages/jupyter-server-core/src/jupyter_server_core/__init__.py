"""jupyter-server-core: the minimal Jupyter Server.

Kernels, kernelspecs and sessions over REST and WebSocket; auth; config; extensions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._base_handlers import APIHandler, JupyterHandler, parse_json_body
from ._compression import GzipStream, start_gzip
from ._deferred_grammar import defer_rfc3987_grammar
from ._logging import log_level_for_status, log_request, scrub_url
from ._urls import url_escape, url_path_join, url_unescape
from ._version import __version__, version_info
from ._warnings import JupyterServerAuthWarning
from ._web import ServerContext, ServerWebApplication

# Before anything imports jsonschema: its IRI checker's grammar is built on first use.
defer_rfc3987_grammar()

if TYPE_CHECKING:
    # Private alias: `jupyter_server_core.ServerApp` stays the lazy __getattr__ below.
    from ._serverapp import ServerApp as _ServerApp
    from ._serverapp import main
    from ._serverinfo import list_running_servers, pid_alive, stop_server
    from ._subcommands import ListApp, PasswordApp, StopApp

__all__ = [
    "APIHandler",
    "GzipStream",
    "JupyterHandler",
    "JupyterServerAuthWarning",
    "ListApp",
    "PasswordApp",
    "ServerApp",
    "ServerContext",
    "ServerWebApplication",
    "list_running_servers",
    "log_level_for_status",
    "log_request",
    "main",
    "parse_json_body",
    "pid_alive",
    "scrub_url",
    "start_gzip",
    "stop_server",
    "StopApp",
    "__version__",
    "url_escape",
    "url_path_join",
    "url_unescape",
    "version_info",
]


# Public names whose modules pull in jupyter_client or the subcommands: imported when asked for.
_LAZY = {
    "ServerApp": "._serverapp",
    "main": "._serverapp",
    "ListApp": "._subcommands",
    "StopApp": "._subcommands",
    "PasswordApp": "._subcommands",
    "list_running_servers": "._serverinfo",
    "pid_alive": "._serverinfo",
    "stop_server": "._serverinfo",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(name)


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "jupyter_server_core"}]


def _load_jupyter_server_extension(serverapp: _ServerApp) -> None:
    """The core services (kernels, kernelspecs, sessions) load as the first extension."""
    from ._services import load_core_services

    load_core_services(serverapp)


async def _start_jupyter_server_extension(serverapp: Any) -> None:
    """The server listens: start what runs in the background (the warm kernel pool)."""
    from ._services import start_core_services

    start_core_services(serverapp)
