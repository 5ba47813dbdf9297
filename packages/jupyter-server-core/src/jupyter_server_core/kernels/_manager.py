"""MappingKernelManager: the server's kernels, their state and their lifecycle events.

Built on jupyter_client's AsyncMultiKernelManager (kernel provisioners, pending kernels,
the auto-restarter). On top of it this manager keeps one :class:`KernelRecord` per kernel
(execution_state, last_activity, connections), watches each kernel's iopub itself,
culls idle kernels, and tells subscribers about restarts, deaths and shutdowns.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import re
from collections.abc import Callable
from datetime import datetime, timezone
from functools import partial
from typing import Any

from jupyter_client.kernelspec import NoSuchKernel
from jupyter_client.multikernelmanager import AsyncMultiKernelManager
from jupyter_core.paths import jupyter_path
from traitlets import Bool, CaselessStrEnum, Float, List, TraitError, Unicode, default, validate

from .._directories import existing_directory
from ..events._bus import KERNEL_ACTIONS_SCHEMA
from ._activity import probe_kernel_info, watch_iopub
from ._culling import KernelCuller
from ._errors import (
    KernelError,
    KernelNotFound,
    KernelPending,
    KernelSpecNotFound,
    KernelStartError,
)
from ._events import KernelEventCallback, KernelEvents
from ._journaling import KernelJournaling
from ._parameters import ParameterizedLaunch
from ._paths import resolve_kernel_cwd
from ._persistence import KernelPersistence
from ._pool import PooledLaunch
from ._record import KernelRecord, utcnow

__all__ = ["MappingKernelManager"]

_KERNEL_ID = re.compile(r"^\w+-\w+-\w+-\w+-\w+$")

_UNTRACKED_DEFAULT = [
    "comm_info_request", "comm_info_reply", "kernel_info_request", "kernel_info_reply",
    "shutdown_request", "shutdown_reply", "interrupt_request", "interrupt_reply",
    "debug_request", "debug_reply", "stream", "display_data", "update_display_data",
    "execute_input", "execute_result", "error", "status", "clear_output", "debug_event",
    "input_request", "input_reply",
]


def _default_kernel_dirs(ksm: Any) -> None:
    """Give jupyter_client's KernelSpecManager its default kernel_dirs without IPython.

    Its default adds ``<IPython dir>/kernels`` by importing IPython (about 4 MB of the
    server's memory, for one path). Same folders here: ``jupyter_path("kernels")``, then
    ``$IPYTHONDIR/kernels`` or ``~/.ipython/kernels``. A configured value is kept.
    """
    if ksm is None or "kernel_dirs" not in ksm.traits() or ksm.trait_has_value("kernel_dirs"):
        return
    ipython_dir = os.environ.get("IPYTHONDIR") or os.path.join(os.path.expanduser("~"), ".ipython")
    ksm.kernel_dirs = [*jupyter_path("kernels"), os.path.join(os.path.normpath(os.path.expanduser(ipython_dir)), "kernels")]


class MappingKernelManager(KernelJournaling, KernelPersistence, KernelCuller, ParameterizedLaunch, PooledLaunch, AsyncMultiKernelManager):
    """The kernels of this server, keyed by kernel id. Async only.

    Kernel events, for the WebSocket layer and anyone else who needs them::

        unsubscribe = km.on_kernel_event(kernel_id, callback)   # or kernel_id=None: all

    ``callback(kernel_id, event)`` is called (on the event loop; an awaitable result is
    scheduled as a task) with ``event`` one of:

    - ``"restarting"``: the kernel process died and the auto-restarter is starting a new
      one (broadcast ``execution_state: restarting`` to clients);
    - ``"restarted"``: a restart finished, automatic or through the REST API; the kernel
      answers kernel_info again and its ports may have changed: reconnect channels;
    - ``"dead"``: the kernel died and could not be restarted (or never started); it has
      been removed (broadcast ``execution_state: dead``, close connections);
    - ``"shutdown"``: the kernel was shut down (API, session, culling, server stop).

    A WebSocket handler calls :meth:`notify_connect` / :meth:`notify_disconnect` so
    ``connections`` (and :meth:`connection_count`, read by ``/api/status``) stay right;
    :meth:`kernel_record` gives the rest (``kernel_info`` reply content, state).
    """

    root_dir = Unicode(help="The directory kernels start in; a kernel's path is relative to it.").tag(config=True)
    buffer_offline_messages = Bool(
        True, help="Keep the messages a kernel sends while its client is disconnected and replay them on reconnect."
    ).tag(config=True)
    kernel_info_timeout = Float(
        60, help="Seconds to wait for a kernel's kernel_info reply after it starts or restarts."
    ).tag(config=True)
    allowed_message_types = List(
        Unicode(), [], help="Message types clients may send to kernels on the shell channel; empty allows all."
    ).tag(config=True)
    untracked_message_types = List(
        Unicode(), _UNTRACKED_DEFAULT,
        help="Kernel traffic answering these request types does not count as activity (for culling and last_activity).",
    ).tag(config=True)
    allow_tracebacks = Bool(True, help="Whether error messages sent to clients may include tracebacks.").tag(config=True)
    traceback_replacement_message = Unicode(
        "An error occurred; its traceback is hidden by the server's configuration.",
        help="Shown instead of a traceback when allow_tracebacks is False.",
    ).tag(config=True)

    transport_encryption = CaselessStrEnum(
        ["disabled", "auto", "required"], "disabled",
        help="""Encrypt the ZeroMQ traffic between this server and its kernels with CurveZMQ
        (needs jupyter_client 8.9 or later and a libzmq built with CURVE). 'auto' encrypts
        for kernels whose kernelspec lists 'curve' in metadata.supported_encryption and
        leaves the others in the clear; 'required' refuses to start the others.""",
    ).tag(config=True)

    @validate("transport_encryption")
    def _validate_transport_encryption(self, proposal: Any) -> str:
        value = str(proposal["value"]).lower()
        if value != "disabled":
            import zmq
            from jupyter_client.manager import KernelManager

            if "transport_encryption" not in KernelManager.class_trait_names():
                raise TraitError(f"MappingKernelManager.transport_encryption={value!r} needs jupyter_client 8.9 or later")
            if not zmq.has("curve"):
                raise TraitError(f"MappingKernelManager.transport_encryption={value!r} needs a libzmq built with CURVE")
        return value

    def _kernel_start_kwargs(self, **kwargs: Any) -> dict[str, Any]:
        """The keyword arguments of a kernel's start: ``kwargs`` and the encryption policy."""
        if self.transport_encryption != "disabled":
            kwargs["transport_encryption"] = self.transport_encryption
        return kwargs

    @classmethod
    def section_names(cls) -> list[str]:
        # jupyter_server 2.x's default class was AsyncMappingKernelManager, and configs name
        # it: c.AsyncMappingKernelManager.cull_idle_timeout must keep working.
        names: list[str] = super().section_names()
        if "AsyncMappingKernelManager" not in names:
            names.append("AsyncMappingKernelManager")
        return names

    @default("root_dir")
    def _root_dir_default(self) -> str:
        return os.getcwd()

    @validate("root_dir")
    def _validate_root_dir(self, proposal: Any) -> str:
        return existing_directory(proposal["value"], "MappingKernelManager.root_dir")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._records: dict[str, KernelRecord] = {}
        self._journals = {}
        self._watchers: dict[str, set[asyncio.Task[Any]]] = {}
        self._kernel_events = KernelEvents(self.log)
        self._with_restart_callbacks: set[str] = set()
        # Set, then dropped, when a new process first shows it runs (see interrupt_kernel).
        self._unanswered: dict[str, asyncio.Event] = {}
        # Set when the iopub watcher of the current process received its first message.
        self._iopub_live: dict[str, asyncio.Event] = {}
        # Set when tracking a (re)started process is settled: see wait_for_kernel.
        self._settled: dict[str, asyncio.Event] = {}
        self.last_kernel_activity: datetime = utcnow()
        #: Kernels shut down or gone whose process may still be in ``_kernels`` a while.
        self._retired: set[str] = set()
        #: Connection counts that jupyter_server 2.x subclasses keep for kernels they start
        #: their own way; read once when such a kernel gets its record.
        self._kernel_connections: dict[str, int] = {}
        #: The server's EventBus (``emit(schema_id, data)``), set by the services loader;
        #: kernel actions are emitted as jupyter_server's kernel_actions/v1 events.
        self.events: Any = None
        #: The server's ActivityTracker, set by the services loader: kernel output is activity.
        self.activity: Any = None
        _default_kernel_dirs(self.kernel_spec_manager)

    # -- models ------------------------------------------------------------------------

    def _check_kernel_id(self, kernel_id: str) -> None:
        if kernel_id not in self._kernels:
            raise KernelNotFound(f"Kernel does not exist: {kernel_id}")

    def kernel_record(self, kernel_id: str) -> KernelRecord:
        """The live record of a kernel; :class:`KernelNotFound` if there is none."""
        if kernel_id not in self._kernels:
            raise KernelNotFound(f"Kernel does not exist: {kernel_id}")
        record = self._records.get(kernel_id)
        if record is None:
            if kernel_id in self._retired:  # shut down; its process may still be leaving
                raise KernelNotFound(f"Kernel does not exist: {kernel_id}")
            record = self._records[kernel_id] = self._adopted_record(kernel_id)
        return record

    def _adopted_record(self, kernel_id: str) -> KernelRecord:
        """A record for a kernel a subclass put in ``_kernels`` its own way (jupyter_client's
        API allows it), from what its kernel manager says about itself."""
        km = self._kernels[kernel_id]
        record = KernelRecord(kernel_id, str(getattr(km, "kernel_name", "") or ""), self.root_dir)
        state = getattr(km, "execution_state", None)
        if isinstance(state, str) and state:
            record.execution_state = state
        activity = getattr(km, "last_activity", None)
        if isinstance(activity, datetime):
            record.last_activity = activity if activity.tzinfo else activity.replace(tzinfo=timezone.utc)
        record.connections = int(self._kernel_connections.get(kernel_id, 0))
        return record

    async def wait_for_kernel(self, kernel_id: str) -> None:
        """Wait until the manager tracks the kernel's current process for sure.

        That is: the process answered kernel_info and the manager's iopub watcher has
        received a message, so output from now on is seen (execution_state and
        last_activity stay true). Also returns when the kernel failed, was removed, or
        did not answer within ``kernel_info_timeout``. The kernel WebSocket waits for
        this before it lets a client send anything.
        """
        settled = self._settled.get(kernel_id)
        if settled is not None:
            await settled.wait()

    def kernel_model(self, kernel_id: str) -> dict[str, Any]:
        """The REST model of a kernel: id, name, last_activity, execution_state, connections."""
        return self.kernel_record(kernel_id).model()

    def list_kernels(self) -> list[dict[str, Any]]:
        """The REST models of every kernel."""
        self._retired &= set(self._kernels)
        return [self.kernel_record(kid).model() for kid in list(self._kernels) if kid not in self._retired]

    def connection_count(self) -> int:
        """Open client connections over all kernels (``/api/status`` reports it)."""
        return sum(r.connections for r in self._records.values())

    def notify_connect(self, kernel_id: str) -> None:
        """A client connected to ``kernel_id`` (the WebSocket handler calls this)."""
        record = self.kernel_record(kernel_id)
        record.connections += 1
        record.last_activity = utcnow()

    def notify_disconnect(self, kernel_id: str) -> None:
        """A client disconnected; unknown (already gone) kernels are ignored."""
        record = self._records.get(kernel_id)
        if record is not None:
            record.connections = max(0, record.connections - 1)
            record.last_activity = utcnow()

    # -- events ------------------------------------------------------------------------

    def on_kernel_event(self, kernel_id: str | None, callback: KernelEventCallback) -> Callable[[], None]:
        """Call ``callback(kernel_id, event)`` on that kernel's events (None: every kernel).

        Returns a function that unsubscribes. See the class docstring for the events.
        Subscriptions to one kernel end when it is shut down or dies.
        """
        return self._kernel_events.subscribe(kernel_id, callback)

    def _emit(self, action: str, kernel_id: str | None, name: str, msg: str, error: bool = False) -> None:
        if self.events is None:
            return
        data = {"action": action, "kernel_name": name, "status": "error" if error else "success", "msg": msg}
        if kernel_id is not None:
            data["kernel_id"] = kernel_id
        self.events.emit(KERNEL_ACTIONS_SCHEMA, data)

    def _fire(self, kernel_id: str, event: str) -> None:
        self._kernel_events.fire(kernel_id, event)

    # -- lifecycle ---------------------------------------------------------------------

    async def start_kernel(  # type: ignore[override]
        self,
        *,
        kernel_name: str | None = None,
        kernel_id: str | None = None,
        path: str | None = None,
        env: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> str:
        """Start a kernel in the directory ``path`` (relative to root_dir); return its id.

        With ``kernel_id`` of a running kernel, nothing starts and that id is returned; an
        unused ``kernel_id`` names the new kernel. ``env`` adds environment variables.
        Raises KernelSpecNotFound, KernelPathError, KernelError or KernelStartError.
        """
        if kernel_id is not None:
            if kernel_id in self._kernels:
                return kernel_id
            if not isinstance(kernel_id, str) or not _KERNEL_ID.match(kernel_id):
                raise KernelError(f"Invalid kernel id {kernel_id!r}: use a UUID")
        name = kernel_name or self.default_kernel_name
        try:
            await self._check_kernel_spec(name)
        except KernelSpecNotFound as exc:
            self._emit("start", None, name, str(exc), error=True)
            raise
        await self.prepare_parameters(name, kwargs)  # JEP 87 values: refused (400) before any launch
        kwargs["cwd"] = resolve_kernel_cwd(self.root_dir, path)
        if env:
            kwargs["env"] = {**os.environ, **env}
        if kernel_id is not None:
            kwargs["kernel_id"] = kernel_id
        kwargs.update(self.persistent_launch_options())
        kwargs = self._kernel_start_kwargs(**kwargs)
        try:
            kernel_id = await super().start_kernel(kernel_name=name, **kwargs)
        except Exception as exc:
            self._emit("start", None, name, f"The kernel {name!r} could not be started: {exc}", error=True)
            raise KernelStartError(f"The kernel {name!r} could not be started: {exc}") from exc
        assert kernel_id is not None
        self._records[kernel_id] = KernelRecord(kernel_id, name, kwargs["cwd"])
        self._retired.discard(kernel_id)
        self.log.info("Kernel started: %s (%s) in %s", kernel_id, name, kwargs["cwd"])
        self._emit("start", kernel_id, name, f"Kernel {kernel_id} started.")
        self._unanswered[kernel_id] = asyncio.Event()
        self._settled[kernel_id] = asyncio.Event()
        self._spawn(kernel_id, self._track(kernel_id))
        self.start_culling()
        return kernel_id

    async def _ready_or_pending(self, kernel_id: str, kernel: Any) -> None:
        """Before acting on a kernel: one still starting (pending kernels) is a KernelPending;
        one whose process is being replaced (the auto-restarter after it died, say because
        another process took one of its ports first; or another restart) is waited for, so
        the action applies to the new process instead of racing its start."""
        if kernel_id in self._pending_kernels and not kernel.ready.done():
            raise KernelPending(f"Kernel {kernel_id} is still starting; retry when it is ready")
        record = self._records.get(kernel_id)
        if kernel.ready.done() and (record is None or record.execution_state != "restarting"):
            return
        try:
            await asyncio.wait_for(self.wait_for_kernel(kernel_id), self.kernel_info_timeout)
        except asyncio.TimeoutError:
            raise KernelPending(f"Kernel {kernel_id} is still restarting; retry when it is ready") from None

    async def _check_kernel_spec(self, name: str) -> None:
        ksm = self.kernel_spec_manager
        if ksm is None:
            return
        try:
            spec = ksm.get_kernel_spec(name)
            if inspect.isawaitable(spec):
                await spec
        except NoSuchKernel:
            names = ", ".join(sorted(ksm.find_kernel_specs())) or "none"
            raise KernelSpecNotFound(f"No such kernel spec: {name!r} (installed: {names})") from None

    async def shutdown_kernel(self, kernel_id: str, now: bool = False, restart: bool = False) -> None:  # type: ignore[override]
        """Shut a kernel down (its process ends; killed after shutdown_wait_time).

        With ``use_pending_kernels`` this returns at once and the process ends in the
        background (the kernel leaves the REST listing immediately).
        """
        if kernel_id not in self._kernels and kernel_id not in self._pending_kernels:
            raise KernelNotFound(f"Kernel does not exist: {kernel_id}")
        self._stop_watching(kernel_id)
        record = self._records.get(kernel_id)
        name = record.kernel_name if record is not None else ""
        try:
            await super().shutdown_kernel(kernel_id, now=now, restart=restart)
        finally:
            self._records.pop(kernel_id, None)
            self._retired.add(kernel_id)
            self.forget_kernel(kernel_id)
            self._with_restart_callbacks.discard(kernel_id)
            self._fire(kernel_id, "shutdown")
            self.remove_journal(kernel_id)
            self._emit("shutdown", kernel_id, name, f"Kernel {kernel_id} shut down.")
            self._kernel_events.forget(kernel_id)

    async def shutdown_all(self, now: bool = False) -> None:  # type: ignore[override]
        """Shut every kernel down (the server calls this when it stops).

        With ``enable_persistence`` the kernels keep running for the next server instead.
        """
        self.stop_culling()
        await self.stop_pool()  # pooled kernels too, though never handed out
        if self.enable_persistence:
            await self.leave_kernels_running()
            return
        kernel_ids = list(set(self._kernels) | set(self._pending_kernels))
        results = await asyncio.gather(*(self.shutdown_kernel(k, now=now) for k in kernel_ids), return_exceptions=True)
        for kernel_id, result in zip(kernel_ids, results, strict=True):
            if isinstance(result, Exception) and not isinstance(result, KernelNotFound):
                self.log.warning("Kernel %s did not shut down cleanly: %s", kernel_id, result)
        # With pending kernels a shutdown runs in the background: wait for every process.
        await asyncio.gather(*self._pending_kernels.values(), return_exceptions=True)
        await self.flush_journals()  # the journals' deletion, before the process exits

    async def restart_kernel(self, kernel_id: str, now: bool = False) -> None:  # type: ignore[override]
        """Restart a kernel in place (same id and ports); returns once it answers again."""
        kernel = self.get_kernel(kernel_id)
        await self._ready_or_pending(kernel_id, kernel)
        record = self.kernel_record(kernel_id)
        self._stop_watching(kernel_id)
        self._settled[kernel_id] = asyncio.Event()
        record.execution_state = "restarting"
        try:
            await super().restart_kernel(kernel_id, now=now)
        except Exception as exc:
            record.execution_state = "dead"
            self._settle(kernel_id)
            message = f"Kernel {kernel_id} could not be restarted: {exc}"
            self._emit("restart", kernel_id, record.kernel_name, message, error=True)
            raise KernelStartError(message) from exc
        await self._track(kernel_id)
        self._fire(kernel_id, "restarted")
        self._emit("restart", kernel_id, record.kernel_name, f"Kernel {kernel_id} restarted.")

    async def interrupt_kernel(self, kernel_id: str) -> None:  # type: ignore[override]
        """Interrupt a kernel (signal or interrupt_request, as its kernelspec says)."""
        kernel = self.get_kernel(kernel_id)
        await self._ready_or_pending(kernel_id, kernel)
        unanswered = self._unanswered.get(kernel_id)
        if unanswered is not None:
            # A SIGINT before the kernel installed its handler would kill it: wait until the
            # new process has published something or answered kernel_info. Bounded: a kernel
            # that is up but whose first messages we missed must not stall the request.
            try:
                await asyncio.wait_for(unanswered.wait(), min(self.kernel_info_timeout, 10.0))
            except asyncio.TimeoutError:
                self.log.debug("Kernel %s has not answered yet; interrupting anyway", kernel_id)
        result = kernel.interrupt_kernel()
        if inspect.isawaitable(result):
            await result
        self.log.info("Kernel interrupted: %s", kernel_id)
        name = self._records[kernel_id].kernel_name if kernel_id in self._records else ""
        self._emit("interrupt", kernel_id, name, f"Kernel {kernel_id} interrupted.")

    # -- watching ----------------------------------------------------------------------

    def _spawn(self, kernel_id: str, coro: Any) -> asyncio.Task[Any]:
        task: asyncio.Task[Any] = asyncio.ensure_future(coro)
        tasks = self._watchers.setdefault(kernel_id, set())
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        return task

    def _stop_watching(self, kernel_id: str) -> None:
        current = asyncio.current_task()
        self._unanswered.pop(kernel_id, None)
        self._iopub_live.pop(kernel_id, None)
        self._settle(kernel_id)
        for task in list(self._watchers.pop(kernel_id, ())):
            if task is not current:
                task.cancel()

    def _settle(self, kernel_id: str) -> None:
        """Release whoever waits in wait_for_kernel: there is nothing more to wait for."""
        settled = self._settled.pop(kernel_id, None)
        if settled is not None:
            settled.set()

    async def _track(self, kernel_id: str) -> None:
        """Once the kernel is ready: watch its iopub, then wait for a kernel_info reply."""
        settled = self._settled.setdefault(kernel_id, asyncio.Event())
        try:
            await self._track_process(kernel_id)
        finally:
            if self._settled.get(kernel_id) is settled:
                self._settle(kernel_id)

    async def _track_process(self, kernel_id: str) -> None:
        kernel = self._kernels.get(kernel_id)
        record = self._records.get(kernel_id)
        if kernel is None or record is None:
            return
        try:
            await kernel.ready
        except Exception as exc:  # a pending kernel that failed to start
            record.execution_state, record.reason = "dead", str(exc)
            self._kernel_gone(kernel_id)
            return
        await self.remember_kernel(kernel_id)
        if kernel_id not in self._with_restart_callbacks:
            kernel.add_restart_callback(partial(self._on_autorestart, kernel_id), "restart")
            kernel.add_restart_callback(partial(self._on_dead, kernel_id), "dead")
            self._with_restart_callbacks.add(kernel_id)
        live = self._iopub_live[kernel_id] = asyncio.Event()
        journal = self.open_journal(kernel_id)
        self._spawn(kernel_id, watch_iopub(kernel, partial(self._on_iopub, kernel_id), self.untracked_message_types,
                                           journal.append if journal is not None else None))
        info = await probe_kernel_info(kernel, self.kernel_info_timeout, live)
        if info is None:
            self.log.error(
                "Kernel %s did not answer kernel_info within %ss (MappingKernelManager.kernel_info_timeout); "
                "it stays %r until it publishes a status", kernel_id, self.kernel_info_timeout, record.execution_state,
            )
            return
        record.kernel_info = info
        self._answered(kernel_id)
        if record.execution_state in ("starting", "restarting"):
            record.execution_state = "idle"

    def _answered(self, kernel_id: str) -> None:
        event = self._unanswered.pop(kernel_id, None)
        if event is not None:
            event.set()

    def _on_iopub(self, kernel_id: str, msg_type: str, content: dict[str, Any], tracked: bool) -> None:
        self._answered(kernel_id)
        live = self._iopub_live.get(kernel_id)
        if live is not None:
            live.set()
        record = self._records.get(kernel_id)
        if record is None or not tracked:
            return
        record.last_activity = self.last_kernel_activity = utcnow()
        if self.activity is not None:
            self.activity.touch("kernels")
        state = content.get("execution_state") if msg_type == "status" else None
        # "starting" is the manager's to set (when it starts a process). ipykernel publishes
        # it once, but may do so after it already answered our kernel_info (its shell thread
        # runs first): taken from iopub, it would leave an idle kernel "starting" for good.
        if state == "starting":
            if record.kernel_info is not None:
                self.log.debug("Kernel %s published 'starting' after answering kernel_info; ignored", kernel_id)
        elif isinstance(state, str):
            record.execution_state = state

    def _on_autorestart(self, kernel_id: str) -> None:
        """The restarter found the process dead and is about to start a new one."""
        record = self._records.get(kernel_id)
        if record is None:
            return
        self.log.warning("Kernel %s died; restarting it", kernel_id)
        self._stop_watching(kernel_id)
        record.execution_state = "restarting"
        self._fire(kernel_id, "restarting")
        self._unanswered[kernel_id] = asyncio.Event()
        self._settled[kernel_id] = asyncio.Event()
        self._spawn(kernel_id, self._await_autorestart(kernel_id))

    async def _await_autorestart(self, kernel_id: str) -> None:
        # The restarter restarts the kernel after our callback returns; each phase of that
        # (shutdown, start) replaces kernel.ready, so wait until a ready future stays done.
        kernel = self._kernels.get(kernel_id)
        while kernel is not None and kernel_id in self._kernels:
            ready = kernel.ready
            try:
                await asyncio.shield(asyncio.wrap_future(ready) if not isinstance(ready, asyncio.Future) else ready)
            except asyncio.CancelledError:
                raise
            except Exception:
                pass
            if kernel.ready is ready and ready.exception() is None and kernel.has_kernel and not kernel.shutting_down:
                break
            await asyncio.sleep(0.05)
        else:
            return
        await self._track(kernel_id)
        self._fire(kernel_id, "restarted")

    def _on_dead(self, kernel_id: str) -> None:
        """The restarter gave up: the kernel stays dead and leaves the server."""
        record = self._records.get(kernel_id)
        if record is not None:
            record.execution_state = "dead"
        self.log.warning("Kernel %s died and could not be restarted; removing it", kernel_id)
        self._kernel_gone(kernel_id)

    def _kernel_gone(self, kernel_id: str) -> None:
        self._stop_watching(kernel_id)
        self._fire(kernel_id, "dead")
        kernel = self.remove_kernel(kernel_id)
        self._records.pop(kernel_id, None)
        self._retired.add(kernel_id)
        self.forget_kernel(kernel_id)
        self._with_restart_callbacks.discard(kernel_id)
        self._kernel_events.forget(kernel_id)
        self.remove_journal(kernel_id)
        if kernel is not None:
            asyncio.ensure_future(self._cleanup(kernel))

    async def _cleanup(self, kernel: Any) -> None:
        try:
            await kernel.cleanup_resources(restart=False)
        except Exception as exc:
            self.log.debug("Cleaning up a dead kernel failed: %s", exc)
