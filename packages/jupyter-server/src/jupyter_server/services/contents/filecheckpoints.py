"""``jupyter_server.services.contents.filecheckpoints``: checkpoints kept as files.

``FileCheckpoints`` copies the file itself. The ``Generic`` variants keep the checkpoint in
the same place but go through the contents manager's own ``get`` and ``save`` to read and
restore the file, so they also work for a manager whose files are not plain files on disk.
"""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

from jupyter_core.utils import ensure_async
from jupyter_server_contents import AsyncFileCheckpoints, FileCheckpoints

__all__ = ["AsyncFileCheckpoints", "AsyncGenericFileCheckpoints", "FileCheckpoints", "GenericFileCheckpoints"]


class GenericFileCheckpoints(FileCheckpoints):
    """File checkpoints read and restored through the contents manager's models."""

    async def create_checkpoint(self, contents_mgr: Any, path: str) -> dict[str, Any]:
        model = await ensure_async(contents_mgr.get(path, content=True))
        cp_path = self.checkpoint_path("checkpoint", path)

        def write() -> dict[str, Any]:
            os.makedirs(os.path.dirname(cp_path), exist_ok=True)
            if model["type"] == "notebook":
                with open(cp_path, "w", encoding="utf-8") as f:
                    json.dump(model["content"], f, indent=1)
            elif model.get("format") == "base64":
                import base64

                with open(cp_path, "wb") as f:
                    f.write(base64.b64decode(model["content"]))
            else:
                with open(cp_path, "w", encoding="utf-8", newline="") as f:
                    f.write(model["content"])
            return self._model("checkpoint", cp_path)

        return await asyncio.to_thread(write)

    async def restore_checkpoint(self, contents_mgr: Any, checkpoint_id: str, path: str) -> None:
        cp_path = self.checkpoint_path(checkpoint_id, path)
        if not await asyncio.to_thread(os.path.isfile, cp_path):
            from tornado.web import HTTPError

            raise HTTPError(404, f"Checkpoint does not exist: {path}@{checkpoint_id}")

        def read() -> dict[str, Any]:
            if path.endswith(".ipynb"):
                with open(cp_path, encoding="utf-8") as f:
                    return {"type": "notebook", "content": json.load(f)}
            with open(cp_path, "rb") as f:
                data = f.read()
            try:
                return {"type": "file", "format": "text", "content": data.decode("utf-8")}
            except UnicodeDecodeError:
                import base64

                return {"type": "file", "format": "base64", "content": base64.b64encode(data).decode("ascii")}

        model = await asyncio.to_thread(read)
        await ensure_async(contents_mgr.save(model, path))


class AsyncGenericFileCheckpoints(GenericFileCheckpoints):
    """:class:`GenericFileCheckpoints` under jupyter_server's async name."""
