"""Deleting files and directories: to the trash when configured, else permanently.

The rules are jupyter_server's, so a frontend sees the same answers:

- ``delete_to_trash`` (the default) moves the item, a non-empty folder included, to the
  platform's trash with send2trash (a dependency of this wheel). An item the server may not
  write is a 403; a trash that refuses the item (no trash on that device, a full disk) is a
  400 that says so, and the item stays where it was: nothing is deleted for good behind the
  user's back. On Windows a non-empty folder is kept unless ``always_delete_dir``, because
  the trash there may delete it permanently.
- Without the trash, a file is deleted permanently; a folder too when it is empty (a
  checkpoint folder inside does not count) or ``always_delete_dir`` is set, else a 400.
"""

from __future__ import annotations

import logging
import os
import sys

from tornado.web import HTTPError

from . import _fsio

__all__ = ["delete_path"]


def _is_non_empty_dir(os_path: str, checkpoint_dir: str) -> bool:
    if not os.path.isdir(os_path) or os.path.islink(os_path):
        return False
    with os.scandir(os_path) as it:
        return any(entry.name != checkpoint_dir for entry in it)


def _move_to_trash(os_path: str, api_path: str, always_delete_dir: bool, checkpoint_dir: str,
                   log: logging.Logger) -> None:
    from send2trash import send2trash

    if sys.platform == "win32" and not always_delete_dir and _is_non_empty_dir(os_path, checkpoint_dir):
        raise HTTPError(400, f"Directory {api_path} not empty: the Windows trash may delete it for good,"
                             " so it is kept unless FileContentsManager.always_delete_dir is True")
    if not os.access(os_path, os.W_OK):
        raise HTTPError(403, f"Permission denied: {api_path}")
    try:
        send2trash(os_path)
    except OSError as exc:
        raise HTTPError(400, f"Could not move {api_path} to the trash ({exc}); it was not deleted."
                             " Set FileContentsManager.delete_to_trash = False to delete permanently") from None
    log.debug("Moved %s to the trash", api_path)


def delete_path(os_path: str, api_path: str, to_trash: bool, always_delete_dir: bool,
                checkpoint_dir: str, log: logging.Logger) -> None:
    """Delete the item at ``os_path``; 404 when missing, 400/403 as the module docstring says."""
    if not os.path.lexists(os_path):
        raise HTTPError(404, f"File or directory does not exist: {api_path}")
    if to_trash:
        _move_to_trash(os_path, api_path, always_delete_dir, checkpoint_dir, log)
        return
    if not always_delete_dir and _is_non_empty_dir(os_path, checkpoint_dir):
        log.warning("Directory %s is kept: it is not empty and FileContentsManager.always_delete_dir"
                    " is False (FileContentsManager.delete_to_trash moves it to the trash instead)", api_path)
        # The message jupyter_server clients match on.
        raise HTTPError(400, f"Directory {api_path} not empty")
    try:
        _fsio.remove_path(os_path)
    except PermissionError:
        raise HTTPError(403, f"Permission denied: {api_path}") from None
    except OSError as exc:
        raise HTTPError(400, f"Cannot delete {api_path}: {exc.strerror}") from None
