"""``jupyter_server.files.handlers``: ``/files/<path>``, raw file downloads.

``FilesHandler`` is the contents wheel's own handler, so that
``FileContentsManager.files_handler_class = "jupyter_server.files.handlers.FilesHandler"``
in a user's config names the class the server already uses.
"""

from __future__ import annotations

from typing import Any

from jupyter_server_contents import FilesHandler

__all__ = ["AUTH_RESOURCE", "FilesHandler", "default_handlers"]

AUTH_RESOURCE = "contents"

# (URL pattern under base_url, handler): the routes this module stands for.
default_handlers: list[tuple[str, Any]] = [(r"/files/(.*)", FilesHandler)]
