"""Static files of an extension, served under ``/static/<name>/`` from several folders."""

from __future__ import annotations

import os
from collections.abc import Sequence

from jupyter_server_core import JupyterHandler
from tornado import web

__all__ = ["ExtensionStaticHandler"]


def _roots(path: str | Sequence[str]) -> list[str]:
    return [path] if isinstance(path, str) else list(path)


class ExtensionStaticHandler(JupyterHandler, web.StaticFileHandler):
    """tornado's StaticFileHandler over a list of folders: the first that has the file wins.

    Static assets load on the login page too, so no login is asked; the host check of the
    base handler still applies. A ``?v=<hash>`` URL (see ``static_url``) is cached for long.
    """

    allow_unauthenticated = True

    def initialize(self, path: str | Sequence[str], default_filename: str | None = None) -> None:  # type: ignore[override]
        self.root = _roots(path)  # type: ignore[assignment]
        self.default_filename = default_filename

    @classmethod
    def get_absolute_path(cls, root: str | Sequence[str], path: str) -> str:
        roots = _roots(root)
        for folder in roots:
            candidate = os.path.abspath(os.path.join(folder, path))
            if os.path.exists(candidate):
                return candidate
        return os.path.abspath(os.path.join(roots[0] if roots else "", path))

    def validate_absolute_path(self, root: str | Sequence[str], absolute_path: str) -> str | None:
        for folder in _roots(root):
            base = os.path.abspath(folder)
            if (absolute_path + os.sep).startswith(base + os.sep):
                return super().validate_absolute_path(base, absolute_path)
        raise web.HTTPError(404)

    def compute_etag(self) -> str | None:
        return super().compute_etag() if getattr(self, "absolute_path", None) else None
