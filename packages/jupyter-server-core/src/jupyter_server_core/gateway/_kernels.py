"""GatewayMappingKernelManager: kernels that run on the gateway, seen as this server's.

It keeps the MappingKernelManager interface the REST handlers, sessions and WebSocket
rely on (models, ``in``, lifecycle, kernel events, connection counts, culling), with
every action sent to the gateway. Models are kept in :class:`KernelRecord` objects
refreshed from the gateway (:meth:`refresh_kernels`, after each action) and, while a
client is connected, from the kernel's own status messages.
"""

from __future__ import annotations

import asyncio
import os
from datetime import datetime
from typing import Any

from traitlets import Instance

from .._urls import url_escape
from ..kernels import KernelNotFound, KernelRecord, MappingKernelManager
from ..kernels._parameters import REQUEST_FIELD
from ..kernels._paths import resolve_kernel_cwd
from ..kernels._record import utcnow
from ._client import GatewayClient
from ._errors import GatewayError

__all__ = ["GatewayMappingKernelManager"]

#: How long the server's own shutdown waits for the gateway per kernel.
_SHUTDOWN_TIMEOUT = 10.0


def _parse_time(value: Any) -> datetime:
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return utcnow()
        if parsed.tzinfo is not None:
            return parsed
    return utcnow()


class GatewayMappingKernelManager(MappingKernelManager):
    """The kernels of the gateway. Async only; read models from :meth:`list_kernels`.

    Kernels this server started are *owned*: the server shuts them down when it stops.
    Kernels the gateway lists but another client started are shown and can be used, but
    are left running at shutdown.
    """

    gateway_client = Instance(GatewayClient, help="The server's GatewayClient (handed in by the ServerApp).")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._owned: set[str] = set()
        self._listing_refused = False
        self._refreshing: asyncio.Future[None] | None = None

    # -- what the handlers read ----------------------------------------------------------

    def __contains__(self, kernel_id: object) -> bool:
        return kernel_id in self._records

    def __len__(self) -> int:
        return len(self._records)

    def list_kernel_ids(self) -> list[str]:
        return list(self._records)

    def list_kernels(self) -> list[dict[str, Any]]:
        """The models of the gateway's kernels as last refreshed."""
        return [record.model() for record in list(self._records.values())]

    def kernel_record(self, kernel_id: str) -> KernelRecord:
        record = self._records.get(kernel_id)
        if record is None:
            raise KernelNotFound(f"No such kernel: {kernel_id}")
        return record

    def get_kernel(self, kernel_id: str) -> KernelRecord:  # type: ignore[override]
        """The kernel's record (``kernel_name``...): there is no local process to hand out."""
        return self.kernel_record(kernel_id)

    def remove_kernel(self, kernel_id: str) -> None:  # type: ignore[override]
        self._forget(kernel_id, "shutdown")

    @property
    def kernels_url(self) -> str:
        return self.gateway_client.kernels_endpoint

    def kernel_url(self, kernel_id: str, *action: str) -> str:
        return "/".join([self.gateway_client.kernels_endpoint.rstrip("/"), url_escape(kernel_id), *action])

    # -- refreshing from the gateway -----------------------------------------------------

    def _update(self, model: Any) -> KernelRecord | None:
        """Record a gateway kernel model; None when it is not one."""
        if not isinstance(model, dict) or not isinstance(model.get("id"), str):
            return None
        kernel_id = model["id"]
        record = self._records.get(kernel_id)
        if record is None:
            record = self._records[kernel_id] = KernelRecord(kernel_id, str(model.get("name") or ""), "")
        record.kernel_name = str(model.get("name") or record.kernel_name)
        state = model.get("execution_state")
        if isinstance(state, str) and state:
            record.execution_state = state
        if "last_activity" in model:
            record.last_activity = _parse_time(model["last_activity"])
        return record

    async def refresh_kernels(self) -> None:
        """Ask the gateway for its kernels; forget those it no longer has.

        Concurrent callers share one request. Raises GatewayError when the gateway does
        not answer (the last known models stay).
        """
        if self._refreshing is None:
            self._refreshing = asyncio.ensure_future(self._fetch_kernels())
            self._refreshing.add_done_callback(self._refreshed)
        await asyncio.shield(self._refreshing)

    def _refreshed(self, future: asyncio.Future[None]) -> None:
        self._refreshing = None
        if not future.cancelled():
            future.exception()

    async def _fetch_kernels(self) -> None:
        # Only kernels known before the request can be missing from its answer: one that
        # started meanwhile is not gone.
        known = set(self._records)
        try:
            models = await self.gateway_client.fetch_json(self.kernels_url)
        except GatewayError as exc:
            if exc.gateway_status != 403:
                raise
            models = None
        if models is None:
            await self._refresh_one_by_one()
            return
        if not isinstance(models, list):
            raise GatewayError(f"The gateway at {self.gateway_client.url} answered its kernels with an unexpected model", 502)
        seen = {record.kernel_id for record in map(self._update, models) if record is not None}
        missing = sorted((known & set(self._records)) - seen)
        # A gateway's listing can miss a kernel it still runs (a node of a cluster that
        # answers late, a list built while the kernel restarts): ask about each one before
        # forgetting it; only a 404 on the kernel's own URL means it is gone.
        results = await asyncio.gather(*(self.refresh_kernel(k) for k in missing), return_exceptions=True)
        for kernel_id, result in zip(missing, results, strict=True):
            if isinstance(result, KernelNotFound):
                self.log.info("Kernel %s is gone from the gateway (culled or shut down there)", kernel_id)
            elif isinstance(result, BaseException):
                self.log.warning("Kernel %s is missing from the gateway's list and could not be checked: %s",
                                 kernel_id, result)

    async def _refresh_one_by_one(self) -> None:
        # Kernel Gateway refuses to list kernels unless list_kernels is on: ask about each
        # kernel this server knows instead.
        if not self._listing_refused:
            self._listing_refused = True
            self.log.info("The gateway at %s does not list its kernels (Kernel Gateway: "
                          "JupyterWebsocketPersonality.list_kernels=True); checking kernels one by one",
                          self.gateway_client.url)
        if not self._records:
            # Nothing to ask about, but a refused token must still show: any request will.
            await self.gateway_client.fetch(self.gateway_client.kernelspecs_endpoint)
            return
        results = await asyncio.gather(*(self.refresh_kernel(k) for k in list(self._records)), return_exceptions=True)
        for result in results:
            if isinstance(result, GatewayError):
                raise result

    async def refresh_kernel(self, kernel_id: str) -> dict[str, Any]:
        """Fresh model of one kernel from the gateway; KernelNotFound if the gateway has none."""
        try:
            model = await self.gateway_client.fetch_json(self.kernel_url(kernel_id))
        except GatewayError as exc:
            if exc.gateway_status == 404:
                if kernel_id in self._records:
                    self._forget(kernel_id, "dead")
                raise KernelNotFound(f"No such kernel: {kernel_id}") from None
            raise
        record = self._update(model)
        if record is None:
            raise GatewayError(f"The gateway at {self.gateway_client.url} answered kernel {kernel_id} with an unexpected model", 502)
        return record.model()

    def _forget(self, kernel_id: str, event: str) -> None:
        record = self._records.pop(kernel_id, None)
        self._owned.discard(kernel_id)
        self.forget_kernel(kernel_id)
        if record is not None:
            # Connections unsubscribe themselves when their WebSocket closes.
            self._fire(kernel_id, event)

    def _not_found(self, exc: GatewayError, kernel_id: str) -> Exception:
        """A gateway 404 on a kernel URL: the kernel is gone (forgotten here too)."""
        if exc.gateway_status == 404:
            if kernel_id in self._records:
                self._forget(kernel_id, "dead")
            return KernelNotFound(f"No such kernel: {kernel_id}")
        return exc

    async def _known(self, kernel_id: str) -> KernelRecord:
        """The record of a kernel, asking the gateway about one this server has not seen."""
        if kernel_id not in self._records:
            await self.refresh_kernel(kernel_id)
        return self.kernel_record(kernel_id)

    # -- lifecycle -----------------------------------------------------------------------

    def start_pool(self) -> None:
        """No warm pool here: the gateway starts kernels (Kernel Gateway has its own prespawn)."""

    def kernel_env(self, env: dict[str, str] | None, path: str | None) -> dict[str, str]:
        """The ``env`` of a start request: this server's KERNEL_* and allowed variables,
        ``env`` (from the session), KERNEL_WORKING_DIR and KERNEL_LAUNCH_TIMEOUT."""
        client = self.gateway_client
        allowed = {name.strip() for name in client.allowed_envs.split(",") if name.strip()}
        result = {k: v for k, v in os.environ.items() if k.startswith("KERNEL_") or k in allowed}
        result.update(env or {})
        if path is not None and "KERNEL_WORKING_DIR" not in result:
            # The document's directory as this server sees it; a gateway sharing the file
            # system (Enterprise Gateway on NFS, say) starts the kernel there.
            result["KERNEL_WORKING_DIR"] = resolve_kernel_cwd(self.root_dir, path)
        result.setdefault("KERNEL_LAUNCH_TIMEOUT", str(int(max(1.0, client.request_timeout - client.launch_timeout_pad))))
        return result

    async def start_kernel(  # type: ignore[override]
        self,
        *,
        kernel_name: str | None = None,
        kernel_id: str | None = None,
        path: str | None = None,
        env: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> str:
        """Start a kernel on the gateway (``{"name", "env"}``); return the gateway's id.

        A ``kernel_id`` of a kernel the gateway runs is returned as is; a gateway cannot
        be told the id of a new kernel, so an unknown one is ignored.
        """
        if kernel_id is not None:
            try:
                await self._known(kernel_id)
                return kernel_id
            except KernelNotFound:
                pass
        client = self.gateway_client
        body: dict[str, Any] = {"env": self.kernel_env(env, path)}
        if kernel_name:
            body["name"] = kernel_name
        if kwargs.get("kernel_parameters") is not None:
            # JEP 87 values: the gateway checks them against its kernelspec.
            body[REQUEST_FIELD] = kwargs["kernel_parameters"]
        launch = float(body["env"]["KERNEL_LAUNCH_TIMEOUT"])
        timeout = max(client.request_timeout, launch + client.launch_timeout_pad)
        name = kernel_name or ""
        try:
            model = await client.fetch_json(self.kernels_url, method="POST", body=body, timeout=timeout)
        except GatewayError as exc:
            self._emit("start", None, name, str(exc), error=True)
            raise
        record = self._update(model)
        if record is None:
            raise GatewayError(f"The gateway at {client.url} answered a kernel start with an unexpected model", 502)
        self._owned.add(record.kernel_id)
        await self.remember_kernel(record.kernel_id)
        self.log.info("Kernel started on the gateway: %s (%s)", record.kernel_id, record.kernel_name)
        self._emit("start", record.kernel_id, record.kernel_name, f"Kernel {record.kernel_id} started.")
        self.start_culling()
        return record.kernel_id

    async def shutdown_kernel(self, kernel_id: str, now: bool = False, restart: bool = False,  # type: ignore[override]
                              timeout: float | None = None) -> None:
        """Shut a gateway kernel down (DELETE); KernelNotFound if the gateway has none."""
        record = await self._known(kernel_id)
        try:
            await self.gateway_client.fetch(self.kernel_url(kernel_id), method="DELETE", timeout=timeout)
        except GatewayError as exc:
            raise self._not_found(exc, kernel_id) from None
        self.log.info("Kernel shut down on the gateway: %s", kernel_id)
        self._forget(kernel_id, "shutdown")
        self._emit("shutdown", kernel_id, record.kernel_name, f"Kernel {kernel_id} shut down.")

    async def shutdown_all(self, now: bool = False) -> None:  # type: ignore[override]
        """Shut down the kernels this server started (when the server stops).

        With ``enable_persistence`` they keep running for the next server instead.
        """
        self.stop_culling()
        if self.enable_persistence:
            await self.leave_kernels_running()
            return
        owned = [k for k in self._owned if k in self._records]
        results = await asyncio.gather(
            *(self.shutdown_kernel(k, timeout=min(_SHUTDOWN_TIMEOUT, self.gateway_client.request_timeout)) for k in owned),
            return_exceptions=True,
        )
        for kernel_id, result in zip(owned, results, strict=True):
            if isinstance(result, Exception) and not isinstance(result, KernelNotFound):
                self.log.warning("Kernel %s was not shut down on the gateway: %s", kernel_id, result)

    async def restart_kernel(self, kernel_id: str, now: bool = False) -> None:  # type: ignore[override]
        """Restart a gateway kernel in place; returns once the gateway says it restarted."""
        record = await self._known(kernel_id)
        client = self.gateway_client
        try:
            model = await client.fetch_json(self.kernel_url(kernel_id, "restart"), method="POST")
        except GatewayError as exc:
            error = self._not_found(exc, kernel_id)
            self._emit("restart", kernel_id, record.kernel_name, str(error), error=True)
            raise error from None
        self._update(model)
        self._fire(kernel_id, "restarted")
        self._emit("restart", kernel_id, record.kernel_name, f"Kernel {kernel_id} restarted.")

    async def interrupt_kernel(self, kernel_id: str) -> None:  # type: ignore[override]
        """Interrupt a gateway kernel."""
        record = await self._known(kernel_id)
        try:
            await self.gateway_client.fetch(self.kernel_url(kernel_id, "interrupt"), method="POST")
        except GatewayError as exc:
            raise self._not_found(exc, kernel_id) from None
        self.log.info("Kernel interrupted on the gateway: %s", kernel_id)
        self._emit("interrupt", kernel_id, record.kernel_name, f"Kernel {kernel_id} interrupted.")

    # -- what the WebSocket relay reports ------------------------------------------------

    def record_status(self, kernel_id: str, execution_state: str | None) -> None:
        """A message of the kernel went by: activity, and its state if it is a status."""
        record = self._records.get(kernel_id)
        if record is None:
            return
        record.last_activity = self.last_kernel_activity = utcnow()
        if execution_state:
            record.execution_state = execution_state

    def kernel_gone(self, kernel_id: str) -> None:
        """The gateway no longer has this kernel (its WebSocket answered 404)."""
        if kernel_id in self._records:
            self.log.warning("Kernel %s is gone from the gateway", kernel_id)
            self._forget(kernel_id, "dead")
