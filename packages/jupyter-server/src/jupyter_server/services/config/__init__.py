"""``jupyter_server.services.config``: the JSON config sections behind ``/api/config``."""

from __future__ import annotations

from .manager import ConfigManager, recursive_update

__all__ = ["ConfigManager", "recursive_update"]
