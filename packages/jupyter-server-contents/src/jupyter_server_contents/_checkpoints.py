"""Checkpoints: saved copies of a file that a client can list, restore and delete.

:class:`Checkpoints` is the contract (async); :class:`FileCheckpoints` keeps one checkpoint
per file, with the id ``"checkpoint"``, as ``<dir>/.ipynb_checkpoints/<name>-checkpoint<ext>``.
"""

from __future__ import annotations

import asyncio
import os
from datetime import datetime, timezone
from typing import Any

from tornado.web import HTTPError
from traitlets import Unicode, default
from traitlets.config import LoggingConfigurable

from . import _fsio
from ._paths import resolve, split_api_path

__all__ = ["Checkpoints", "AsyncCheckpoints", "FileCheckpoints", "AsyncFileCheckpoints"]


class Checkpoints(LoggingConfigurable):
    """The checkpoints contract. Every method is a coroutine.

    ``contents_mgr`` is the ContentsManager owning the file; implementations that store
    checkpoints elsewhere (a database...) read and write the file through it.
    """

    async def create_checkpoint(self, contents_mgr: Any, path: str) -> dict[str, Any]:
        """Checkpoint the file at ``path``; return ``{"id", "last_modified"}``."""
        raise NotImplementedError

    async def restore_checkpoint(self, contents_mgr: Any, checkpoint_id: str, path: str) -> None:
        """Put the checkpoint's content back at ``path``."""
        raise NotImplementedError

    async def rename_checkpoint(self, checkpoint_id: str, old_path: str, new_path: str) -> None:
        """Follow a renamed file."""
        raise NotImplementedError

    async def delete_checkpoint(self, checkpoint_id: str, path: str) -> None:
        """Delete one checkpoint; 404 when there is none."""
        raise NotImplementedError

    async def list_checkpoints(self, path: str) -> list[dict[str, Any]]:
        """The checkpoints of ``path``, as ``[{"id", "last_modified"}]``."""
        raise NotImplementedError

    async def rename_all_checkpoints(self, old_path: str, new_path: str) -> None:
        for cp in await self.list_checkpoints(old_path):
            await self.rename_checkpoint(cp["id"], old_path, new_path)

    async def delete_all_checkpoints(self, path: str) -> None:
        for cp in await self.list_checkpoints(path):
            await self.delete_checkpoint(cp["id"], path)


class AsyncCheckpoints(Checkpoints):
    """The same contract under jupyter_server's async name."""


class FileCheckpoints(AsyncCheckpoints):
    """Checkpoints as copies in a folder next to the file (``checkpoint_dir``)."""

    checkpoint_dir = Unicode(
        ".ipynb_checkpoints",
        help="""The directory name in which to keep file checkpoints.

        This is a path relative to the file's own directory; absolute paths are used as
        they are (all checkpoints in one place).""",
    ).tag(config=True)

    root_dir = Unicode(help="The root of the files checkpointed (default: the contents manager's).").tag(config=True)

    @default("root_dir")
    def _default_root_dir(self) -> str:
        parent_root = getattr(self.parent, "root_dir", None)
        return str(parent_root) if parent_root else os.getcwd()

    def checkpoint_path(self, checkpoint_id: str, path: str) -> str:
        """The OS path of a checkpoint of the file at API path ``path`` (call in a thread)."""
        api_path, os_path = resolve(self.root_dir, path)
        parent_api, name = split_api_path(api_path)
        base, ext = os.path.splitext(name)
        filename = f"{base}-{checkpoint_id}{ext}"
        if os.path.isabs(self.checkpoint_dir):
            folder = os.path.join(self.checkpoint_dir, parent_api) if parent_api else self.checkpoint_dir
        else:
            folder = os.path.join(os.path.dirname(os_path), self.checkpoint_dir)
        return os.path.join(folder, filename)

    @staticmethod
    def _model(checkpoint_id: str, cp_path: str) -> dict[str, Any]:
        mtime = os.stat(cp_path).st_mtime
        return {"id": checkpoint_id, "last_modified": datetime.fromtimestamp(mtime, tz=timezone.utc)}

    async def create_checkpoint(self, contents_mgr: Any, path: str) -> dict[str, Any]:
        def copy() -> dict[str, Any]:
            _, src = resolve(self.root_dir, path)
            cp_path = self.checkpoint_path("checkpoint", path)
            if not os.path.isfile(src):
                raise HTTPError(404, f"File does not exist: {path}")
            os.makedirs(os.path.dirname(cp_path), exist_ok=True)
            _fsio.copy_path(src, cp_path)
            return self._model("checkpoint", cp_path)

        return await asyncio.to_thread(copy)

    async def restore_checkpoint(self, contents_mgr: Any, checkpoint_id: str, path: str) -> None:
        def copy_back() -> None:
            _, dst = resolve(self.root_dir, path)
            cp_path = self.checkpoint_path(checkpoint_id, path)
            if not os.path.isfile(cp_path):
                raise HTTPError(404, f"Checkpoint does not exist: {path}@{checkpoint_id}")
            _fsio.copy_path(cp_path, dst)

        await asyncio.to_thread(copy_back)

    async def rename_checkpoint(self, checkpoint_id: str, old_path: str, new_path: str) -> None:
        def move() -> None:
            old_cp = self.checkpoint_path(checkpoint_id, old_path)
            new_cp = self.checkpoint_path(checkpoint_id, new_path)
            if os.path.isfile(old_cp):
                os.makedirs(os.path.dirname(new_cp), exist_ok=True)
                os.replace(old_cp, new_cp)

        await asyncio.to_thread(move)

    async def delete_checkpoint(self, checkpoint_id: str, path: str) -> None:
        def remove() -> None:
            cp_path = self.checkpoint_path(checkpoint_id, path)
            if not os.path.isfile(cp_path):
                raise HTTPError(404, f"Checkpoint does not exist: {path}@{checkpoint_id}")
            os.unlink(cp_path)

        await asyncio.to_thread(remove)

    async def list_checkpoints(self, path: str) -> list[dict[str, Any]]:
        def listing() -> list[dict[str, Any]]:
            cp_path = self.checkpoint_path("checkpoint", path)
            if not os.path.isfile(cp_path):
                return []
            return [self._model("checkpoint", cp_path)]

        return await asyncio.to_thread(listing)


class AsyncFileCheckpoints(FileCheckpoints):
    """:class:`FileCheckpoints` under jupyter_server's async name (the default class)."""
