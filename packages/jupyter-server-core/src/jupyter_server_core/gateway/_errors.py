"""What talking to a gateway can go wrong with, as errors the REST handlers turn into 4xx/5xx.

Every error is a :class:`~jupyter_server_core.kernels.KernelError`, so the kernel and
session handlers answer it with its ``status_code`` and message without knowing about
gateways. Messages name the gateway, so a person reading them knows which machine to
look at.
"""

from __future__ import annotations

import json
from typing import Any

from ..kernels import KernelError

__all__ = ["GatewayError", "gateway_message"]


class GatewayError(KernelError):
    """A request to the gateway failed; ``status_code`` is what our client is answered.

    - 503: the gateway is not reachable (refused, unknown host, TLS failure);
    - 504: it did not answer in time;
    - 502: it refused our credentials, or answered something that is not its API;
    - otherwise the gateway's own status, with its message.
    """

    def __init__(self, message: str, status_code: int = 503, gateway_status: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        #: The status the gateway answered (None when it did not answer at all).
        self.gateway_status = gateway_status

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "The gateway request failed"


def gateway_message(body: bytes | None) -> str:
    """The ``message`` (or ``reason``) of a gateway's JSON error body, else a short text."""
    if not body:
        return ""
    text = body.decode("utf-8", "replace")
    try:
        model: Any = json.loads(text)
    except ValueError:
        return " ".join(text.split())[:200]
    if isinstance(model, dict):
        for key in ("message", "reason", "error"):
            value = model.get(key)
            if isinstance(value, str) and value:
                return value
    return ""
