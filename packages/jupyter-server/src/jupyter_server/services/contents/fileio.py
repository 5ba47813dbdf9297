"""``jupyter_server.services.contents.fileio``: safe file writing helpers and the file mixins.

``atomic_writing`` opens a stand-in file next to the target and moves it over the target
only when the block ends without an error, so a failed save never leaves half a file. It
follows symlinks (the link stays, its target is replaced), keeps the target's permission
bits (a new file gets the umask's), and writes in place when the folder is read-only but
the file is writable.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from typing import IO, Any

from jupyter_server_contents import AsyncFileManagerMixin, FileManagerMixin

__all__ = [
    "AsyncFileManagerMixin",
    "FileManagerMixin",
    "atomic_writing",
    "copy2_safe",
    "path_to_intermediate",
    "path_to_invalid",
    "replace_file",
]


def path_to_intermediate(path: str | os.PathLike[str]) -> str:
    """Where a backup of ``path`` is kept during a save: ``<dir>/.~<name>``."""
    folder, name = os.path.split(os.fspath(path))
    return os.path.join(folder, ".~" + name)


def path_to_invalid(path: str | os.PathLike[str]) -> str:
    """Where an unreadable file is moved aside: ``<path>.invalid``."""
    return os.fspath(path) + ".invalid"


def replace_file(src: str, dst: str) -> None:
    """Move ``src`` over ``dst`` in one step (same filesystem)."""
    os.replace(src, dst)


def copy2_safe(src: str, dst: str, log: Any = None) -> None:
    """Copy data and metadata; metadata that cannot be copied (some mounts) is only logged."""
    shutil.copyfile(src, dst)
    try:
        shutil.copystat(src, dst)
    except OSError:
        if log is not None:
            log.debug("copystat on %s failed", dst, exc_info=True)


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def atomic_writing(path: str | os.PathLike[str], text: bool = True, encoding: str = "utf-8",
                   log: Any = None, **kwargs: Any) -> Iterator[IO[Any]]:
    """A writable file object whose content replaces ``path`` when the block succeeds."""
    target = os.path.realpath(os.fspath(path))
    folder = os.path.dirname(target) or "."
    mode = "w" if text else "wb"
    open_kwargs = dict(kwargs, encoding=encoding) if text else {}
    try:
        fd, temp = tempfile.mkstemp(prefix=".~", suffix=".tmp", dir=folder)
    except PermissionError:
        if not os.access(target, os.W_OK):
            raise
        # A read-only folder holding a writable file: no stand-in possible, write in place.
        with open(target, mode, **open_kwargs) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        return
    try:
        with os.fdopen(fd, mode, **open_kwargs) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        try:
            permissions = os.stat(target).st_mode & 0o7777
        except FileNotFoundError:
            permissions = _new_file_mode()
        os.chmod(temp, permissions)
        replace_file(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
