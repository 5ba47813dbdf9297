"""API paths and their place on disk: the one gate every file access goes through.

An API path is ``/``-separated and relative to the contents root. Whatever a client sends
(``..``, percent-encoded slashes or dots that tornado already decoded, absolute paths, NUL
bytes, symlinks that lead out of the root), :func:`resolve` either returns an OS path whose
real location is inside the root or raises a 4xx.
"""

from __future__ import annotations

import fnmatch
import functools
import os
import posixpath
import re

from tornado.web import HTTPError

__all__ = [
    "normalize_api_path",
    "resolve",
    "is_within",
    "is_hidden_api_path",
    "compile_globs",
    "split_api_path",
]


def normalize_api_path(path: str) -> str:
    """``"/a/./b/../c/"`` -> ``"a/c"``; 404 for NUL bytes or a path that climbs out of the root."""
    if "\x00" in path:
        raise HTTPError(404, f"{path!r} is not a valid path")
    stripped = path.strip("/")
    if not stripped:
        return ""
    normalized = posixpath.normpath(stripped)
    if normalized == "." or normalized == "":
        return ""
    if normalized == ".." or normalized.startswith("../") or normalized.startswith("/"):
        raise HTTPError(404, f"{stripped} is outside root contents directory")
    return normalized


def split_api_path(path: str) -> tuple[str, str]:
    """``"a/b/c.txt"`` -> ``("a/b", "c.txt")``."""
    parent, _, name = path.rpartition("/")
    return parent, name


def is_within(real_path: str, real_root: str) -> bool:
    """Whether ``real_path`` (already resolved) is ``real_root`` or inside it."""
    if real_path == real_root:
        return True
    prefix = real_root if real_root.endswith(os.sep) else real_root + os.sep
    return real_path.startswith(prefix)


def resolve(root_dir: str, path: str, real_root: str | None = None) -> tuple[str, str]:
    """The (normalized API path, OS path) for ``path``; 404 when it is not inside the root.

    Symlinks are followed and their target must stay inside the root, for existing items as
    for items about to be created (the parent is checked then).
    """
    api_path = normalize_api_path(path)
    parts = api_path.split("/") if api_path else []
    os_path = os.path.join(root_dir, *parts)
    root = real_root or os.path.realpath(root_dir)
    if api_path and not is_within(os.path.realpath(os_path), root):
        raise HTTPError(404, f"{api_path} is outside root contents directory")
    return api_path, os_path


def is_hidden_api_path(api_path: str) -> bool:
    """A path is hidden when one of its parts starts with a dot."""
    return any(part.startswith(".") for part in api_path.split("/") if part)


@functools.lru_cache(maxsize=8)
def compile_globs(globs: tuple[str, ...]) -> re.Pattern[str] | None:
    """One regular expression matching a name against every glob of ``hide_globs``."""
    if not globs:
        return None
    return re.compile("|".join(f"(?:{fnmatch.translate(g)})" for g in globs))
