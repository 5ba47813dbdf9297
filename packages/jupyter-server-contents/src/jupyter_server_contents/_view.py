"""``/view/<path>``: a page that shows one file of the contents root.

JupyterLab's "Open in New Browser Tab" opens it for HTML files. The file itself comes from
``/files/`` inside a frame sandboxed to ``allow-scripts``: its scripts run, but in an opaque
origin that cannot read the server's cookies or call its API.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from jupyter_server_core import JupyterHandler, url_path_join
from tornado import web
from tornado.escape import xhtml_escape

from ._manager import ContentsManager

__all__ = ["ViewHandler", "view_page"]

_PAGE = """<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{title}</title>
<style>
html, body {{ height: 100%; margin: 0; overflow: hidden; }}
iframe {{ display: block; width: 100%; height: 100%; border: 0; }}
</style>
</head>
<body>
<iframe sandbox="allow-scripts" src="{src}" title="{title}"></iframe>
</body>
</html>
"""


def view_page(file_url: str, title: str) -> str:
    """The HTML of the viewing page: ``file_url`` in a script-only sandboxed frame."""
    return _PAGE.format(src=xhtml_escape(file_url), title=xhtml_escape(title))


class ViewHandler(JupyterHandler):
    """GET ``/view/<path>``: the viewing page of a file; 404 when no such file exists."""

    auth_resource = "contents"

    def initialize(self, contents_manager: ContentsManager, **kwargs: Any) -> None:
        self.contents_manager = contents_manager

    async def get(self, path: str = "") -> None:
        path = path.strip("/")
        if not path or not await self.contents_manager.file_exists(path):
            raise web.HTTPError(404, "No such file: %s", path)
        file_url = url_path_join(self.base_url, "files", quote(path, safe="/"))
        self.finish(view_page(file_url, path.rpartition("/")[2]))
