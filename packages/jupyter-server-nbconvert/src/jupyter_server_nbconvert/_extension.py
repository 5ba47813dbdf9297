"""The server extension hooks: the converter and routes on load, its threads released on stop."""

from __future__ import annotations

from typing import Any, Protocol

from jupyter_server_core import url_path_join
from jupyter_server_core.contracts import ExtensionServer

from ._apispec import NBCONVERT_PATHS
from ._convert import Converter
from ._handlers import (
    ContentsProvider,
    NbconvertFileHandler,
    NbconvertFormatsHandler,
    NbconvertPostHandler,
)

__all__ = ["nbconvert_routes", "load_nbconvert", "stop_nbconvert"]


class NbconvertHost(ExtensionServer, Protocol):
    """The ServerApp as this extension uses it: the contract plus the trait it reads and the
    converter it keeps there."""

    nbconvert_csp_sandbox: bool
    nbconvert_converter: Converter


def nbconvert_routes(base_url: str, converter: Converter, contents: ContentsProvider, *,
                     csp_sandbox: bool = True, root_dir: str = "") -> list[Any]:
    """The routes of the nbconvert service; ``contents()`` returns the contents manager."""
    pages = {"converter": converter, "contents": contents, "csp_sandbox": csp_sandbox, "root_dir": root_dir}
    return [
        (url_path_join(base_url, r"/api/nbconvert"), NbconvertFormatsHandler, {"converter": converter}),
        (url_path_join(base_url, r"/nbconvert/([^/]+)/(.*)"), NbconvertFileHandler, pages),
        (url_path_join(base_url, r"/nbconvert/([^/]+)"), NbconvertPostHandler, pages),
    ]


def load_nbconvert(serverapp: NbconvertHost) -> None:
    """Create the converter and add the routes.

    The contents manager is looked up on each request, not now: the contents extension may
    load after this one.
    """
    converter = Converter(config=serverapp.config)
    serverapp.nbconvert_converter = converter
    routes = nbconvert_routes(
        serverapp.base_url, converter, lambda: serverapp.contents_manager,
        csp_sandbox=bool(serverapp.nbconvert_csp_sandbox), root_dir=serverapp.root_dir,
    )
    assert serverapp.web_app is not None, "extensions load once the web app exists"
    serverapp.web_app.add_handlers(".*$", routes)
    serverapp.api_spec.add(NBCONVERT_PATHS)


async def stop_nbconvert(serverapp: NbconvertHost) -> None:
    converter = getattr(serverapp, "nbconvert_converter", None)
    if isinstance(converter, Converter):
        converter.shutdown()
