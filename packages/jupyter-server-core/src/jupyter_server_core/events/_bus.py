"""Server events on jupyter_events, created only when someone needs them.

jupyter_events takes about a second to import (JSON schema validators). The server does not
pay for it at start: :class:`EventBus` creates the ``EventLogger`` when a client subscribes
or posts an event, when an extension asks for ``serverapp.event_logger``, or at start when
the config has an ``EventLogger`` section (handlers configured by the operator). Until then
:meth:`EventBus.emit` costs one attribute check.

WebSocket subscribers do not wait for it: :meth:`EventBus.subscribe` takes effect at once,
and an event emitted while jupyter_events is still loading goes straight to them. Each gets
``{"schema_id": ..., **data}``, the frame jupyter_server sends.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["EventBus", "CONTENTS_SCHEMA", "KERNEL_ACTIONS_SCHEMA", "GATEWAY_SCHEMA", "new_event_logger"]

_SCHEMAS = Path(__file__).parent / "schemas"
CONTENTS_SCHEMA = "https://events.jupyter.org/jupyter_server/contents_service/v1"
KERNEL_ACTIONS_SCHEMA = "https://events.jupyter.org/jupyter_server/kernel_actions/v1"
GATEWAY_SCHEMA = "https://events.jupyter.org/jupyter_server/gateway_client/v1"


Subscriber = Callable[[dict[str, Any]], None]


def new_event_logger(parent: Any = None) -> Any:
    """A jupyter_events ``EventLogger`` that knows the server's schemas (kernel actions,
    contents, gateway client). Imports jupyter_events: call it when events are wanted."""
    from jupyter_events import EventLogger

    logger = EventLogger(parent=parent)
    for path in sorted(_SCHEMAS.glob("*.json")):
        logger.register_event_schema(path)
    return logger


class _FanOut(logging.Handler):
    """Hands every event jupyter_events records to the bus's subscribers."""

    def __init__(self, subscribers: list[Subscriber]) -> None:
        super().__init__()
        self.subscribers = subscribers

    def emit(self, record: logging.LogRecord) -> None:
        capsule = record.msg if isinstance(record.msg, dict) else {}
        message = {"schema_id": capsule.get("__schema__")}
        message.update((k, v) for k, v in capsule.items() if not str(k).startswith("__"))
        for deliver in list(self.subscribers):
            deliver(message)


class EventBus:
    """Holds the server's ``jupyter_events.EventLogger``, created on first need."""

    def __init__(self, parent: Any) -> None:
        self._parent = parent
        self._logger: Any = None
        self._pending_schemas: list[Any] = []
        self._subscribers: list[Subscriber] = []
        self._fan_out = _FanOut(self._subscribers)
        self._fanning_out = False

    @property
    def active(self) -> bool:
        """Whether events are being recorded (someone may be listening)."""
        return self._logger is not None

    def _create_logger(self) -> Any:
        return new_event_logger(self._parent)

    def _adopt(self, logger: Any) -> Any:
        """Make ``logger`` the bus's (on the event loop's thread, so no emit races it)."""
        if self._logger is None:
            self._logger = logger
            for schema in self._pending_schemas:
                logger.register_event_schema(schema)
            self._pending_schemas.clear()
            self._sync_fan_out()
        return self._logger

    def _sync_fan_out(self) -> None:
        # The fan-out handler is attached only while someone listens: with no handler at
        # all, jupyter_events skips validating and formatting each event.
        if self._logger is None or self._fanning_out == bool(self._subscribers):
            return
        if self._subscribers:
            self._logger.register_handler(self._fan_out)
        else:
            self._logger.remove_handler(self._fan_out)
        self._fanning_out = bool(self._subscribers)

    @property
    def logger(self) -> Any:
        """The EventLogger, created and loaded with the server's schemas on first access."""
        if self._logger is None:
            self._adopt(self._create_logger())
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
                    self._adopt(await asyncio.to_thread(self._create_logger))
        return self._logger

    def subscribe(self, deliver: Subscriber) -> Callable[[], None]:
        """Call ``deliver({"schema_id": ..., **data})`` for every event from now on.

        Returns the function that ends the subscription.
        """
        self._subscribers.append(deliver)
        self._sync_fan_out()

        def unsubscribe() -> None:
            if deliver in self._subscribers:
                self._subscribers.remove(deliver)
                self._sync_fan_out()

        return unsubscribe

    def register_schema(self, schema: Any) -> None:
        """Register an extension's schema (a path or dict) now, or when the logger is created."""
        if self._logger is None:
            self._pending_schemas.append(schema)
        else:
            self._logger.register_event_schema(schema)

    def emit(self, schema_id: str, data: dict[str, Any]) -> None:
        """Emit an event if events are active; never raises into the caller's request."""
        if self._logger is None:
            # jupyter_events is not loaded (maybe loading): subscribers still get it.
            message = {"schema_id": schema_id, **data}
            for deliver in list(self._subscribers):
                deliver(message)
            return
        try:
            self._logger.emit(schema_id=schema_id, data=data)
        except Exception as exc:  # noqa: BLE001 - a bad event must not fail the action it describes
            self._parent.log.warning("Could not emit event %s: %s", schema_id, exc)
