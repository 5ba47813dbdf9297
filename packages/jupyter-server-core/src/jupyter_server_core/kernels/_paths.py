"""Where a kernel runs: API paths under root_dir turned into a working directory."""

from __future__ import annotations

import os
import posixpath

from ._errors import KernelPathError

__all__ = ["resolve_kernel_cwd"]


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def resolve_kernel_cwd(root_dir: str, path: object) -> str:
    """The directory a kernel started for API ``path`` runs in.

    ``path`` is a directory relative to ``root_dir`` with ``/`` separators, as the REST API
    sends it (``"sub/dir"``; a leading ``/`` still means root_dir, as jupyter_server reads
    it). An absolute OS path is accepted when it lies inside root_dir. A directory that
    does not exist yet is replaced by its nearest existing parent, so a kernel for an
    unsaved document still starts next to it.

    Raises :class:`KernelPathError` for anything that would leave root_dir: ``..``
    segments, an existing directory outside root_dir, a symlink pointing out of it.
    """
    root = os.path.realpath(root_dir)
    if path is None or path == "":
        return root
    if not isinstance(path, str):
        raise KernelPathError(f"path must be a string, got {type(path).__name__}")
    if "\x00" in path:
        raise KernelPathError("path must not contain NUL characters")
    if os.path.isabs(path):
        real = os.path.realpath(path)
        if _within(real, root):
            return _nearest_existing_dir(real, root)
        if os.path.exists(path):
            raise KernelPathError(f"{path!r} is outside the server's root directory")
    relative = posixpath.normpath(path.replace("\\", "/").lstrip("/"))
    if relative == ".." or relative.startswith("../"):
        raise KernelPathError(f"{path!r} is outside the server's root directory")
    candidate = root if relative == "." else os.path.join(root, *relative.split("/"))
    return _nearest_existing_dir(candidate, root)


def _nearest_existing_dir(candidate: str, root: str) -> str:
    while not os.path.isdir(candidate) and _within(candidate, root) and candidate != root:
        candidate = os.path.dirname(candidate)
    real = os.path.realpath(candidate)
    if not _within(real, root):
        raise KernelPathError("the kernel's directory resolves outside the server's root directory")
    return real
