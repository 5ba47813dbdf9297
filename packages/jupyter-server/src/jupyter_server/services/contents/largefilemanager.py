"""``jupyter_server.services.contents.largefilemanager``: chunked uploads on the file system."""

from __future__ import annotations

from jupyter_server_contents import AsyncLargeFileManager, LargeFileManager

__all__ = ["AsyncLargeFileManager", "LargeFileManager"]
