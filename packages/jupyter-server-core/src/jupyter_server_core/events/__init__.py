"""Server events: ``serverapp.events`` (emit), ``/api/events`` and its subscribe WebSocket."""

from ._bus import CONTENTS_SCHEMA, GATEWAY_SCHEMA, KERNEL_ACTIONS_SCHEMA, EventBus, new_event_logger
from ._handlers import events_routes

__all__ = ["CONTENTS_SCHEMA", "GATEWAY_SCHEMA", "KERNEL_ACTIONS_SCHEMA", "EventBus", "events_routes", "new_event_logger"]
