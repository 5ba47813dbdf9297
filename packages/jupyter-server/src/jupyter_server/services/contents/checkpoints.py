"""``jupyter_server.services.contents.checkpoints``: the checkpoints base classes."""

from __future__ import annotations

from jupyter_server_contents import AsyncCheckpoints, Checkpoints

__all__ = ["AsyncCheckpoints", "Checkpoints"]
