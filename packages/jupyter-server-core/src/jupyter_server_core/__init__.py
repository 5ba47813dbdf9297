"""jupyter-server-core: the minimal Jupyter Server.

Kernels, kernelspecs and sessions over REST and WebSocket; auth; config; extensions.
"""

from __future__ import annotations

from typing import Any

from ._base_handlers import APIHandler, JupyterHandler, parse_json_body
from ._compression import GzipStream, start_gzip
from ._urls import url_escape, url_path_join, url_unescape
from ._version import __version__, version_info
from ._web import ServerContext, ServerWebApplication

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


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """The core services (kernels, kernelspecs, sessions) load as the first extension."""
    from ._services import load_core_services

    load_core_services(serverapp)


async def _start_jupyter_server_extension(serverapp: Any) -> None:
    """The server listens: start what runs in the background (the warm kernel pool)."""
    from ._services import start_core_services

    start_core_services(serverapp)
