"""The server's root URL: a redirect to ``ServerApp.default_url``, or a short landing page.

``c.ServerApp.default_url = "/lab"`` (what JupyterLab sets) makes ``<base_url>`` and
``<base_url>/`` redirect there, the query kept so that ``/?token=T`` reaches the frontend
with its token, as jupyter_server 2.x does. With the default ``/`` there is nothing to
redirect to, and the root says that a server runs here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._base_handlers import JupyterHandler
from ._urls import url_path_join

if TYPE_CHECKING:
    from ._serverapp import ServerApp

__all__ = ["RootHandler", "root_routes"]

_LANDING = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Jupyter Server</title></head>
<body><h1>Jupyter Server</h1><p>A Jupyter Server is running.</p>
<script>
// The token, if the URL carried one, was exchanged for a login cookie: drop it from the
// address bar and history.
(function () {
  var url = new URL(window.location.href);
  if (url.searchParams.has("token")) {
    url.searchParams.delete("token");
    window.history.replaceState(null, "", url.pathname + url.search + url.hash);
  }
})();
</script></body></html>"""


class RootHandler(JupyterHandler):
    """``GET <base_url>``: to ``default_url`` when it is elsewhere, else the landing page.

    Open without login, as in jupyter_server: the page says nothing but that a server
    runs, and the redirect's target does its own authentication.
    """

    allow_unauthenticated = True

    def initialize(self, default_url: str) -> None:
        self.default_url = default_url

    def get(self) -> None:
        if self.default_url.rstrip("/") != self.base_url.rstrip("/"):
            query = self.request.query
            self.redirect(self.default_url + (f"?{query}" if query else ""))
            return
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.finish(_LANDING)


def root_routes(serverapp: ServerApp) -> list[Any]:
    """The root route; extensions launched as ``jupyter <name>`` add their own over it."""
    target = url_path_join(serverapp.base_url, serverapp.default_url)
    return [(url_path_join(serverapp.base_url, "/?"), RootHandler, {"default_url": target})]
