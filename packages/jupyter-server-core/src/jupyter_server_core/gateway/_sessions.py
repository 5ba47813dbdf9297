"""GatewaySessionManager: sessions kept here, their kernels on the gateway."""

from __future__ import annotations

from typing import Any

from ..sessions import SessionManager
from ._errors import GatewayError

__all__ = ["GatewaySessionManager"]


class GatewaySessionManager(SessionManager):
    """The local session store, with the gateway kernel manager as ``kernel_manager``.

    Before sessions are read, the kernels' models are refreshed from the gateway, so a
    kernel the gateway culled takes its session with it. A gateway that does not answer
    leaves the last known models: the session list stays readable while it is away.
    """

    async def _refresh(self) -> None:
        refresh = self.kernel_manager.refresh_kernels
        try:
            await refresh()
        except GatewayError as exc:
            self.log.warning("Listing sessions with the last known kernel models: %s", exc)

    async def list_sessions(self) -> list[dict[str, Any]]:
        await self._refresh()
        return await super().list_sessions()

    async def get_session(self, **where: Any) -> dict[str, Any]:
        if "session_id" in where and len(where) == 1:
            await self._refresh()
        return await super().get_session(**where)
