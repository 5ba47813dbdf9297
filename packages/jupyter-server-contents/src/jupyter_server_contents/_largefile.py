"""Chunked uploads: :class:`LargeFileManager`.

A client sends a big file as PUTs with ``"chunk": 1, 2, ... -1`` (``-1`` for the last). The
chunks are appended to a hidden temporary file next to the target; the last chunk swaps it
in with ``os.replace``. Until then the target keeps its old content, whole.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from typing import Any

from tornado.web import HTTPError

from . import _fsio
from ._filemanager import AsyncFileContentsManager, FileContentsManager
from ._models import base_model

__all__ = ["LargeFileManager", "AsyncLargeFileManager"]


def _upload_path(os_path: str) -> str:
    directory, name = os.path.split(os_path)
    key = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:24]
    return os.path.join(directory, f"{_fsio.TEMP_PREFIX}upload-{key}")


class LargeFileManager(FileContentsManager):
    """A FileContentsManager that also accepts files uploaded in chunks."""

    async def upload_in_progress(self, path: str) -> bool:
        """Whether chunks of an upload to ``path`` have arrived and the last one has not."""
        return await asyncio.to_thread(lambda: os.path.isfile(_upload_path(self._os_path(path))))

    async def save(self, model: dict[str, Any], path: str = "") -> dict[str, Any]:
        chunk = model.get("chunk")
        if chunk is None:
            return await super().save(model, path)
        if isinstance(chunk, bool) or not isinstance(chunk, int) or (chunk < 1 and chunk != -1):
            raise HTTPError(400, f"Invalid chunk number {chunk!r}: use 1, 2, ... and -1 for the last one")
        # The two messages clients of jupyter_server match on.
        if not model.get("type"):
            raise HTTPError(400, "No file type provided")
        if model["type"] != "file":
            raise HTTPError(400, f'File type "{model["type"]}" is not supported for large file transfer')
        if "content" not in model:
            raise HTTPError(400, "No file content provided")
        api_path, os_path = await self._resolve(path)
        self._refuse_hidden(api_path, "create")
        if not api_path:
            raise HTTPError(400, "Cannot save a file at the root's path")
        await self._check_parent(api_path)
        if chunk == 1:
            await self.run_pre_save_hooks(model, api_path)
        upload = _upload_path(os_path)

        def write_chunk() -> dict[str, Any] | None:
            data = self._file_bytes(model, api_path)
            if os.path.isdir(os_path):
                raise HTTPError(400, f"{api_path} is a directory, not a file", reason="bad type")
            if chunk == 1:
                _fsio.write_file(upload, data, atomic=False)
            else:
                if not os.path.exists(upload) and os.path.isfile(os_path):
                    # A client that skipped chunk 1 appends to the existing file, as before.
                    _fsio.copy_path(os_path, upload, atomic=False)
                _fsio.append_file(upload, data)
            if chunk != -1:
                return base_model(api_path, os.stat(upload), "file", True)
            if os.path.exists(os_path):
                os.chmod(upload, os.stat(os_path).st_mode & 0o7777)
            os.replace(upload, os_path)
            _fsio.fsync_dir(os.path.dirname(os_path))
            return None

        partial = await asyncio.to_thread(write_chunk)
        if partial is not None:
            return partial
        result = await self.get(api_path, content=False)
        await self.run_post_save_hooks(result, os_path)
        self.emit_event({"action": "upload", "path": api_path})
        return result

    async def delete_file(self, path: str) -> None:
        await super().delete_file(path)
        upload = _upload_path((await self._resolve(path))[1])

        def discard() -> None:
            if os.path.exists(upload):
                os.unlink(upload)

        await asyncio.to_thread(discard)


class AsyncLargeFileManager(LargeFileManager, AsyncFileContentsManager):
    """The default contents manager: files, notebooks, directories and chunked uploads."""
