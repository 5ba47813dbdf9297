"""``POST /api/events`` and the ``/api/events/subscribe`` WebSocket."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from tornado import web
from tornado.websocket import WebSocketClosedError, WebSocketHandler

from .._base_handlers import (
    APIHandler,
    JupyterHandler,
    WebSocketMixin,
    json_default,
    parse_json_body,
)
from .._urls import url_path_join
from ._bus import EventBus

__all__ = ["events_routes", "EventHandler", "SubscribeWebsocket"]


class SubscribeWebsocket(WebSocketMixin, WebSocketHandler, JupyterHandler):
    """Streams every server event, as JSON text frames, to the client until it disconnects.

    The subscription starts before the upgrade: events emitted meanwhile (while
    jupyter_events loads, say) wait in a backlog and go out first, so none is lost.
    """

    auth_resource = "events"

    def initialize(self, events: EventBus) -> None:
        self.events = events
        self._backlog: list[str] | None = []
        self._unsubscribe: Callable[[], None] | None = None

    async def get(self, *args: Any, **kwargs: Any) -> None:
        # prepare() has authenticated and authorized already.
        self._unsubscribe = self.events.subscribe(self._deliver)
        try:
            # Load the event machinery off the event loop, then upgrade.
            await self.events.ready()
            await super().get(*args, **kwargs)
        finally:
            if self._backlog is not None:  # never opened: a refused or failed upgrade
                self._stop()

    def _deliver(self, message: dict[str, Any]) -> None:
        text = json.dumps(message, default=json_default)
        if self._backlog is not None:
            self._backlog.append(text)
            return
        try:
            self.write_message(text)
        except WebSocketClosedError:
            self._stop()

    def _stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def open(self, *args: Any, **kwargs: Any) -> None:
        backlog, self._backlog = self._backlog or [], None
        for text in backlog:
            self.write_message(text)

    def on_message(self, message: str | bytes) -> None:
        """Subscribers only listen."""

    def on_close(self) -> None:
        self._stop()


class EventHandler(APIHandler):
    """Emit an event from a client: ``{"schema_id", "version", "data", "timestamp"?}``."""

    auth_resource = "events"

    def initialize(self, events: EventBus) -> None:
        self.events = events

    async def post(self) -> None:
        if not self.request.body:
            raise web.HTTPError(400, "No JSON data provided")
        payload = parse_json_body(self.request.body)
        if not isinstance(payload, dict):
            raise web.HTTPError(400, "The request body must be a JSON object")
        for key in ("schema_id", "version", "data"):
            if key not in payload:
                raise web.HTTPError(400, f"Missing `{key}` in the JSON request body.")
        if not isinstance(payload["data"], dict):
            raise web.HTTPError(400, "`data` must be a JSON object")
        timestamp = _parse_timestamp(payload["timestamp"]) if payload.get("timestamp") else None
        logger = await self.events.ready()
        schema_id = str(payload["schema_id"])
        if schema_id not in logger.schemas.schema_ids:
            raise web.HTTPError(400, f"Unknown event schema: {schema_id!r}")
        known = str(logger.schemas.get(schema_id).version)
        if str(payload["version"]) != known:
            raise web.HTTPError(400, f"Schema {schema_id} is registered in version {known}, not {payload['version']!r}")
        try:
            # jupyter_events skips validation when nobody listens; a client's error is a 400 anyway.
            logger.schemas.validate_event(schema_id, payload["data"])
            logger.emit(schema_id=schema_id, data=payload["data"], timestamp_override=timestamp)
        except Exception as exc:  # noqa: BLE001 - jupyter_events raises validation errors of several kinds
            raise web.HTTPError(400, f"Invalid event for {schema_id}: {getattr(exc, 'message', exc)}") from None
        self.set_status(204)
        self.finish()


def _parse_timestamp(value: Any) -> datetime:
    """An ISO 8601 time; ``Z`` means UTC, also after an offset (jupyter_events writes
    ``isoformat() + "Z"``, so a recorded event can be sent again). A 400 otherwise."""
    text = str(value)
    if text.endswith("Z"):
        head = text[:-1]
        text = head if _OFFSET.search(head) else head + "+00:00"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise web.HTTPError(400, f"Invalid `timestamp`: {value!r} (ISO 8601 expected)") from None


_OFFSET = re.compile(r"T.*[+-]\d\d:?\d\d$")


def events_routes(base_url: str, events: EventBus) -> list[Any]:
    kwargs = {"events": events}
    return [
        (url_path_join(base_url, "/api/events"), EventHandler, kwargs),
        (url_path_join(base_url, "/api/events/subscribe"), SubscribeWebsocket, kwargs),
    ]
