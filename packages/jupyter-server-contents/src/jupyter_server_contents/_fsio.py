"""Blocking file-system work, called from a thread (never on the event loop).

Writes are atomic by default: the data goes to a temporary file in the same directory, is
flushed to disk, then ``os.replace`` swaps it in. A process killed at any moment leaves the
old file or the new one, never a truncated one; two concurrent writers each swap in a whole
file and the last one wins.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator

__all__ = [
    "TEMP_PREFIX",
    "write_file",
    "append_file",
    "fsync_dir",
    "is_temp_name",
    "writable",
    "remove_path",
    "dir_size",
    "copy_path",
]

#: Temporary files of atomic writes and chunked uploads start with this (hidden, never listed).
TEMP_PREFIX = ".~jpc-"


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _current_umask()
_EUID = os.geteuid() if hasattr(os, "geteuid") else -1
_GROUPS = set(os.getgroups()) if hasattr(os, "getgroups") else set()


def is_temp_name(name: str) -> bool:
    return name.startswith(TEMP_PREFIX)


def writable(st: os.stat_result) -> bool:
    """Whether this process may write the item, from its stat (no extra system call)."""
    if _EUID == 0:
        return True
    if st.st_uid == _EUID:
        return bool(st.st_mode & stat.S_IWUSR)
    if st.st_gid in _GROUPS:
        return bool(st.st_mode & stat.S_IWGRP)
    return bool(st.st_mode & stat.S_IWOTH)


def fsync_dir(directory: str) -> None:
    """Make a rename inside ``directory`` durable (best effort: not every platform can)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _mode_for(os_path: str) -> int:
    try:
        return stat.S_IMODE(os.stat(os_path).st_mode)
    except OSError:
        return 0o666 & ~_UMASK


def write_file(os_path: str, chunks: Iterator[bytes] | bytes, atomic: bool = True) -> None:
    """Write ``chunks`` to ``os_path``, atomically unless ``atomic`` is False.

    The new file keeps the permissions of the file it replaces (or the umask's for a new one).
    """
    parts: Iterator[bytes] = iter([chunks]) if isinstance(chunks, bytes) else chunks
    if not atomic:
        with open(os_path, "wb") as f:
            for part in parts:
                f.write(part)
            f.flush()
            os.fsync(f.fileno())
        return
    directory, name = os.path.split(os_path)
    mode = _mode_for(os_path)
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX + name[:40] + ".", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            for part in parts:
                f.write(part)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, os_path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    fsync_dir(directory)


def append_file(os_path: str, data: bytes) -> None:
    """Append to ``os_path`` (a chunked upload's temporary file), creating it if needed."""
    with open(os_path, "ab") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def remove_path(os_path: str) -> None:
    """Delete a file, a symlink or a whole directory tree, permanently."""
    if os.path.isdir(os_path) and not os.path.islink(os_path):
        shutil.rmtree(os_path)
    else:
        os.unlink(os_path)


def dir_size(os_path: str, limit: int) -> int:
    """Total size of the files under ``os_path``; stops counting once past ``limit``."""
    total = 0
    stack = [os_path]
    while stack:
        current = stack.pop()
        with os.scandir(current) as it:
            for entry in it:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                else:
                    total += entry.stat(follow_symlinks=False).st_size
                if total > limit:
                    return total
    return total


def copy_path(src: str, dst: str, atomic: bool = True) -> None:
    """Copy a file (atomically, with its metadata) or a directory tree to ``dst``."""
    if os.path.isdir(src):
        shutil.copytree(src, dst, symlinks=True)
        return

    def read_chunks() -> Iterator[bytes]:
        with open(src, "rb") as f:
            while True:
                block = f.read(1 << 20)
                if not block:
                    return
                yield block

    write_file(dst, read_chunks(), atomic=atomic)
    try:
        shutil.copystat(src, dst)
    except OSError as exc:  # some file systems refuse times or modes; the data is there
        if exc.errno not in (errno.EPERM, errno.ENOTSUP):
            raise
