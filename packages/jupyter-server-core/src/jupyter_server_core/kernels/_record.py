"""What the server knows about one kernel, in one place (persistable later)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

__all__ = ["KernelRecord", "utcnow"]


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class KernelRecord:
    """The state of one kernel as the REST API reports it.

    The manager owns these records; handlers read them through
    :meth:`MappingKernelManager.kernel_model` and never keep kernel state themselves.
    ``connection_info`` (from jupyter_client) plus this record is all a later version
    needs to re-attach to a kernel that outlived the server.
    """

    kernel_id: str
    kernel_name: str
    cwd: str
    last_activity: datetime = field(default_factory=utcnow)
    execution_state: str = "starting"
    connections: int = 0
    reason: str = ""
    kernel_info: dict[str, Any] | None = None

    def model(self) -> dict[str, Any]:
        """The REST model: id, name, last_activity (ISO 8601, Z), execution_state, connections."""
        return {
            "id": self.kernel_id,
            "name": self.kernel_name,
            "last_activity": self.last_activity.isoformat().replace("+00:00", "Z"),
            "execution_state": self.execution_state,
            "connections": self.connections,
        }
