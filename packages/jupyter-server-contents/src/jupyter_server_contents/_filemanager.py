"""Contents on the local file system: :class:`FileContentsManager`.

Every file access runs in a worker thread (``asyncio.to_thread``); paths go through
:func:`~._paths.resolve`, so nothing is read or written outside ``root_dir``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import os
import stat
from typing import Any

from tornado.web import HTTPError
from traitlets import Bool, Enum, Int, TraitError, default, validate

from . import _fsio
from ._compat import FileManagerCompatMixin
from ._manager import AsyncContentsManager, copy_base_name
from ._models import HASH_ALGORITHM, base_model, entry_type, file_hash, list_directory
from ._notebooks import read_notebook, to_notebook_node, write_notebook
from ._paths import compile_globs, is_hidden_api_path, normalize_api_path, resolve, split_api_path

__all__ = ["FileContentsManager", "AsyncFileContentsManager"]


def _bad_type(message: str) -> HTTPError:
    return HTTPError(400, message, reason="bad type")


class FileContentsManager(FileManagerCompatMixin, AsyncContentsManager):
    """Files, notebooks and directories under ``root_dir``. Async inside, like every manager."""

    delete_to_trash = Bool(
        True, help="If True (default), deleting files sends them to the platform's trash (needs send2trash)."
    ).tag(config=True)
    always_delete_dir = Bool(
        False, help="If True, deleting a non-empty directory without the trash removes it and its contents."
    ).tag(config=True)
    use_atomic_writing = Bool(
        True,
        help="""Write files to a temporary file in the same directory, then rename it over the
        original (the default): a crash never leaves a truncated file. Turn off only on
        file systems where renaming breaks ownership or links.""",
    ).tag(config=True)
    hash_algorithm = Enum(
        sorted(a for a in hashlib.algorithms_available if not a.startswith("shake")), default_value=HASH_ALGORITHM,
        help="The hash algorithm of the models' hash field (hash=1); any of hashlib's.",
    ).tag(config=True)
    max_copy_folder_size_mb = Int(500, help="The maximum size, in MB, of a folder that may be copied.").tag(config=True)

    @default("root_dir")
    def _default_root_dir(self) -> str:
        parent_root = getattr(self.parent, "root_dir", None)
        return str(parent_root) if parent_root else os.getcwd()

    @validate("root_dir")
    def _validate_root_dir(self, proposal: Any) -> str:
        value = os.path.abspath(os.path.expanduser(str(proposal["value"])))
        if not os.path.isdir(value):
            raise TraitError(f"FileContentsManager.root_dir: no such directory: {value!r}")
        return value

    @validate("preferred_dir")
    def _validate_preferred_dir(self, proposal: Any) -> str:
        """An API path of an existing folder under root_dir; an absolute OS path inside
        root_dir is taken too (as the API path it is)."""
        value = str(proposal["value"])
        root = os.path.abspath(self.root_dir)
        if os.path.isabs(value) and os.path.isdir(value):
            inside = os.path.relpath(os.path.abspath(value), root)
            if inside != os.pardir and not inside.startswith(os.pardir + os.sep):
                value = "" if inside == os.curdir else inside.replace(os.sep, "/")
        value = value.strip("/")
        if not value:
            return ""
        parts = value.split("/")
        target = os.path.normpath(os.path.join(root, *parts))
        if os.pardir in parts and os.path.commonpath([target, root]) != root:
            raise TraitError(f"FileContentsManager.preferred_dir: {value!r} is outside root contents directory {root!r}")
        if not os.path.isdir(target):
            raise TraitError(
                f"FileContentsManager.preferred_dir: Preferred directory not found under root_dir {root!r}: {value!r}"
            )
        return value

    # -- paths -------------------------------------------------------------------------

    def _resolve_sync(self, path: str) -> tuple[str, str]:
        """(API path, OS path) inside root_dir, or a 404 (symlinks resolved: call in a thread)."""
        return resolve(self.root_dir, path, self._real_root())

    async def _resolve(self, path: str) -> tuple[str, str]:
        return await asyncio.to_thread(self._resolve_sync, path)

    def _real_root(self) -> str:
        cached = getattr(self, "_real_root_cache", None)
        if cached is None or cached[0] != self.root_dir:
            cached = (self.root_dir, os.path.realpath(self.root_dir))
            self._real_root_cache = cached
        return cached[1]

    def _os_path(self, path: str) -> str:
        """The OS path of an API path (inside root_dir, or 404); call in a thread."""
        return self._resolve_sync(path)[1]

    def _refuse_hidden(self, api_path: str, verb: str) -> None:
        if not self.allow_hidden and is_hidden_api_path(api_path):
            raise HTTPError(400, f"Cannot {verb} file or directory {'/' + api_path!r}")

    async def file_exists(self, path: str = "") -> bool:
        return await asyncio.to_thread(lambda: os.path.isfile(self._os_path(path)))

    async def dir_exists(self, path: str) -> bool:
        return await asyncio.to_thread(lambda: os.path.isdir(self._os_path(path)))

    async def exists(self, path: str) -> bool:
        return await asyncio.to_thread(lambda: os.path.exists(self._os_path(path)))

    async def is_hidden(self, path: str) -> bool:
        return is_hidden_api_path(normalize_api_path(path))

    async def resolve_path(self, path: str) -> str | None:
        return await asyncio.to_thread(self._resolve_existing, path)

    def _resolve_existing(self, path: str) -> str | None:
        candidate = os.path.expanduser(path)
        if os.path.isabs(candidate):
            root = os.path.abspath(self.root_dir)
            absolute = os.path.abspath(candidate)
            if os.path.commonpath([root, absolute]) != root:
                return None  # outside the root: no API path names it
            candidate = os.path.relpath(absolute, root)
        try:
            api_path, os_path = self._resolve_sync(candidate.replace(os.sep, "/"))
        except HTTPError:
            return None
        return api_path if os.path.exists(os_path) else None

    # -- get ---------------------------------------------------------------------------

    async def get(self, path: str, content: bool = True, type: str | None = None,
                  format: str | None = None, require_hash: bool = False) -> dict[str, Any]:
        """The model of the item at ``path``; ``content`` with the listing or the data."""
        if type not in (None, "directory", "file", "notebook"):
            raise _bad_type(f"Type {type!r} is invalid: use directory, file or notebook")
        if format not in (None, "text", "base64", "json"):
            raise HTTPError(400, f"Format {format!r} is invalid")
        api_path, os_path = await self._resolve(path)
        if not self.allow_hidden and is_hidden_api_path(api_path):
            raise HTTPError(404, f"file or directory {'/' + api_path!r} does not exist")
        try:
            st = await asyncio.to_thread(os.stat, os_path)
        except OSError:
            raise HTTPError(404, f"file or directory {'/' + api_path!r} does not exist") from None
        kind = entry_type(api_path.rpartition("/")[2], st)
        if kind is None:
            raise HTTPError(400, f"{api_path} is not a regular file or directory")
        try:
            if kind == "directory":
                if type not in (None, "directory"):
                    raise _bad_type(f"{api_path} is a directory, not a {type}")
                return await self._directory_model_at(api_path, os_path, st, content)
            if type == "directory":
                raise _bad_type(f"{api_path} is not a directory")
            if type == "notebook" or (type is None and kind == "notebook"):
                return await self._notebook_model_at(api_path, os_path, content, require_hash)
            if format == "json":
                raise HTTPError(400, "Format 'json' is for notebooks and directories; files are 'text' or 'base64'",
                                reason="bad format")
            return await self._file_model_at(api_path, os_path, content, format, require_hash)
        except (FileNotFoundError, NotADirectoryError):
            # Deleted (or replaced) between the stat above and the read: gone, not a failure.
            raise HTTPError(404, f"file or directory {'/' + api_path!r} does not exist") from None

    async def _directory_model_at(self, api_path: str, os_path: str, st: os.stat_result, content: bool) -> dict[str, Any]:
        model = base_model(api_path, st, "directory", await asyncio.to_thread(os.access, os_path, os.W_OK))
        if content:
            model["content"] = await asyncio.to_thread(
                list_directory, os_path, api_path, allow_hidden=self.allow_hidden,
                hide_re=compile_globs(tuple(self.hide_globs)), real_root=self._real_root(),
            )
            model["format"] = "json"
        return model

    async def list_directory_page(self, path: str, query: Any) -> tuple[dict[str, Any], str | None]:
        """The folder's model with one page of a paged listing (a ``_listing.ListingQuery``)
        as content, and the name the next page starts after (None on the last page)."""
        from ._listing import scan_page

        model = await self.get(path, content=False, type="directory")
        _, os_path = await self._resolve(model["path"])
        model["content"], last = await asyncio.to_thread(
            scan_page, os_path, model["path"], query, allow_hidden=self.allow_hidden,
            hide_re=compile_globs(tuple(self.hide_globs)), real_root=self._real_root(),
        )
        model["format"] = "json"
        return model, last

    async def _file_model_at(self, api_path: str, os_path: str, content: bool, format: str | None,
                          require_hash: bool) -> dict[str, Any]:
        algorithm = self.hash_algorithm

        def build() -> dict[str, Any]:
            st = os.stat(os_path)
            model = base_model(api_path, st, "file", os.access(os_path, os.W_OK))
            if not content:
                if require_hash:
                    model.update(hash=file_hash(os_path, algorithm), hash_algorithm=algorithm)
                return model
            with open(os_path, "rb") as f:
                data = f.read()
            if require_hash:
                model.update(hash=hashlib.new(algorithm, data).hexdigest(), hash_algorithm=algorithm)
            if format != "base64":
                try:
                    model["content"] = data.decode("utf-8")
                    model["format"] = "text"
                    model["mimetype"] = model["mimetype"] or "text/plain"
                    return model
                except UnicodeDecodeError:
                    if format == "text":
                        raise HTTPError(400, f"{api_path} is not UTF-8 encoded", reason="bad format") from None
            model["content"] = base64.encodebytes(data).decode("ascii")
            model["format"] = "base64"
            model["mimetype"] = model["mimetype"] or "application/octet-stream"
            return model

        return await asyncio.to_thread(build)

    async def _notebook_model_at(self, api_path: str, os_path: str, content: bool, require_hash: bool) -> dict[str, Any]:
        algorithm = self.hash_algorithm

        def build() -> tuple[dict[str, Any], Any, str | None]:
            st = os.stat(os_path)
            model = base_model(api_path, st, "notebook", os.access(os_path, os.W_OK))
            if not content:
                if require_hash:
                    model.update(hash=file_hash(os_path, algorithm), hash_algorithm=algorithm)
                return model, None, None
            nb, digest, message = read_notebook(os_path, api_path, require_hash, algorithm)
            if digest:
                model.update(hash=digest, hash_algorithm=algorithm)
            return model, nb, message

        model, nb, message = await asyncio.to_thread(build)
        if nb is not None:
            await self._on_notary_thread(self.mark_trusted_cells, nb, api_path)
            model["content"] = nb
            model["format"] = "json"
            if message:
                model["message"] = message
        return model

    # -- save --------------------------------------------------------------------------

    async def save(self, model: dict[str, Any], path: str = "") -> dict[str, Any]:
        """Save a notebook, file or directory at ``path``; return its model without content."""
        api_path, os_path = await self._resolve(path)
        kind = model.get("type")
        if not kind:
            raise HTTPError(400, "No file type provided")
        if "content" not in model and kind != "directory":
            raise HTTPError(400, "No file content provided")
        self._refuse_hidden(api_path, "create")
        if not api_path and kind != "directory":
            raise HTTPError(400, "Cannot save a file at the root's path")
        await self._check_parent(api_path)
        await self.run_pre_save_hooks(model, api_path)
        message = None
        if kind == "notebook":
            message = await self._write_notebook_model(model, api_path, os_path)
        elif kind == "file":
            await asyncio.to_thread(self._write_regular_file, os_path, api_path, model)
        elif kind == "directory":
            await asyncio.to_thread(self._make_directory, os_path, api_path)
        else:
            raise _bad_type(f"Unhandled contents type: {kind}")
        result = await self.get(api_path, content=False)
        if message:
            result["message"] = message
        await self.run_post_save_hooks(result, os_path)
        self.emit_event({"action": "save", "path": api_path})
        return result

    async def _check_parent(self, api_path: str) -> None:
        parent = split_api_path(api_path)[0]
        if not await self.dir_exists(parent):
            raise HTTPError(404, f"No such directory: {parent}")

    async def _write_notebook_model(self, model: dict[str, Any], api_path: str, os_path: str) -> str | None:
        content = model["content"]
        if not isinstance(content, dict):
            raise HTTPError(400, "Invalid notebook: the content must be a JSON object")
        if not isinstance(content.get("nbformat"), int) or not isinstance(content.get("cells", []), list):
            raise HTTPError(400, "Invalid notebook: it needs an integer 'nbformat' and a list of 'cells'")
        nb = await asyncio.to_thread(to_notebook_node, content)
        try:
            await self._on_notary_thread(self.check_and_sign, nb, api_path)
        except HTTPError:
            raise
        except Exception as exc:  # noqa: BLE001 - cells of the wrong shape
            raise HTTPError(400, f"Invalid notebook: {type(exc).__name__}: {exc}") from None
        message = await asyncio.to_thread(write_notebook, os_path, api_path, nb, self.use_atomic_writing)
        # One checkpoint always exists for a notebook (a first save creates it).
        if not await self.checkpoints.list_checkpoints(api_path):
            await self.checkpoints.create_checkpoint(self, api_path)
        return message

    @staticmethod
    def _file_bytes(model: dict[str, Any], api_path: str) -> bytes:
        fmt = model.get("format")
        content = model.get("content")
        if fmt not in ("text", "base64"):
            raise HTTPError(400, "Must specify format of file contents as 'text' or 'base64'")
        if not isinstance(content, str):
            raise HTTPError(400, f"The content of {api_path} must be a string ({fmt})")
        if fmt == "text":
            try:
                return content.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise HTTPError(400, f"Invalid text content for {api_path}: {exc.reason}", reason="bad format") from None
        try:
            return base64.b64decode("".join(content.split()), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise HTTPError(400, f"Invalid base64 content for {api_path}: {exc}", reason="bad format") from None

    def _write_regular_file(self, os_path: str, api_path: str, model: dict[str, Any]) -> None:
        data = self._file_bytes(model, api_path)
        if os.path.isdir(os_path):
            raise _bad_type(f"{api_path} is a directory, not a file")
        _fsio.write_file(os_path, data, atomic=self.use_atomic_writing)

    @staticmethod
    def _make_directory(os_path: str, api_path: str) -> None:
        if os.path.isdir(os_path):
            return
        if os.path.lexists(os_path):
            raise _bad_type(f"{api_path} exists and is not a directory")
        os.mkdir(os_path)

    # -- delete, rename, copy ----------------------------------------------------------

    async def delete_file(self, path: str) -> None:
        """Delete a file or directory: to the trash when configured, else permanently."""
        from ._delete import delete_path

        api_path, os_path = await self._resolve(path)
        self._refuse_hidden(api_path, "delete")
        if not api_path:
            raise HTTPError(400, "Can't delete root")
        checkpoint_dir = str(getattr(self.checkpoints, "checkpoint_dir", ""))
        await asyncio.to_thread(delete_path, os_path, api_path, self.delete_to_trash,
                                self.always_delete_dir, checkpoint_dir, self.log)

    async def rename_file(self, old_path: str, new_path: str) -> None:
        """Move ``old_path`` to ``new_path``; 404 when missing, 409 when the target exists."""
        old_api, old_os = await self._resolve(old_path)
        new_api, new_os = await self._resolve(new_path)
        if old_api == new_api:
            return
        self._refuse_hidden(old_api, "rename")
        if not self.allow_hidden and is_hidden_api_path(new_api):
            raise HTTPError(400, f"Cannot rename file or directory {'/' + old_api!r}")
        if not old_api or not new_api:
            raise HTTPError(400, "Cannot rename the root directory")

        def move() -> None:
            if not os.path.lexists(old_os):
                raise HTTPError(404, f"File or directory does not exist: {old_api}")
            if os.path.lexists(new_os):
                raise HTTPError(409, f"File already exists: {new_api}")
            if new_api.startswith(old_api + "/"):
                raise HTTPError(400, f"Cannot move {old_api} into itself")
            parent = split_api_path(new_api)[0]
            if not os.path.isdir(os.path.dirname(new_os)):
                raise HTTPError(404, f"No such directory: {parent}")
            try:
                os.rename(old_os, new_os)
            except OSError as exc:
                raise HTTPError(400, f"Cannot rename {old_api} to {new_api}: {exc.strerror}") from None

        await asyncio.to_thread(move)

    async def copy(self, from_path: str, to_path: str | None = None) -> dict[str, Any]:
        """Copy a file, notebook or directory into directory ``to_path`` as ``<name>-CopyN``."""
        from_api, from_os = await self._resolve(from_path)
        self._refuse_hidden(from_api, "copy")
        to_dir = split_api_path(from_api)[0] if to_path is None else (await self._resolve(to_path))[0]
        self._refuse_hidden(to_dir, "copy")
        if not from_api:
            raise HTTPError(400, "Cannot copy the root directory")
        try:
            st = await asyncio.to_thread(os.stat, from_os)
        except OSError:
            raise HTTPError(404, f"No such file or directory: {from_api}") from None
        is_dir = stat.S_ISDIR(st.st_mode)
        target_name = None
        if not await self.dir_exists(to_dir):
            parent, last = split_api_path(to_dir)
            if is_dir:  # a folder copied to a folder that does not exist yet: create it
                await self.new({"type": "directory"}, to_dir) if await self.dir_exists(parent) else None
            elif await self.dir_exists(parent) and not await self.file_exists(to_dir):
                to_dir, target_name = parent, last  # ``to_path`` names the copy itself
            if not await self.dir_exists(to_dir):
                raise HTTPError(404, f"No such directory: {to_dir}")
        if is_dir and (to_dir == from_api or to_dir.startswith(from_api + "/")):
            raise HTTPError(400, f"Cannot copy {from_api} into itself")
        if is_dir:
            limit = int(self.max_copy_folder_size_mb * 1024 * 1024)
            if await asyncio.to_thread(_fsio.dir_size, from_os, limit) > limit:
                raise HTTPError(400, f"Can't copy folders larger than {self.max_copy_folder_size_mb:g} MB: {from_api}")
        name = target_name or await self.increment_filename(
            copy_base_name(split_api_path(from_api)[1]), to_dir, insert="-Copy")
        to_api, to_os = await self._resolve(f"{to_dir}/{name}" if to_dir else name)
        try:
            await asyncio.to_thread(_fsio.copy_path, from_os, to_os, self.use_atomic_writing)
        except OSError as exc:
            raise HTTPError(400, f"Cannot copy {from_api}: {exc.strerror}") from None
        if to_api.endswith(".ipynb") and not is_dir and not await self.checkpoints.list_checkpoints(to_api):
            await self.checkpoints.create_checkpoint(self, to_api)
        self.emit_event({"action": "copy", "path": to_api, "source_path": from_api})
        return await self.get(to_api, content=False)


class AsyncFileContentsManager(FileContentsManager):
    """:class:`FileContentsManager` under jupyter_server's async name."""
