"""``POST /api/events`` and the ``/api/events/subscribe`` WebSocket."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

from tornado import web
from tornado.websocket import WebSocketClosedError, WebSocketHandler

from .._base_handlers import APIHandler, JupyterHandler, WebSocketMixin, json_default
from .._urls import url_path_join
from ._bus import EventBus

__all__ = ["events_routes", "EventHandler", "SubscribeWebsocket"]


class _ToWebSocket(logging.Handler):
    """Forwards each event jupyter_events logs to one subscriber."""

    def __init__(self, socket: WebSocketHandler) -> None:
        super().__init__()
        self.socket = socket

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.socket.write_message(json.dumps(record.msg, default=json_default))
        except WebSocketClosedError:
            pass


class SubscribeWebsocket(WebSocketMixin, WebSocketHandler, JupyterHandler):
    """Streams every server event, as JSON text frames, to the client until it disconnects."""

    auth_resource = "events"

    def initialize(self, events: EventBus) -> None:
        self.events = events
        self._forward: _ToWebSocket | None = None

    async def get(self, *args: Any, **kwargs: Any) -> None:
        # prepare() has authenticated and authorized already; load the event machinery off
        # the event loop, then upgrade.
        self._logger = await self.events.ready()
        await super().get(*args, **kwargs)

    def open(self, *args: Any, **kwargs: Any) -> None:
        self._forward = _ToWebSocket(self)
        self._logger.register_handler(self._forward)

    def on_message(self, message: str | bytes) -> None:
        """Subscribers only listen."""

    def on_close(self) -> None:
        if self._forward is not None:
            self._logger.remove_handler(self._forward)
            self._forward = None


class EventHandler(APIHandler):
    """Emit an event from a client: ``{"schema_id", "version", "data", "timestamp"?}``."""

    auth_resource = "events"

    def initialize(self, events: EventBus) -> None:
        self.events = events

    async def post(self) -> None:
        if not self.request.body:
            raise web.HTTPError(400, "No JSON data provided")
        try:
            payload = json.loads(self.request.body)
        except ValueError:
            raise web.HTTPError(400, "Invalid JSON in body of request") from None
        if not isinstance(payload, dict):
            raise web.HTTPError(400, "The request body must be a JSON object")
        for key in ("schema_id", "version", "data"):
            if key not in payload:
                raise web.HTTPError(400, f"Missing `{key}` in the JSON request body.")
        if not isinstance(payload["data"], dict):
            raise web.HTTPError(400, "`data` must be a JSON object")
        timestamp = None
        if payload.get("timestamp"):
            try:
                timestamp = datetime.fromisoformat(str(payload["timestamp"]).replace("Z", "+00:00"))
            except ValueError:
                raise web.HTTPError(400, f"Invalid `timestamp`: {payload['timestamp']!r} (ISO 8601 expected)") from None
        logger = await self.events.ready()
        schema_id = str(payload["schema_id"])
        if schema_id not in logger.schemas.schema_ids:
            raise web.HTTPError(400, f"Unknown event schema: {schema_id!r}")
        try:
            # jupyter_events skips validation when nobody listens; a client's error is a 400 anyway.
            logger.schemas.validate_event(schema_id, payload["data"])
            logger.emit(schema_id=schema_id, data=payload["data"], timestamp_override=timestamp)
        except Exception as exc:  # noqa: BLE001 - jupyter_events raises validation errors of several kinds
            raise web.HTTPError(400, f"Invalid event for {schema_id}: {getattr(exc, 'message', exc)}") from None
        self.set_status(204)
        self.finish()


def events_routes(base_url: str, events: EventBus) -> list[Any]:
    kwargs = {"events": events}
    return [
        (url_path_join(base_url, "/api/events"), EventHandler, kwargs),
        (url_path_join(base_url, "/api/events/subscribe"), SubscribeWebsocket, kwargs),
    ]
