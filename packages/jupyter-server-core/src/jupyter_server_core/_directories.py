"""Directories: the check shared by every ``root_dir`` trait (an existing directory, made
absolute), and the per-user directories the server prepares at start."""

from __future__ import annotations

import logging
import os

from jupyter_core.utils import ensure_dir_exists
from traitlets import TraitError

__all__ = ["existing_directory", "prepare_private_dir"]


def existing_directory(value: object, trait: str) -> str:
    """``value`` as an absolute path (``~`` expanded); a TraitError naming ``trait`` if it
    is not an existing directory."""
    path = os.path.abspath(os.path.expanduser(str(value)))
    if not os.path.isdir(path):
        raise TraitError(f"{trait}: no such directory: {path!r}")
    return path


def prepare_private_dir(path: str, what: str, log: logging.Logger) -> bool:
    """Create ``path`` if missing, readable by the user only (0700, its parents as the umask
    says), as jupyter_core creates its directories. One warning naming it if that fails:
    the server starts anyway, and only what keeps state there is affected."""
    try:
        ensure_dir_exists(path, mode=0o700)
    except OSError as exc:
        log.warning("Could not create the %s %s: %s", what, path, exc.strerror or exc)
        return False
    return True
