"""``jupyter_server.services.contents.manager``: the contents manager base classes."""

from __future__ import annotations

from jupyter_server_contents import AsyncContentsManager, ContentsManager

__all__ = ["AsyncContentsManager", "ContentsManager"]
