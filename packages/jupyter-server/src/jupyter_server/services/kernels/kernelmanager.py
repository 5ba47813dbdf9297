"""``jupyter_server.services.kernels.kernelmanager``: the server's kernel managers.

``MappingKernelManager`` is async, as jupyter_server 2.x's default
``AsyncMappingKernelManager`` (both names are the core's class).

``ServerKernelManager`` manages one kernel (jupyter_client's ``AsyncIOLoopKernelManager``)
and reports its start, restart, interrupt and shutdown as ``kernel_actions/v1`` events, for
code that drives single kernels itself. Under our ``MappingKernelManager`` the mapping
manager already reports every action, so a ServerKernelManager it owns stays quiet rather
than report each action twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from jupyter_client.ioloop.manager import AsyncIOLoopKernelManager
from jupyter_server_core.events import KERNEL_ACTIONS_SCHEMA, new_event_logger
from jupyter_server_core.kernels import AsyncMappingKernelManager, MappingKernelManager
from tornado import web
from traitlets import Any as AnyTrait
from traitlets import default

__all__ = ["AsyncMappingKernelManager", "MappingKernelManager", "ServerKernelManager"]

#: What each action's success event says, after the kernel id.
_DONE = {"start": "started", "restart": "restarted", "interrupt": "interrupted", "shutdown": "shut down"}


class ServerKernelManager(AsyncIOLoopKernelManager):
    """One kernel whose lifecycle actions are reported as server events."""

    event_logger = AnyTrait(
        help="The jupyter_events EventLogger the actions are reported to; by default the "
        "nearest parent's (the server's), else one of its own.",
    )

    @default("event_logger")
    def _event_logger_default(self) -> Any:
        owner = self.parent
        while owner is not None:
            found = getattr(owner, "event_logger", None)
            if found is not None:
                return found
            owner = getattr(owner, "parent", None)
        return new_event_logger()

    def _reports_itself(self) -> bool:
        return not isinstance(self.parent, MappingKernelManager)

    def _report(self, action: str, status: str, msg: str, status_code: int | None = None) -> None:
        data: dict[str, Any] = {"action": action, "status": status, "msg": msg}
        if self.kernel_id:
            data["kernel_id"] = self.kernel_id
        if self.kernel_name:
            data["kernel_name"] = self.kernel_name
        if status_code is not None:
            data["status_code"] = status_code
        self.event_logger.emit(schema_id=KERNEL_ACTIONS_SCHEMA, data=data)

    async def _reported(self, action: str, run: Callable[..., Awaitable[Any]], *args: Any, **kwargs: Any) -> Any:
        if not self._reports_itself():
            return await run(*args, **kwargs)
        try:
            result = await run(*args, **kwargs)
        except web.HTTPError as exc:
            self._report(action, "error", exc.log_message or str(exc), exc.status_code)
            raise
        except Exception as exc:
            self._report(action, "error", f"Kernel {action} failed: {type(exc).__name__}: {exc}")
            raise
        self._report(action, "success", f"Kernel {self.kernel_id} {_DONE[action]}.")
        return result

    async def start_kernel(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        await self._reported("start", super().start_kernel, *args, **kwargs)

    async def restart_kernel(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        await self._reported("restart", super().restart_kernel, *args, **kwargs)

    async def interrupt_kernel(self) -> None:  # type: ignore[override]
        await self._reported("interrupt", super().interrupt_kernel)

    async def shutdown_kernel(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        await self._reported("shutdown", super().shutdown_kernel, *args, **kwargs)
