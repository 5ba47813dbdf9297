"""The contents contract: :class:`ContentsManager`.

Subclasses implement storage (``get``, ``save``, ``delete_file``, ``rename_file``,
``file_exists``, ``dir_exists``, ``is_hidden``); this class builds on them what every
storage shares: untitled names, copies, renames with checkpoints, notebook trust, hooks.
Every method that touches storage is a coroutine.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from tornado.web import HTTPError
from traitlets import Any as AnyTrait
from traitlets import Bool, Dict, Instance, List, Type, Unicode, default, observe, validate
from traitlets.config import LoggingConfigurable
from traitlets.utils.importstring import import_item

from ._checkpoints import AsyncFileCheckpoints, Checkpoints
from ._paths import normalize_api_path, split_api_path

__all__ = ["ContentsManager", "AsyncContentsManager", "split_name", "copy_base_name"]

T = TypeVar("T")
_COPY_SUFFIX = re.compile(r"-Copy\d*$")


def split_name(filename: str) -> tuple[str, str]:
    """``"a.tar.gz"`` -> ``("a", ".tar.gz")``; notebooks split at the last dot."""
    base, dot, ext = filename.rpartition(".")
    if ext != "ipynb" or not base:
        base, dot, ext = filename.partition(".")
    return base, dot + ext


def copy_base_name(filename: str) -> str:
    """The name a copy starts from: ``"nb-Copy2.ipynb"`` -> ``"nb.ipynb"``."""
    base, suffix = split_name(filename)
    return _COPY_SUFFIX.sub("", base) + suffix


def _import_hook(value: Any, trait: str) -> Any:
    if isinstance(value, str):
        value = import_item(value)
    if value is not None and not callable(value):
        raise ValueError(f"{trait} must be callable or an import string naming a callable")
    return value


class ContentsManager(LoggingConfigurable):
    """Files, notebooks and directories at API paths (``"a/b.ipynb"``), with checkpoints.

    Models are dicts: ``name``, ``path``, ``type`` (``directory``/``notebook``/``file``),
    ``format``, ``mimetype``, ``content``, ``size``, ``writable``, ``created``,
    ``last_modified``, ``hash``, ``hash_algorithm``.
    """

    root_dir = Unicode("/", help="The root of the contents, on the server.").tag(config=True)
    preferred_dir = Unicode(
        "", help="Preferred starting directory for frontends, as an API path relative to root_dir."
    ).tag(config=True)
    allow_hidden = Bool(False, help="Allow access to hidden files and directories (names starting with a dot).").tag(config=True)
    hide_globs = List(
        Unicode(),
        ["__pycache__", "*.pyc", "*.pyo", ".DS_Store", "*~"],
        help="Glob patterns of names to hide in directory listings (they stay reachable by path).",
    ).tag(config=True)
    untitled_notebook = Unicode("Untitled", help="Name stem for a new notebook; a number is appended while the name is taken.").tag(config=True)
    untitled_file = Unicode("untitled", help="Name stem for a new file; a number is appended while the name is taken.").tag(config=True)
    untitled_directory = Unicode("Untitled Folder", help="Name stem for a new folder; a number is appended while the name is taken.").tag(config=True)
    pre_save_hook = AnyTrait(
        None, allow_none=True,
        help="""Python callable or importstring thereof, called as
        ``hook(model=model, path=path, contents_manager=self)`` before every save. It may
        change the model in place (strip output, ...).""",
    ).tag(config=True)
    post_save_hook = AnyTrait(
        None, allow_none=True,
        help="""Python callable or importstring thereof, called as
        ``hook(model=model, os_path=os_path, contents_manager=self)`` after every save
        (export a script, commit to git, ...).""",
    ).tag(config=True)
    checkpoints_class = Type(AsyncFileCheckpoints, klass=Checkpoints,
                             help="The checkpoints class to use.").tag(config=True)
    checkpoints_kwargs = Dict(help="Keyword arguments for the checkpoints class.").tag(config=True)
    checkpoints = Instance(Checkpoints, help="The checkpoints store (built from checkpoints_class).")
    files_handler_class = Type(
        "jupyter_server_contents._files_handler.FilesHandler", klass="tornado.web.RequestHandler",
        help="The handler class serving /files/ (raw downloads).",
    ).tag(config=True)
    files_handler_params = Dict(help="Extra keyword arguments for the files handler.").tag(config=True)
    # Not Instance("nbformat.sign.NotebookNotary"): traitlets would import nbformat (and its
    # jsonschema format checkers, about a second) when the manager is created at start.
    notary = AnyTrait(None, allow_none=True, help="Notebook signatures (trust): an nbformat NotebookNotary.")

    @validate("pre_save_hook")
    def _validate_pre_save_hook(self, proposal: Any) -> Any:
        return _import_hook(proposal["value"], "ContentsManager.pre_save_hook")

    @validate("post_save_hook")
    def _validate_post_save_hook(self, proposal: Any) -> Any:
        return _import_hook(proposal["value"], "ContentsManager.post_save_hook")

    @default("checkpoints")
    def _default_checkpoints(self) -> Checkpoints:
        kwargs = {"parent": self, "log": self.log, **self.checkpoints_kwargs}
        return self.checkpoints_class(**kwargs)

    @default("notary")
    def _default_notary(self) -> Any:
        from ._trust import open_notary

        return open_notary(self)  # first made on the notary thread: nbformat loads off the loop

    @observe("notary")
    def _notary_given(self, change: Any) -> None:
        if change["new"] is not None:  # a notary built elsewhere: its store must serve our thread
            from ._trust import share_store

            share_store(change["new"])

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._pre_save_hooks: list[Callable[..., Any]] = []
        self._post_save_hooks: list[Callable[..., Any]] = []
        # Signing runs on one worker thread, off the event loop and one at a time.
        self._notary_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="contents-notary")
        #: Set by the extension: ``emit_event({"action": ..., "path": ...})``.
        self.emit_event: Callable[[dict[str, Any]], None] = lambda data: None

    # -- hooks -----------------------------------------------------------------------

    def register_pre_save_hook(self, hook: Callable[..., Any] | str) -> None:
        """Add a pre-save hook (callable or import string), run after ``pre_save_hook``."""
        self._pre_save_hooks.append(_import_hook(hook, "pre-save hook"))

    def register_post_save_hook(self, hook: Callable[..., Any] | str) -> None:
        """Add a post-save hook (callable or import string), run after ``post_save_hook``."""
        self._post_save_hooks.append(_import_hook(hook, "post-save hook"))

    async def run_pre_save_hooks(self, model: dict[str, Any], path: str) -> None:
        hooks = [self.pre_save_hook] if self.pre_save_hook else []
        for hook in hooks + self._pre_save_hooks:
            try:
                await asyncio.to_thread(hook, model=model, path=path, contents_manager=self)
            except HTTPError:
                raise
            except Exception as exc:
                self.log.error("Pre-save hook %s failed on %s", getattr(hook, "__name__", hook), path, exc_info=True)
                raise HTTPError(500, f"Pre-save hook failed on {path}: {exc}") from exc

    async def run_pre_save_hook(self, model: dict[str, Any], path: str, **kwargs: Any) -> None:
        """jupyter_server's older name of :meth:`run_pre_save_hooks`."""
        await self.run_pre_save_hooks(model, path)

    async def run_post_save_hooks(self, model: dict[str, Any], os_path: str) -> None:
        hooks = [self.post_save_hook] if self.post_save_hook else []
        for hook in hooks + self._post_save_hooks:
            try:
                await asyncio.to_thread(hook, model=model, os_path=os_path, contents_manager=self)
            except Exception as exc:
                self.log.error("Post-save hook %s failed on %s", getattr(hook, "__name__", hook), os_path, exc_info=True)
                raise HTTPError(500, f"Unexpected error while running post-save hook: {exc}") from exc

    # -- storage: subclasses implement -----------------------------------------------

    async def get(self, path: str, content: bool = True, type: str | None = None,
                  format: str | None = None, require_hash: bool = False) -> dict[str, Any]:
        raise NotImplementedError

    async def save(self, model: dict[str, Any], path: str = "") -> dict[str, Any]:
        raise NotImplementedError

    async def delete_file(self, path: str) -> None:
        raise NotImplementedError

    async def rename_file(self, old_path: str, new_path: str) -> None:
        raise NotImplementedError

    async def file_exists(self, path: str = "") -> bool:
        raise NotImplementedError

    async def dir_exists(self, path: str) -> bool:
        raise NotImplementedError

    async def is_hidden(self, path: str) -> bool:
        raise NotImplementedError

    async def exists(self, path: str) -> bool:
        """Whether a file or a directory exists at ``path``."""
        return await self.file_exists(path) or await self.dir_exists(path)

    async def resolve_path(self, path: str) -> str | None:
        """The API path of an existing item that ``path`` names, else None.

        ``GET /api/resolvePath`` asks this for a path a kernel printed (absolute, relative
        to the root, or starting with ``~``). Managers that know no file system keep this
        default, which resolves nothing.
        """
        return None

    def should_list(self, name: str) -> bool:
        """Whether a name may appear in listings (``hide_globs``)."""
        import fnmatch

        return not any(fnmatch.fnmatch(name, glob) for glob in self.hide_globs)

    # -- generic operations ------------------------------------------------------------

    async def delete(self, path: str) -> None:
        """Delete a file or directory and its checkpoints."""
        path = normalize_api_path(path)
        if not path:
            raise HTTPError(400, "Can't delete root")
        await self.delete_file(path)
        await self.checkpoints.delete_all_checkpoints(path)
        self.emit_event({"action": "delete", "path": path})

    async def rename(self, old_path: str, new_path: str) -> None:
        """Rename a file or directory and its checkpoints."""
        await self.rename_file(old_path, new_path)
        await self.checkpoints.rename_all_checkpoints(old_path, new_path)
        self.emit_event({"action": "rename", "path": new_path, "source_path": old_path})

    async def update(self, model: dict[str, Any], path: str) -> dict[str, Any]:
        """PATCH: rename when ``model["path"]`` differs; return the model without content."""
        path = normalize_api_path(path)
        new_path = model.get("path")
        if new_path is not None and not isinstance(new_path, str):
            raise HTTPError(400, "The new path must be a string")
        if new_path is not None and normalize_api_path(new_path) != path:
            new_path = normalize_api_path(new_path)
            await self.rename(path, new_path)
            path = new_path
        return await self.get(path, content=False)

    async def increment_filename(self, filename: str, path: str = "", insert: str = "") -> str:
        """The first free name ``<base><insert><n><ext>`` in directory ``path``.

        ``"Untitled.ipynb"`` -> ``"Untitled1.ipynb"``; the extension starts at the first
        dot (``a.tar.gz``) except for notebooks.
        """
        path = normalize_api_path(path)
        base, suffix = split_name(filename)
        for i in itertools.count():
            candidate = f"{base}{insert}{i}{suffix}" if i else f"{base}{suffix}"
            if not await self.exists(f"{path}/{candidate}" if path else candidate):
                return candidate
        raise AssertionError("unreachable")

    async def new_untitled(self, path: str = "", type: str = "", ext: str = "") -> dict[str, Any]:
        """Create an untitled notebook, file or directory in directory ``path``."""
        path = normalize_api_path(path)
        if type not in ("", "notebook", "file", "directory"):
            raise HTTPError(400, f"Unexpected type {type!r}: use notebook, file or directory")
        if not isinstance(ext, str):
            raise HTTPError(400, "ext must be a string such as '.py'")
        if not await self.dir_exists(path):
            raise HTTPError(404, f"No such directory: {path}")
        if ext and not ext.startswith("."):
            ext = "." + ext
        if not type:
            type = "notebook" if ext == ".ipynb" else "file"
        model: dict[str, Any] = {"type": type}
        if type == "directory":
            name = await self.increment_filename(self.untitled_directory + ext, path, insert=" ")
        elif type == "notebook":
            name = await self.increment_filename(self.untitled_notebook + ".ipynb", path)
        else:
            name = await self.increment_filename(self.untitled_file + ext, path)
        return await self.new(model, f"{path}/{name}" if path else name)

    async def new(self, model: dict[str, Any] | None = None, path: str = "") -> dict[str, Any]:
        """Create an item at ``path`` from a partial ``model``.

        The type comes from the model, else from the name (``.ipynb`` is a notebook, the rest
        files). Without ``content`` a notebook starts empty and any other non-directory type
        becomes an empty text file.
        """
        path = normalize_api_path(path)
        item = {"type": "notebook" if path.endswith(".ipynb") else "file", **(model or {})}
        if "content" not in item and item["type"] != "directory":
            item.update(await _blank_item(item["type"]))
        result = await self.save(item, path)
        self.emit_event({"action": "create", "path": path})
        return result

    async def copy(self, from_path: str, to_path: str | None = None) -> dict[str, Any]:
        """Copy ``from_path`` into directory ``to_path`` (default: its own), as ``<name>-CopyN``."""
        raise NotImplementedError

    async def get_kernel_path(self, path: str, model: dict[str, Any] | None = None) -> str:
        """The API path of the directory a session's kernel starts in, for a document at ``path``."""
        path = normalize_api_path(path)
        try:
            if await self.dir_exists(path):
                return path
        except NotImplementedError:
            pass  # a manager without folders (this base class): the document's parent it is
        return split_api_path(path)[0]

    def validate_notebook_model(self, model: dict[str, Any], validation_error: Any = None) -> dict[str, Any]:
        """Add ``model["message"]`` when the notebook in ``model`` breaks its schema.

        ``validation_error``: the outcome of a validation the caller already ran (a dict,
        empty when the notebook was valid, else holding the error under
        ``"ValidationError"``); the notebook is validated here only without one.
        """
        import nbformat

        if validation_error is None:
            from ._schema_check import validate_notebook

            try:
                validate_notebook(model["content"])
            except nbformat.ValidationError as exc:
                model["message"] = f"Notebook validation failed: {exc.message}"
        elif validation_error.get("ValidationError") is not None:
            error = validation_error["ValidationError"]
            model["message"] = f"Notebook validation failed: {getattr(error, 'message', error)}"
        return model

    def info_string(self) -> str:
        """One line for the server log at start: where the contents come from."""
        return "Serving contents"

    # -- notebook trust ----------------------------------------------------------------

    async def _on_notary_thread(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` on the notary's worker thread: signing stays off the event loop."""
        return await asyncio.get_running_loop().run_in_executor(self._notary_thread, lambda: fn(*args))

    def mark_trusted_cells(self, nb: Any, path: str = "") -> None:
        """Set ``metadata.trusted`` on each cell from the notebook's signature.

        Synchronous, as in jupyter_server 2.x (managers built on this one call it from
        their ``get``); it reads the signature store. Ours runs it on the notary thread. A
        signature store that cannot be read leaves the cells untrusted.
        """
        from ._trust import check_signature

        try:
            trusted = check_signature(self.notary, nb, self.log)
        except Exception as exc:  # noqa: BLE001 - reading a notebook never fails over trust
            self.log.warning("Notebook %s is shown untrusted: its signature cannot be checked (%s)", path, exc)
            trusted = False
        self.notary.mark_cells(nb, trusted)

    def check_and_sign(self, nb: Any, path: str = "") -> None:
        """Sign a notebook about to be saved if all its cells are trusted (synchronous,
        as ``mark_trusted_cells``).

        The transient ``trusted`` marks are removed first (they are never written), so the
        signature matches the notebook as it will be read back. A signature store that
        cannot be written even after a fresh start is a 500: the save would lose trust.
        """
        from nbformat.v4.rwbase import strip_transient

        trusted = bool(self.notary.check_cells(nb))
        strip_transient(nb)  # type: ignore[no-untyped-call]
        if not trusted:
            self.log.warning("Notebook %s is not trusted", path)
            return
        self._sign(nb, path)

    def _sign(self, nb: Any, path: str) -> None:
        from ._trust import SignatureStoreError, sign

        try:
            sign(self.notary, nb, self.log)
        except SignatureStoreError as exc:  # the store, not the notebook, failed
            raise HTTPError(500, f"Cannot record the signature of {path}: the signature store failed ({exc})") from exc

    async def trust_notebook(self, path: str) -> None:
        """Trust a notebook: sign it as it is now, without changing the file."""
        model = await self.get(path)
        if model["type"] != "notebook":
            raise HTTPError(400, f"{model['path']} is not a notebook")
        self.log.warning("Trusting notebook %s", path)

        def trust(nb: Any) -> None:
            from nbformat.v4.rwbase import strip_transient

            strip_transient(nb)  # type: ignore[no-untyped-call]
            self._sign(nb, path)

        await self._on_notary_thread(trust, model["content"])

    # -- checkpoints -------------------------------------------------------------------

    async def create_checkpoint(self, path: str) -> dict[str, Any]:
        return await self.checkpoints.create_checkpoint(self, normalize_api_path(path))

    async def restore_checkpoint(self, checkpoint_id: str, path: str) -> None:
        await self.checkpoints.restore_checkpoint(self, checkpoint_id, normalize_api_path(path))

    async def list_checkpoints(self, path: str) -> list[dict[str, Any]]:
        return await self.checkpoints.list_checkpoints(normalize_api_path(path))

    async def delete_checkpoint(self, checkpoint_id: str, path: str) -> None:
        await self.checkpoints.delete_checkpoint(checkpoint_id, normalize_api_path(path))

    def close(self) -> None:
        """Release the notary thread (the server calls this on shutdown)."""
        self._notary_thread.shutdown(wait=False)


class AsyncContentsManager(ContentsManager):
    """The same contract under jupyter_server's async name."""


async def _blank_item(kind: str) -> dict[str, Any]:
    """Content, format and type of an empty notebook (for ``kind == "notebook"``) or text file."""
    if kind == "notebook":
        # The first import of nbformat takes about a second: never on the event loop.
        return {"type": kind, "format": "json", "content": await asyncio.to_thread(_new_notebook)}
    return {"type": "file", "format": "text", "content": ""}


def _new_notebook() -> Any:
    from nbformat.v4 import new_notebook

    return new_notebook()  # type: ignore[no-untyped-call]
