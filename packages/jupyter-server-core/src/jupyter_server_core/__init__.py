"""jupyter-server-core: the minimal Jupyter Server.

Kernels, kernelspecs and sessions over REST and WebSocket; auth; config; extensions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._base_handlers import APIHandler, JupyterHandler, parse_json_body
from ._compression import GzipStream, start_gzip
from ._deferred_grammar import defer_rfc3987_grammar
from ._urls import url_escape, url_path_join, url_unescape
from ._version import __version__, version_info
from ._web import ServerContext, ServerWebApplication

# Before anything imports jsonschema: its IRI checker's grammar is built on first use.
defer_rfc3987_grammar()

if TYPE_CHECKING:
    # Private alias: `jupyter_server_core.ServerApp` stays the lazy __getattr__ below.
    from ._serverapp import ServerApp as _ServerApp

__all__ = [
    "APIHandler",
    "GzipStream",
    "JupyterHandler",
    "ServerApp",
    "ServerContext",
    "ServerWebApplication",
    "start_gzip",
    "__version__",
    "parse_json_body",
    "url_escape",
    "url_path_join",
    "url_unescape",
    "version_info",
]


def __getattr__(name: str) -> Any:
    # ServerApp pulls in jupyter_client; import it only when asked for.
    if name == "ServerApp":
        from ._serverapp import ServerApp

        return ServerApp
    raise AttributeError(name)


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "jupyter_server_core"}]


def _load_jupyter_server_extension(serverapp: _ServerApp) -> None:
    """The core services (kernels, kernelspecs, sessions) load as the first extension."""
    from ._services import load_core_services

    load_core_services(serverapp)
