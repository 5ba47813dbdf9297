"""SessionManager: which kernel serves which document, kept in an embedded SQLite store."""

from __future__ import annotations

import asyncio
import inspect
import os
import posixpath
import sqlite3
import uuid
from typing import Any

from tornado import web
from traitlets import Any as AnyTrait
from traitlets import TraitError, Unicode, validate
from traitlets.config import LoggingConfigurable

from ..kernels import KernelError, KernelNotFound
from ._store import SessionRow, SessionStore

__all__ = ["SessionError", "SessionManager", "SessionNotFound", "SessionQueryError"]

_SQLITE_MAGIC = b"SQLite format 3\x00"


class SessionError(KernelError):
    """A bad session request (400)."""


class SessionQueryError(SessionError, TypeError):
    """A session column that does not exist was named: a TypeError, as any unknown keyword
    argument (jupyter_server 2.x's contract), and a 400 for a handler."""


class SessionNotFound(SessionError, KeyError, web.HTTPError):
    """No session has this id: a 404, also to code that catches tornado's HTTPError around
    the session manager (as jupyter_server 2.x's raises it)."""

    def __init__(self, message: str = "No such session") -> None:
        web.HTTPError.__init__(self, 404, "%s", message)
        self.args = (message,)

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "No such session"


def _refuse_values_for_running(kernel_id: str, launch: dict[str, Any]) -> None:
    """SessionError if parameter values come with a kernel that already runs (they would be lost)."""
    if launch.get("kernel_parameters") is not None:
        raise SessionError(
            f"Kernel parameters apply when a kernel starts, and the kernel {kernel_id} already runs: "
            "give kernel.name instead of kernel.id to start one with them"
        )


class SessionManager(LoggingConfigurable):
    """Sessions: a document path (and name, type) bound to a kernel. Async only.

    Each session starts its kernel in the directory of its path (asking the contents
    manager's ``get_kernel_path`` when an extension installed one), with
    ``JPY_SESSION_NAME`` set to the document's file path. Deleting a session, or moving
    it to another kernel, shuts its kernel down unless another session still uses it.
    """

    database_filepath = Unicode(
        ":memory:",
        help="The SQLite file that keeps sessions; ':memory:' (the default) keeps them in memory only. "
        "An existing file must be an SQLite database.",
    ).tag(config=True)

    kernel_manager = AnyTrait(help="The MappingKernelManager the sessions' kernels live in.")
    contents_manager = AnyTrait(
        None, allow_none=True,
        help="The contents manager asked for a document's kernel directory; default: the parent's.",
    )

    @validate("database_filepath")
    def _validate_database_filepath(self, proposal: Any) -> str:
        value = str(proposal["value"])
        if value == ":memory:":
            return value
        path = os.path.abspath(os.path.expanduser(value))
        if os.path.isdir(path):
            raise TraitError(f"SessionManager.database_filepath: {path!r} is a directory, not a file")
        if os.path.exists(path) and os.path.getsize(path) > 0:
            with open(path, "rb") as f:
                if f.read(len(_SQLITE_MAGIC)) != _SQLITE_MAGIC:
                    raise TraitError(f"SessionManager.database_filepath: {path!r} is not an SQLite database")
        return path

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._store: SessionStore | None = None
        self._path_locks: dict[str, asyncio.Lock] = {}

    @property
    def store(self) -> SessionStore:
        """The SQLite store, opened on first use."""
        if self._store is None:
            path = self.database_filepath
            kernel_store = getattr(self.kernel_manager, "kernel_store", None)
            if kernel_store is not None and path == ":memory:":
                path = kernel_store.path  # kernel persistence: sessions live with their kernels
            try:
                self._store = SessionStore(path)
            except sqlite3.DatabaseError as exc:
                raise TraitError(f"SessionManager.database_filepath {self.database_filepath!r}: {exc}") from None
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def new_session_id(self) -> str:
        return str(uuid.uuid4())

    # -- reading -----------------------------------------------------------------------

    async def session_exists(self, path: str) -> bool:
        """Whether a session with a live kernel exists for ``path``."""
        for row in self.store.select(path=path):
            if row.kernel_id in self.kernel_manager:
                return True
        return False

    async def get_session(self, **where: Any) -> dict[str, Any]:
        """The model of the first session matching ``column=value`` (session_id, path...)."""
        if not where:
            raise SessionError("Say which session: session_id, path, name, type or kernel_id")
        try:
            rows = self.store.select(**where)
        except TypeError as exc:
            raise SessionQueryError(str(exc)) from None
        for row in rows:
            model = self._model_or_prune(row)
            if model is not None:
                return model
        if set(where) == {"session_id"}:
            raise SessionNotFound(f"No such session: {where['session_id']}")
        shown = ", ".join(f"{k}={v!r}" for k, v in where.items())
        raise SessionNotFound(f"No such session: {shown}")

    async def list_sessions(self) -> list[dict[str, Any]]:
        """Every session whose kernel still runs (sessions of vanished kernels are dropped)."""
        models = (self._model_or_prune(row) for row in self.store.select())
        return [m for m in models if m is not None]

    def _model_or_prune(self, row: SessionRow) -> dict[str, Any] | None:
        try:
            return self.row_to_model(row)
        except KernelNotFound:
            self.log.info("Session %s: its kernel %s is gone; removing it", row.session_id, row.kernel_id)
            self.store.delete(row.session_id)
            return None

    def row_to_model(self, row: SessionRow) -> dict[str, Any]:
        """The REST model; raises KernelNotFound when the session's kernel is gone."""
        kernel = self.kernel_manager.kernel_model(row.kernel_id)
        model: dict[str, Any] = {
            "id": row.session_id, "path": row.path, "name": row.name, "type": row.type, "kernel": kernel,
        }
        if row.type == "notebook":
            model["notebook"] = {"path": row.path, "name": row.name}
        return model

    # -- writing -----------------------------------------------------------------------

    async def create_session(
        self,
        path: str | None = None,
        name: str | None = None,
        type: str | None = None,  # noqa: A002 - the REST field's name
        kernel_name: str | None = None,
        kernel_id: str | None = None,
        **launch: Any,
    ) -> dict[str, Any]:
        """The session for ``path``: the existing one, or a new one with its kernel.

        ``kernel_id`` binds a running kernel (an unused id names a new kernel, as
        jupyter_server does); otherwise a ``kernel_name`` kernel starts for it.
        ``launch`` goes to the kernel manager's ``start_kernel`` with the new kernel
        (``kernel_parameters``: JEP 87 values).
        """
        path = path or ""
        lock = self._path_locks.setdefault(path, asyncio.Lock())
        async with lock:  # two clients opening one document get one session
            if path and await self.session_exists(path):
                return await self.get_session(path=path)
            session_id = self.new_session_id()
            kernel_id = await self.start_kernel_for_session(
                session_id, path, name, type, kernel_name, kernel_id, **launch)
            self.store.insert(SessionRow(session_id, path, name, type, kernel_id))
            return await self.get_session(session_id=session_id)

    async def start_kernel_for_session(
        self,
        session_id: str,
        path: str | None,
        name: str | None,
        type: str | None,  # noqa: A002
        kernel_name: str | None,
        kernel_id: str | None = None,
        **launch: Any,
    ) -> str:
        """Start (or reuse, with ``kernel_id``) the kernel serving a session's document.

        ``launch`` (``kernel_parameters``...) is passed to ``start_kernel``; values for a
        kernel that already runs are refused (SessionError): they would be ignored.
        """
        if kernel_id is not None and kernel_id in self.kernel_manager:
            _refuse_values_for_running(kernel_id, launch)
            return kernel_id
        kernel_path = await self.kernel_path(path or "")
        env = self.get_kernel_env(path or "", name)
        return str(await self.kernel_manager.start_kernel(
            kernel_name=kernel_name, kernel_id=kernel_id, path=kernel_path, env=env, **launch,
        ))

    async def kernel_path(self, path: str) -> str:
        """The kernel's working directory (API path) for a document at ``path``."""
        contents_manager = self.contents_manager or getattr(self.parent, "contents_manager", None)
        get_kernel_path = getattr(contents_manager, "get_kernel_path", None)
        if callable(get_kernel_path):
            result = get_kernel_path(path)
            return str(await result if inspect.isawaitable(result) else result)
        return posixpath.dirname(path)

    def get_kernel_env(self, path: str, name: str | None = None) -> dict[str, str]:
        """Environment for the session's kernel: ``JPY_SESSION_NAME``, the document's file."""
        root = getattr(self.kernel_manager, "root_dir", "") or os.getcwd()
        if not path:
            return {"JPY_SESSION_NAME": name or ""}
        return {"JPY_SESSION_NAME": os.path.join(root, *path.strip("/").split("/"))}

    async def update_session(self, session_id: str, **values: Any) -> None:
        """Set columns (path, name, type, kernel_id) of a session."""
        if self.store.get(session_id=session_id) is None:
            raise SessionNotFound(f"No such session: {session_id}")
        try:
            self.store.update(session_id, **values)
        except TypeError as exc:
            raise SessionQueryError(str(exc)) from None

    async def modify_session(
        self,
        session_id: str,
        changes: dict[str, Any],
        kernel_name: str | None = None,
        kernel_id: str | None = None,
        **launch: Any,
    ) -> dict[str, Any]:
        """Rename (path, name, type) and/or move a session to another kernel (PATCH).

        ``kernel_id`` must name a running kernel; ``kernel_name`` starts a new one in the
        session's directory. ``kernel_parameters`` (in ``launch``) without either starts a
        new kernel of the session's current kernelspec with those values. The previous
        kernel is shut down unless still in use.
        """
        row = self.store.get(session_id=session_id)
        if row is None:
            raise SessionNotFound(f"No such session: {session_id}")
        if kernel_id is not None:
            if kernel_id not in self.kernel_manager:
                raise SessionError(f"No such kernel: {kernel_id}")
            _refuse_values_for_running(kernel_id, launch)
        elif kernel_name is None and launch.get("kernel_parameters") is not None:
            # New values for the session's kernelspec: a new kernel of that spec.
            kernel_name = str(self.kernel_manager.kernel_model(row.kernel_id)["name"])
        await self.update_session(session_id, **changes)
        old_kernel = row.kernel_id
        if kernel_id is None and kernel_name is not None:
            new = {**row.__dict__, **changes}
            try:
                kernel_id = await self.start_kernel_for_session(
                    session_id, new["path"], new["name"], new["type"], kernel_name, **launch
                )
            except BaseException:
                # No new kernel (refused values, unknown spec...): the renaming is undone too.
                await self.update_session(session_id, **{key: getattr(row, key) for key in changes})
                raise
        if kernel_id is not None and kernel_id != old_kernel:
            await self.update_session(session_id, kernel_id=kernel_id)
            await self._shutdown_unused_kernel(old_kernel)
        return await self.get_session(session_id=session_id)

    async def delete_session(self, session_id: str) -> None:
        """Delete a session and shut its kernel down (unless another session uses it)."""
        row = self.store.get(session_id=session_id)
        if row is None:
            raise SessionNotFound(f"No such session: {session_id}")
        self.store.delete(session_id)
        await self._shutdown_unused_kernel(row.kernel_id)

    async def _shutdown_unused_kernel(self, kernel_id: str | None) -> None:
        if kernel_id is None or self.store.select(kernel_id=kernel_id):
            return
        try:
            await self.kernel_manager.shutdown_kernel(kernel_id)
        except KeyError:
            pass  # already gone: nothing to shut down
