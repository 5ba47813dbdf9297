"""The server's own static files: ``/static/favicons/`` (the frontends link them), and the
site icon at ``/favicon.ico`` and ``/static/favicon.ico``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tornado import web

from ._base_handlers import JupyterHandler
from ._urls import url_path_join

__all__ = ["CoreStaticHandler", "static_routes", "STATIC_DIR"]

STATIC_DIR = Path(__file__).parent / "static"


class CoreStaticHandler(JupyterHandler, web.StaticFileHandler):
    """Public files shipped with the core (icons): no login, with the server's headers."""

    allow_unauthenticated = True

    def initialize(self, path: str, default_filename: str | None = None) -> None:  # type: ignore[override]
        web.StaticFileHandler.initialize(self, path, default_filename)


def static_routes(base_url: str) -> list[Any]:
    favicons = {"path": str(STATIC_DIR / "favicons")}
    return [
        (url_path_join(base_url, r"/static/favicons/(.*)"), CoreStaticHandler, favicons),
        # Where browsers and jupyter_server's pages look for the site icon.
        (url_path_join(base_url, r"/(favicon\.ico)"), CoreStaticHandler, favicons),
        (url_path_join(base_url, r"/static/(favicon\.ico)"), CoreStaticHandler, favicons),
    ]
