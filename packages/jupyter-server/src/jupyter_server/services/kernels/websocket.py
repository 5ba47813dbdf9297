"""``jupyter_server.services.kernels.websocket``: the handler of ``/api/kernels/<id>/channels`` (the core's)."""

from __future__ import annotations

from jupyter_server_core.kernels import KernelWebsocketHandler

__all__ = ["AUTH_RESOURCE", "KernelWebsocketHandler"]

AUTH_RESOURCE = "kernels"
