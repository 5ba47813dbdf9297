"""The check shared by every ``root_dir`` trait: an existing directory, made absolute."""

from __future__ import annotations

import os

from traitlets import TraitError

__all__ = ["existing_directory"]


def existing_directory(value: object, trait: str) -> str:
    """``value`` as an absolute path (``~`` expanded); a TraitError naming ``trait`` if it
    is not an existing directory."""
    path = os.path.abspath(os.path.expanduser(str(value)))
    if not os.path.isdir(path):
        raise TraitError(f"{trait}: no such directory: {path!r}")
    return path
