"""``jupyter_server.services.contents.filemanager``: the file system contents managers."""

from __future__ import annotations

import math
import os
from typing import Any

from jupyter_server_contents import AsyncFileContentsManager, FileContentsManager

__all__ = ["AsyncFileContentsManager", "FileContentsManager"]


def _get_created_timestamp(info: os.stat_result | Any) -> float:
    """The creation time in a stat result: ``st_birthtime`` where the platform gives a
    usable one (a finite, non-negative number), else ``st_ctime``."""
    birth = getattr(info, "st_birthtime", None)
    if isinstance(birth, (int, float)) and not isinstance(birth, bool) and math.isfinite(birth) and birth >= 0:
        return birth
    return float(info.st_ctime)
