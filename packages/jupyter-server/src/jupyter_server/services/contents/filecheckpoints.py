"""``jupyter_server.services.contents.filecheckpoints``: checkpoints kept as files."""

from __future__ import annotations

from jupyter_server_contents import AsyncFileCheckpoints, FileCheckpoints

__all__ = ["AsyncFileCheckpoints", "FileCheckpoints"]
