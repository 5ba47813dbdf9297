"""/api/events and /api/events/subscribe on jupyter_events, created lazily."""

from __future__ import annotations

import asyncio
import json
import sys

import pytest

CONTENTS = "https://events.jupyter.org/jupyter_server/contents_service/v1"


async def test_events_are_off_until_needed(jp_serverapp):
    assert not jp_serverapp.events.active
    jp_serverapp.events.emit(CONTENTS, {"action": "save", "path": "x"})  # a no-op, no error
    assert not jp_serverapp.events.active


async def test_post_then_subscriber_receives(jp_fetch, jp_ws_fetch, jp_serverapp):
    ws = await jp_ws_fetch("api", "events", "subscribe")
    assert jp_serverapp.events.active
    body = {"schema_id": CONTENTS, "version": 1, "data": {"action": "save", "path": "a.txt"}}
    r = await jp_fetch("api", "events", method="POST", body=body)
    assert r.code == 204
    event = json.loads(await asyncio.wait_for(ws.read_message(), 10))
    # jupyter_server's frame: the schema id beside the event's own fields, nothing else.
    assert event == {"schema_id": CONTENTS, "action": "save", "path": "a.txt"}
    # The server's own emitters reach subscribers too.
    jp_serverapp.events.emit(CONTENTS, {"action": "delete", "path": "b.txt"})
    event = json.loads(await asyncio.wait_for(ws.read_message(), 10))
    assert event["action"] == "delete"
    ws.close()


@pytest.mark.parametrize(
    "body, fragment",
    [
        ("", "No JSON data provided"),
        ("not json", "Invalid JSON"),
        ("{}", "Missing `schema_id`"),
        (json.dumps({"schema_id": CONTENTS, "data": {}}), "Missing `version`"),
        (json.dumps({"schema_id": "nope", "version": 1, "data": {}}), "Unknown event schema"),
        (json.dumps({"schema_id": CONTENTS, "version": 2, "data": {"action": "save", "path": "x"}}), "not 2"),
        (json.dumps({"schema_id": CONTENTS, "version": "1.0", "data": {"action": "save", "path": "x"}}), "not '1.0'"),
        (json.dumps({"schema_id": CONTENTS, "version": 1, "data": {"action": "explode", "path": "x"}}), "Invalid event"),
        (json.dumps({"schema_id": CONTENTS, "version": 1, "data": {"action": "save", "path": "x"}, "timestamp": "yesterday"}), "timestamp"),
    ],
)
async def test_bad_events_are_400(jp_fetch, body, fragment):
    r = await jp_fetch("api", "events", method="POST", body=body, raise_error=False)
    assert r.code == 400
    assert fragment in json.loads(r.body)["message"]


@pytest.mark.parametrize("stamp", ["2022-05-26T12:50:00+06:00Z", "2022-05-26T12:50:00+06:00", "2022-05-26T06:50:00Z"])
async def test_a_recorded_timestamp_is_kept(jp_fetch, jp_serverapp, stamp):
    # jupyter_events writes times as isoformat() + "Z", offset or not: such a recorded
    # event may be posted again and keeps its time.
    import io
    import logging

    sink = io.StringIO()
    jp_serverapp.events.logger.register_handler(logging.StreamHandler(sink))
    body = {"schema_id": CONTENTS, "version": 1, "data": {"action": "save", "path": "x"}, "timestamp": stamp}
    assert (await jp_fetch("api", "events", method="POST", body=body)).code == 204
    written = json.loads(sink.getvalue())
    expected = {"2022-05-26T06:50:00Z": "2022-05-26T06:50:00+00:00Z"}.get(stamp, "2022-05-26T12:50:00+06:00Z")
    assert written["__timestamp__"] == expected


async def test_version_may_be_a_number_or_a_string(jp_fetch):
    for version in (1, "1"):
        body = {"schema_id": CONTENTS, "version": version, "data": {"action": "save", "path": "x"}}
        assert (await jp_fetch("api", "events", method="POST", body=body)).code == 204


async def test_event_emitted_right_after_subscribing_is_not_lost(jp_fetch, jp_ws_fetch, jp_serverapp):
    from jupyter_server_core.pytest_plugin import wait_for

    bus = jp_serverapp.events
    assert not bus.active
    connecting = asyncio.ensure_future(jp_ws_fetch("api", "events", "subscribe"))
    # The server has taken the subscription; jupyter_events may still be loading.
    await wait_for(lambda: asyncio.sleep(0, bool(bus._subscribers)))
    bus.emit(CONTENTS, {"action": "rename", "path": "n.txt", "source_path": "o.txt"})
    ws = await connecting
    first = json.loads(await asyncio.wait_for(ws.read_message(), 10))
    assert first == {"schema_id": CONTENTS, "action": "rename", "path": "n.txt", "source_path": "o.txt"}
    # And right after the upgrade, through jupyter_events.
    body = {"schema_id": CONTENTS, "version": 1, "data": {"action": "save", "path": "s.txt"}}
    await jp_fetch("api", "events", method="POST", body=body)
    second = json.loads(await asyncio.wait_for(ws.read_message(), 10))
    assert second == {"schema_id": CONTENTS, "action": "save", "path": "s.txt"}
    ws.close()
    await wait_for(lambda: asyncio.sleep(0, not bus._subscribers))


async def test_subscribe_requires_auth(jp_ws_fetch):
    from tornado.httpclient import HTTPClientError

    with pytest.raises(HTTPClientError) as e:
        await jp_ws_fetch("api", "events", "subscribe", headers={"Authorization": None})
    assert e.value.code == 403


def test_core_import_does_not_load_jupyter_events():
    import subprocess

    code = "import sys, jupyter_server_core._serverapp; print('jupyter_events' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"



async def test_event_logger_is_created_off_the_event_loop(jp_ws_fetch, jp_serverapp, monkeypatch):
    """The first subscriber loads jupyter_events (about a second) in a worker thread, so the
    event loop keeps serving while JupyterLab's first page load subscribes."""
    import threading

    import jupyter_events

    created_in: list[str] = []
    original = jupyter_events.EventLogger.__init__

    def recording_init(self, *args, **kwargs):
        created_in.append(threading.current_thread().name)
        original(self, *args, **kwargs)

    monkeypatch.setattr(jupyter_events.EventLogger, "__init__", recording_init)
    ws = await jp_ws_fetch("api", "events", "subscribe")
    ws.close()
    assert len(created_in) == 1
    assert created_in[0] != threading.main_thread().name
