"""Kernel persistence: kernels that outlive the server, adopted by the next one.

The persistence half of MappingKernelManager (its traits are configured there). With
``enable_persistence``:

- kernels are launched independent of the server (no ``JPY_PARENT_PID``, so ipykernel does
  not exit with it; jupyter_client already starts each kernel in a session of its own, so
  a signal to the server's process group does not reach them);
- every kernel has a row in the :class:`KernelStore` from its start to its shutdown, with
  what is needed to reach (connection info) and control (provisioner info) it;
- stopping the server leaves kernels running; the next server on the same store adopts
  the live ones (:meth:`adopt_kernels`) and drops the dead ones.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
from datetime import datetime
from typing import IO, Any

from traitlets import Bool, HasTraits, Unicode, default

from ._adopt import build_kernel_manager, kernel_process_alive
from ._gateway_persistence import adopt_gateway_kernels, gateway_row
from ._record import KernelRecord
from ._store import KernelStore, StoredKernel, StoreLock, StoreLocked

__all__ = ["KernelPersistence", "StoreLocked"]

#: Seconds between two saves of every kernel's last_activity and execution_state (they
#: are also saved when the server stops); a kill -9 loses at most this much of them.
_SAVE_INTERVAL = 10.0


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _jsonable(info: dict[str, Any]) -> dict[str, Any]:
    # The signing key is bytes in jupyter_client; connection files keep it as text too.
    return {k: v.decode() if isinstance(v, bytes) else v for k, v in info.items()}


class KernelPersistence(HasTraits):
    """Keeps the kernel store in step with the manager's kernels, and adopts on start."""

    enable_persistence = Bool(
        False,
        help="Keep kernels running when the server stops or crashes, and let the next server "
        "started on the same kernel store take them over with their sessions. "
        "Off: kernels end with the server.",
    ).tag(config=True)
    persistence_file = Unicode(
        help="The SQLite file recording kernels and their sessions for the next server "
        "(with enable_persistence). Default: jupyter-server-kernels.sqlite in the runtime directory.",
    ).tag(config=True)

    log: Any
    connection_dir: str
    _kernels: dict[str, Any]
    _records: dict[str, KernelRecord]
    _watchers: dict[str, Any]
    _spawn: Any
    _track: Any
    _stop_watching: Any
    start_culling: Any
    prune_journals: Any
    close_journals: Any

    _kernel_store: KernelStore | None = None
    _store_lock: StoreLock | None = None
    _saver: asyncio.Task[Any] | None = None
    _kernel_log: IO[bytes] | None = None
    #: How many kernels the last :meth:`adopt_kernels` took over.
    kernels_adopted = 0

    @default("persistence_file")
    def _persistence_file_default(self) -> str:
        return os.path.join(self.connection_dir, "jupyter-server-kernels.sqlite")

    @property
    def kernel_store(self) -> KernelStore | None:
        """The open store (after :meth:`adopt_kernels` with persistence on), else None."""
        return self._kernel_store

    def persistent_launch_options(self) -> dict[str, Any]:
        """Extra keywords for jupyter_client's launch: none unless persistence is on."""
        if not self.enable_persistence:
            return {}
        # Not the server's stdout: a kernel writing there after the server is gone would
        # fail or keep a pipe open that whoever started the server waits on. One log file
        # next to the store instead, appended to by every kernel.
        if self._kernel_log is None or self._kernel_log.closed:
            os.makedirs(os.path.dirname(self.persistence_file) or ".", exist_ok=True)
            self._kernel_log = open(os.path.splitext(self.persistence_file)[0] + ".log", "ab")  # noqa: SIM115
        return {"independent": True, "stdout": subprocess.DEVNULL, "stderr": self._kernel_log}

    # -- the store follows the kernels ------------------------------------------------------

    def _gateway_url(self) -> str | None:
        client = getattr(self, "gateway_client", None)
        return str(client.url) if client is not None else None

    async def remember_kernel(self, kernel_id: str) -> None:
        """Write (or rewrite, after a restart: new pid) the row of a running kernel."""
        store, kernel, record = self._kernel_store, self._kernels.get(kernel_id), self._records.get(kernel_id)
        gateway = self._gateway_url()
        if store is not None and record is not None and gateway is not None:
            store.save(gateway_row(record, gateway))
            return
        if store is None or kernel is None or record is None:
            return
        provisioner = getattr(kernel, "provisioner", None)
        try:
            info = await provisioner.get_provisioner_info() if provisioner is not None else {}
        except Exception as exc:  # noqa: BLE001 - a provisioner that cannot say; told, not fatal
            self.log.warning("Kernel %s: no provisioner info to keep (%s); it will not be adopted", kernel_id, exc)
            return
        store.save(StoredKernel(
            kernel_id, record.kernel_name, record.cwd, kernel.connection_file,
            _jsonable(kernel.get_connection_info(session=False)), info,
            _iso(record.last_activity), record.execution_state,
        ))

    def forget_kernel(self, kernel_id: str) -> None:
        """Drop the row of a kernel that was shut down or died (and its sessions)."""
        if self._kernel_store is not None:
            self._kernel_store.delete(kernel_id)

    def save_activity(self) -> None:
        """Save every kernel's last_activity and execution_state."""
        store = self._kernel_store
        if store is None:
            return
        for kernel_id, record in list(self._records.items()):
            store.update_activity(kernel_id, _iso(record.last_activity), record.execution_state)

    async def _save_periodically(self) -> None:
        while True:
            await asyncio.sleep(_SAVE_INTERVAL)
            try:
                self.save_activity()
            except Exception:
                self.log.exception("Saving the kernels' activity failed")

    # -- start and stop --------------------------------------------------------------------

    async def adopt_kernels(self) -> int:
        """Take over the live kernels of the store; return how many. Called once, at start.

        Raises :class:`StoreLocked` when another running server owns the store. Without
        persistence nothing is read and 0 is returned.
        """
        if not self.enable_persistence:
            self._warn_of_unadopted_kernels()
            return 0
        lock = StoreLock(self.persistence_file)
        lock.acquire()
        self._store_lock = lock
        self._kernel_store = store = KernelStore(self.persistence_file)
        adopted = 0
        gateway = self._gateway_url()
        if gateway is not None:
            adopted = await adopt_gateway_kernels(self, store)
        for stored in store.all() if gateway is None else ():
            pid = stored.provisioner_info.get("pid")
            local = stored.provisioner_info.get("provisioner_name", "local-provisioner") == "local-provisioner"
            if local and not kernel_process_alive(pid, stored.kernel_id, stored.connection_file):
                self.log.info("Kernel %s (%s) ended while no server watched it; dropping its record",
                              stored.kernel_id, stored.kernel_name)
                store.delete(stored.kernel_id)
                continue
            try:
                await self._adopt(stored)
            except Exception as exc:  # noqa: BLE001 - one bad record must not stop the server
                self.log.warning("Kernel %s (%s) could not be adopted, dropping its record: %s",
                                 stored.kernel_id, stored.kernel_name, exc)
                store.delete(stored.kernel_id)
                continue
            adopted += 1
        self.kernels_adopted = adopted
        self.prune_journals(set(self._kernels))
        self.log.info("Kernel persistence: %d kernel(s) adopted from %s", adopted, self.persistence_file)
        self._saver = asyncio.ensure_future(self._save_periodically())
        return adopted

    def _warn_of_unadopted_kernels(self) -> None:
        """Persistence off, but an earlier server left kernels running: say so, once."""
        path = self.persistence_file
        if not os.path.isfile(path):  # noqa: ASYNC240 - called once at start
            return
        lock = StoreLock(path)
        try:
            lock.acquire()
        except StoreLocked:
            return  # a persistent server runs on this store: its kernels are looked after
        try:
            store = KernelStore(path)
            try:
                alive = [k for k in store.all()
                         if kernel_process_alive(k.provisioner_info.get("pid"), k.kernel_id, k.connection_file)]
            finally:
                store.close()
        except Exception as exc:  # noqa: BLE001 - only a courtesy warning
            self.log.debug("Could not read the kernel store %s: %s", path, exc)
            return
        finally:
            lock.release()
        if alive:
            self.log.warning(
                "%d kernel(s) left running by an earlier server are recorded in %s and not adopted: "
                "start with MappingKernelManager.enable_persistence=True to adopt them (and cull idle ones)",
                len(alive), path,
            )

    async def _adopt(self, stored: StoredKernel) -> None:
        kernel = await build_kernel_manager(self, stored, self.persistent_launch_options())
        record = KernelRecord(stored.kernel_id, stored.kernel_name, stored.cwd)
        try:
            record.last_activity = datetime.fromisoformat(stored.last_activity)
        except ValueError:
            pass
        record.execution_state = stored.execution_state or "idle"
        self._kernels[stored.kernel_id] = kernel
        self._records[stored.kernel_id] = record
        self.after_adopt(stored.kernel_id)
        self.log.info("Kernel adopted: %s (%s) in %s, pid %s", stored.kernel_id, stored.kernel_name,
                      stored.cwd, stored.provisioner_info.get("pid"))

    def after_adopt(self, kernel_id: str) -> None:
        """Watch an adopted kernel as a started one: iopub, kernel_info, restarts, culling."""
        self._spawn(kernel_id, self._track(kernel_id))
        self.start_culling()

    async def leave_kernels_running(self) -> None:
        """At server stop with persistence: save, detach from every kernel, release the store."""
        if self._saver is not None:
            self._saver.cancel()
            self._saver = None
        if self._kernel_store is not None:
            self.save_activity()
            self.log.info("Kernel persistence: leaving %d kernel(s) running for the next server",
                          len(self._records))
        for kernel_id in list(self._watchers):
            self._stop_watching(kernel_id)
        for kernel in list(self._kernels.values()):
            try:
                kernel.stop_restarter()
            except Exception as exc:  # noqa: BLE001 - detaching goes on for the others
                self.log.debug("Stopping a kernel's restarter failed: %s", exc)
        await self.close_journals()
        self.close_kernel_store()

    def close_kernel_store(self) -> None:
        if self._kernel_store is not None:
            self._kernel_store.close()
            self._kernel_store = None
        if self._kernel_log is not None:
            self._kernel_log.close()
            self._kernel_log = None
        if self._store_lock is not None:
            self._store_lock.release()
            self._store_lock = None
