"""Helper names of jupyter_server's file managers that subclasses and extensions call.

Contents managers written for jupyter_server 2.x (jupytext, collaboration backends...)
subclass its ``AsyncFileContentsManager`` and call these private helpers; they keep their
names and (async) signatures here, on top of the thread-based implementation.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
from typing import Any

from tornado.web import HTTPError

from . import _fsio
from ._models import HASH_ALGORITHM
from ._notebooks import read_notebook, to_notebook_node, write_notebook
from ._paths import resolve

__all__ = ["FileManagerCompatMixin"]


class FileManagerCompatMixin:
    """``_get_os_path``, ``_read_file``, ``_save_file``, ``_read_notebook``, ``_save_notebook``,
    ``_dir_model``, ``_file_model``, ``_notebook_model`` and ``info_string``."""

    root_dir: str
    use_atomic_writing: bool

    def _os_path(self, path: str) -> str:
        # Managers override this (ours caches the real root); a bare mixin resolves here.
        return resolve(str(self.root_dir), path)[1]

    async def get(self, path: str, content: bool = True, type: str | None = None,
                  format: str | None = None, require_hash: bool = False) -> dict[str, Any]:
        raise NotImplementedError

    def _get_os_path(self, path: str) -> str:
        """The OS path of an API path inside root_dir, else a 404 (blocking: resolves symlinks)."""
        return self._os_path(path)

    def info_string(self) -> str:
        return f"Serving notebooks from local directory: {self.root_dir}"

    async def _read_file(self, os_path: str, format: str | None, raw: bool = False) -> tuple[Any, ...]:
        """(content, format) of a file, or (content, format, bytes) with ``raw``."""
        def read() -> tuple[Any, ...]:
            if not os.path.isfile(os_path):
                raise HTTPError(400, f"Cannot read non-file {os.path.basename(os_path)}")
            with open(os_path, "rb") as f:
                data = f.read()
            if format != "base64":
                try:
                    text = data.decode("utf-8")
                    return (text, "text", data) if raw else (text, "text")
                except UnicodeDecodeError:
                    if format == "text":
                        raise HTTPError(400, f"{os.path.basename(os_path)} is not UTF-8 encoded",
                                        reason="bad format") from None
            encoded = base64.encodebytes(data).decode("ascii")
            return (encoded, "base64", data) if raw else (encoded, "base64")

        return await asyncio.to_thread(read)

    async def _save_file(self, os_path: str, content: str, format: str) -> None:
        """Write text or base64 ``content`` to ``os_path`` (atomically unless configured off)."""
        if format not in ("text", "base64"):
            raise HTTPError(400, "Must specify format of file contents as 'text' or 'base64'")

        def write() -> None:
            data = content.encode("utf-8") if format == "text" else base64.b64decode(content)
            _fsio.write_file(os_path, data, atomic=self.use_atomic_writing)

        await asyncio.to_thread(write)

    async def _read_notebook(self, os_path: str, as_version: int = 4,
                             capture_validation_error: dict[str, Any] | None = None, raw: bool = False) -> Any:
        """The notebook at ``os_path`` (and its bytes, with ``raw``)."""
        def read() -> Any:
            try:
                nb, _, message = read_notebook(os_path, os.path.basename(os_path), False)
            except HTTPError:
                if not self._restore_backup(os_path):
                    raise
                nb, _, message = read_notebook(os_path, os.path.basename(os_path), False)
            if message and isinstance(capture_validation_error, dict):
                capture_validation_error["ValidationError"] = message
            if raw:
                with open(os_path, "rb") as f:
                    return nb, f.read()
            return nb

        return await asyncio.to_thread(read)

    def _restore_backup(self, os_path: str) -> bool:
        """Put back the copy jupyter_server 2.x's atomic save keeps (``.~<name>``) over an
        unreadable file it left when a save died half-way (with ``use_atomic_writing``); the
        unreadable file is kept as ``<name>.invalid``. Whether a copy was restored."""
        folder, name = os.path.split(os_path)
        backup = os.path.join(folder, ".~" + name)
        if not getattr(self, "use_atomic_writing", False) or not os.path.isfile(backup):
            return False
        log = getattr(self, "log", None)
        if log is not None:
            log.warning("%s is unreadable: restoring the copy an interrupted save left (%s)", os_path, backup)
        os.replace(os_path, os_path + ".invalid")
        os.replace(backup, os_path)
        return True

    def _get_hash(self, byte_content: bytes) -> dict[str, str]:
        """``{"hash", "hash_algorithm"}`` of some bytes, with the manager's hash algorithm."""
        algorithm = getattr(self, "hash_algorithm", HASH_ALGORITHM)
        return {"hash": hashlib.new(algorithm, byte_content).hexdigest(), "hash_algorithm": algorithm}

    async def _save_notebook(self, os_path: str, nb: Any, capture_validation_error: dict[str, Any] | None = None) -> None:
        """Write a notebook (a NotebookNode or plain dict) to ``os_path``."""
        def write() -> None:
            node = to_notebook_node(dict(nb))
            message = write_notebook(os_path, os.path.basename(os_path), node, self.use_atomic_writing)
            if message and isinstance(capture_validation_error, dict):
                capture_validation_error["ValidationError"] = message

        await asyncio.to_thread(write)

    async def _dir_model(self, path: str, content: bool = True) -> dict[str, Any]:
        return await self.get(path, content=content, type="directory")

    async def _file_model(self, path: str, content: bool = True, format: str | None = None,
                          require_hash: bool = False) -> dict[str, Any]:
        return await self.get(path, content=content, type="file", format=format, require_hash=require_hash)

    async def _notebook_model(self, path: str, content: bool = True, require_hash: bool = False) -> dict[str, Any]:
        return await self.get(path, content=content, type="notebook", require_hash=require_hash)
