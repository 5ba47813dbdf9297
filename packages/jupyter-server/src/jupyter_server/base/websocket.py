"""``jupyter_server.base.websocket``: the mixin WebSocket handlers put first in their bases::

    class MySocket(WebSocketMixin, WebSocketHandler, JupyterHandler): ...

It is the core's: the server's origin rule for the upgrade, 403 when unauthenticated.
"""

from __future__ import annotations

from jupyter_server_core._base_handlers import WebSocketMixin

__all__ = ["WebSocketMixin"]
