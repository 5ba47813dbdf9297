"""Deleting files and directories: to the trash when configured, else permanently.

send2trash is optional. Without it, or when the trash refuses an item (another device, no
permission), the item is deleted permanently and the log says why; a non-empty directory is
then deleted only with ``always_delete_dir``, and the error says how to get there.
"""

from __future__ import annotations

import logging
import os

from tornado.web import HTTPError

from . import _fsio

__all__ = ["delete_path", "trash_available"]


def trash_available() -> bool:
    try:
        import send2trash  # noqa: F401
    except ImportError:
        return False
    return True


def _is_non_empty_dir(os_path: str, checkpoint_dir: str) -> bool:
    with os.scandir(os_path) as it:
        return any(entry.name != checkpoint_dir for entry in it)


def delete_path(os_path: str, api_path: str, to_trash: bool, always_delete_dir: bool,
                checkpoint_dir: str, log: logging.Logger) -> None:
    """Delete the item at ``os_path``; 404 when missing, 400 for a directory kept by policy."""
    if not os.path.lexists(os_path):
        raise HTTPError(404, f"File or directory does not exist: {api_path}")
    why_not_trash = ""
    if to_trash:
        try:
            from send2trash import send2trash
        except ImportError:
            why_not_trash = "send2trash is not installed (pip install send2trash)"
        else:
            try:
                send2trash(os_path)
                log.debug("Moved %s to the trash", api_path)
                return
            except Exception as exc:  # noqa: BLE001 - TrashPermissionError, OSError: fall back below
                why_not_trash = f"the trash refused it ({type(exc).__name__}: {exc})"
    is_dir = os.path.isdir(os_path) and not os.path.islink(os_path)
    if is_dir and not always_delete_dir and _is_non_empty_dir(os_path, checkpoint_dir):
        hint = f" and {why_not_trash}" if why_not_trash else ""
        log.warning("Directory %s is kept: it is not empty, FileContentsManager.always_delete_dir is False%s",
                    api_path, hint)
        # The message jupyter_server clients match on.
        raise HTTPError(400, f"Directory {api_path} not empty")
    if why_not_trash:
        log.warning("Deleting %s permanently: %s", api_path, why_not_trash)
    try:
        _fsio.remove_path(os_path)
    except OSError as exc:
        raise HTTPError(400, f"Cannot delete {api_path}: {exc.strerror}") from None
