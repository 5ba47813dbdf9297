"""Culling: shutting down kernels that have been idle for too long."""

from __future__ import annotations

import asyncio
from typing import Any

from traitlets import Bool, HasTraits, Integer

from ._record import utcnow

__all__ = ["KernelCuller"]


class KernelCuller(HasTraits):
    """The culling half of MappingKernelManager (its traits are configured there).

    Every ``cull_interval`` seconds, each kernel idle for more than ``cull_idle_timeout``
    seconds is shut down, unless it has clients (and ``cull_connected`` is False) or is
    busy (and ``cull_busy`` is False), and never while it is starting or restarting
    (its process has not answered kernel_info yet). Idle means: no iopub traffic other than answers to
    ``untracked_message_types`` requests, no client connecting or leaving.
    """

    cull_idle_timeout = Integer(
        0, help="Shut down kernels idle for this many seconds; 0 never culls."
    ).tag(config=True)
    cull_interval = Integer(
        300, help="Seconds between two checks for idle kernels (when cull_idle_timeout > 0)."
    ).tag(config=True)
    cull_connected = Bool(
        False, help="Whether kernels with open client connections may be culled."
    ).tag(config=True)
    cull_busy = Bool(
        False, help="Whether kernels whose execution_state is busy may be culled."
    ).tag(config=True)

    _culler: asyncio.Task[Any] | None = None
    log: Any
    _records: dict[str, Any]

    def start_culling(self) -> None:
        """Start the periodic check if culling is enabled (called when a kernel starts)."""
        if self.cull_idle_timeout <= 0 or (self._culler is not None and not self._culler.done()):
            return
        interval = self.cull_interval
        if interval <= 0:
            self.log.warning("MappingKernelManager.cull_interval must be > 0; using 300 seconds.")
            interval = 300
        self.log.info("Culling kernels idle for %ss, checking every %ss", self.cull_idle_timeout, interval)
        self._culler = asyncio.ensure_future(self._cull_periodically(interval))

    def stop_culling(self) -> None:
        if self._culler is not None:
            self._culler.cancel()
            self._culler = None

    async def _cull_periodically(self, interval: int) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await self.cull_kernels()
            except Exception:
                self.log.exception("Culling kernels failed")

    async def cull_kernels(self) -> list[str]:
        """Shut down the kernels idle past the timeout now; return their ids."""
        culled = []
        now = utcnow()
        for kernel_id, record in list(self._records.items()):
            idle = (now - record.last_activity).total_seconds()
            if idle <= self.cull_idle_timeout:
                continue
            if record.connections and not self.cull_connected:
                continue
            if record.execution_state == "busy" and not self.cull_busy:
                continue
            if record.execution_state in ("starting", "restarting"):
                continue  # not idle: its process has not answered yet
            self.log.warning(
                "Culling kernel %s (%s): %s, idle for %ds, %d connection(s)",
                kernel_id, record.kernel_name, record.execution_state, idle, record.connections,
            )
            try:
                await self.shutdown_kernel(kernel_id)  # type: ignore[attr-defined]
            except KeyError:
                continue
            culled.append(kernel_id)
        return culled
