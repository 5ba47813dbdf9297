"""Server events on jupyter_events, created only when someone needs them.

jupyter_events takes about a second to import (JSON schema validators). The server does not
pay for it at start: :class:`EventBus` creates the ``EventLogger`` when a client subscribes
or posts an event, when an extension asks for ``serverapp.event_logger``, or at start when
the config has an ``EventLogger`` section (handlers configured by the operator). Until then
:meth:`EventBus.emit` costs one attribute check.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["EventBus", "CONTENTS_SCHEMA", "KERNEL_ACTIONS_SCHEMA", "GATEWAY_SCHEMA"]

_SCHEMAS = Path(__file__).parent / "schemas"
CONTENTS_SCHEMA = "https://events.jupyter.org/jupyter_server/contents_service/v1"
KERNEL_ACTIONS_SCHEMA = "https://events.jupyter.org/jupyter_server/kernel_actions/v1"
GATEWAY_SCHEMA = "https://events.jupyter.org/jupyter_server/gateway_client/v1"


class EventBus:
    """Holds the server's ``jupyter_events.EventLogger``, created on first need."""

    def __init__(self, parent: Any) -> None:
        self._parent = parent
        self._logger: Any = None
        self._pending_schemas: list[Any] = []

    @property
    def active(self) -> bool:
        """Whether events are being recorded (someone may be listening)."""
        return self._logger is not None

    @property
    def logger(self) -> Any:
        """The EventLogger, created and loaded with the server's schemas on first access."""
        if self._logger is None:
            from jupyter_events import EventLogger

            logger = EventLogger(parent=self._parent)
            for path in sorted(_SCHEMAS.glob("*.json")):
                logger.register_event_schema(path)
            for schema in self._pending_schemas:
                logger.register_event_schema(schema)
            self._pending_schemas.clear()
            self._logger = logger
        return self._logger

    async def ready(self) -> Any:
        """The EventLogger, created in a worker thread if it does not exist yet.

        Handlers await this instead of touching :attr:`logger`: the first creation imports
        jupyter_events and jsonschema (about a second) and must not stall the event loop
        while JupyterLab's first page load subscribes.
        """
        if self._logger is None:
            import asyncio

            lock = self.__dict__.setdefault("_creating", asyncio.Lock())
            async with lock:
                if self._logger is None:
                    await asyncio.to_thread(lambda: self.logger)
        return self._logger

    def register_schema(self, schema: Any) -> None:
        """Register an extension's schema (a path or dict) now, or when the logger is created."""
        if self._logger is None:
            self._pending_schemas.append(schema)
        else:
            self._logger.register_event_schema(schema)

    def emit(self, schema_id: str, data: dict[str, Any]) -> None:
        """Emit an event if events are active; never raises into the caller's request."""
        if self._logger is None:
            return
        try:
            self._logger.emit(schema_id=schema_id, data=data)
        except Exception as exc:  # noqa: BLE001 - a bad event must not fail the action it describes
            self._parent.log.warning("Could not emit event %s: %s", schema_id, exc)
