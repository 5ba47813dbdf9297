"""``jupyter_server.services.contents.filemanager``: the file system contents managers."""

from __future__ import annotations

from jupyter_server_contents import AsyncFileContentsManager, FileContentsManager

__all__ = ["AsyncFileContentsManager", "FileContentsManager"]
