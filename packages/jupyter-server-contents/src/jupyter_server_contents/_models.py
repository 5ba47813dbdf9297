"""Contents models (the JSON objects of /api/contents), built from one ``stat`` each.

Called from worker threads. A directory listing stats every entry once (``os.scandir``
caches it) and guesses MIME types from the name only; nothing is opened.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
import stat
from datetime import datetime, timezone
from typing import Any

from ._fsio import is_temp_name, writable
from ._paths import is_within

__all__ = ["base_model", "entry_type", "list_directory", "file_hash", "HASH_ALGORITHM", "guess_mimetype"]

HASH_ALGORITHM = "sha256"

# Types the mimetypes module does not know everywhere.
_EXTRA_TYPES = {".md": "text/markdown", ".yaml": "application/x-yaml",
                ".yml": "application/x-yaml", ".toml": "application/toml"}


def guess_mimetype(name: str) -> str | None:
    """The MIME type guessed from a file name, or None."""
    guessed = mimetypes.guess_type(name, strict=False)[0]
    if guessed is None:
        guessed = _EXTRA_TYPES.get(os.path.splitext(name)[1].lower())
    return guessed


def _utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc)


def created_time(st: os.stat_result) -> float:
    """When the item was created, as well as the platform tells: its birth time where the
    stat has one, else the inode change time; never after the last modification (a save
    by rename changes the inode after the content)."""
    birth = getattr(st, "st_birthtime", None)
    created = birth if isinstance(birth, (int, float)) and birth > 0 else st.st_ctime
    return min(created, st.st_mtime)


def entry_type(name: str, st: os.stat_result) -> str | None:
    """``"directory"``, ``"notebook"``, ``"file"``, or None for what we do not serve (fifos...)."""
    if stat.S_ISDIR(st.st_mode):
        return "directory"
    if stat.S_ISREG(st.st_mode):
        return "notebook" if name.endswith(".ipynb") else "file"
    return None


def base_model(api_path: str, st: os.stat_result, kind: str, exact_writable: bool | None = None) -> dict[str, Any]:
    """The model without content, in the field order jupyter_server uses."""
    name = api_path.rpartition("/")[2]
    return {
        "name": name,
        "path": api_path,
        "last_modified": _utc(st.st_mtime),
        "created": _utc(created_time(st)),
        "content": None,
        "format": None,
        "mimetype": guess_mimetype(name) if kind == "file" else None,
        "size": st.st_size if kind != "directory" else None,
        "writable": writable(st) if exact_writable is None else exact_writable,
        "hash": None,
        "hash_algorithm": None,
        "type": kind,
    }


def list_directory(
    os_dir: str,
    api_dir: str,
    *,
    allow_hidden: bool,
    hide_re: re.Pattern[str] | None,
    real_root: str,
) -> list[dict[str, Any]]:
    """Models (no content) of the entries of a directory that may be shown.

    Hidden entries are left out unless ``allow_hidden``; so are names matching ``hide_re``,
    temporary files of saves in progress, broken symlinks and symlinks leading out of the root.
    """
    models: list[dict[str, Any]] = []
    prefix = api_dir + "/" if api_dir else ""
    with os.scandir(os_dir) as it:
        for entry in it:
            name = entry.name
            if (not allow_hidden and name.startswith(".")) or is_temp_name(name):
                continue
            if hide_re is not None and hide_re.match(name):
                continue
            try:
                if entry.is_symlink() and not is_within(os.path.realpath(entry.path), real_root):
                    continue
                st = entry.stat()
            except OSError:  # vanished meanwhile, or a broken symlink
                continue
            kind = entry_type(name, st)
            if kind is None:
                continue
            models.append(base_model(prefix + name, st, kind))
    return models


def file_hash(os_path: str, algorithm: str = HASH_ALGORITHM) -> str:
    """The hex digest of a file (sha256 by default), read in blocks."""
    digest = hashlib.new(algorithm)
    with open(os_path, "rb") as f:
        while True:
            block = f.read(1 << 20)
            if not block:
                break
            digest.update(block)
    return digest.hexdigest()
