"""Framing of the two kernel WebSocket protocols and the iopub rate limiter, without a server."""

from __future__ import annotations

import json
import struct
import tracemalloc

import pytest

from jupyter_server_core.kernels._wsclient import decode_server_frame
from jupyter_server_core.kernels._wsprotocol import (
    V1_PROTOCOL,
    FrameError,
    RawMessage,
    decode_legacy,
    decode_v1,
    encode_legacy,
    encode_legacy_frame,
    encode_v1,
    message_from_dict,
)
from jupyter_server_core.kernels._wsratelimit import IOPubRateLimiter

MSG = {
    "header": {"msg_id": "m1", "msg_type": "comm_msg", "session": "s", "username": "u", "date": "2024-01-01T00:00:00Z", "version": "5.4"},
    "parent_header": {"msg_id": "p0"},
    "metadata": {"k": "v"},
    "content": {"comm_id": "c", "data": {"é": 1}},
    "channel": "shell",
}
BUFFERS = [b"\x00\xff", b"", b"abc"]


def test_v1_round_trip_keeps_bytes():
    raw = message_from_dict(MSG, BUFFERS)
    frame = encode_v1(raw)
    (count,) = struct.unpack_from("<Q", frame)
    offsets = struct.unpack_from(f"<{count}Q", frame, 8)
    assert count == 1 + 4 + len(BUFFERS) + 1
    assert offsets[0] == 8 * (count + 1) and offsets[-1] == len(frame)
    decoded = decode_v1(frame)
    assert decoded.channel == "shell"
    assert decoded.parts == raw.parts
    assert decoded.buffers == BUFFERS
    assert decode_server_frame(frame, V1_PROTOCOL)["content"] == MSG["content"]


def test_legacy_text_and_binary_round_trip():
    raw = message_from_dict(MSG)
    text = encode_legacy(RawMessage("iopub", raw.parts))
    assert isinstance(text, str)
    model = json.loads(text)
    assert model["channel"] == "iopub" and model["buffers"] == []
    assert model["msg_id"] == "m1" and model["msg_type"] == "comm_msg"
    assert {k: model[k] for k in ("header", "parent_header", "metadata", "content")} == {
        k: MSG[k] for k in ("header", "parent_header", "metadata", "content")
    }
    binary = encode_legacy(RawMessage("shell", raw.parts + BUFFERS))
    assert isinstance(binary, bytes)
    (count,) = struct.unpack_from(">I", binary)
    assert count == 1 + len(BUFFERS)
    decoded = decode_legacy(binary)
    assert decoded.buffers == BUFFERS
    assert decoded.header == MSG["header"]
    assert decode_legacy(json.dumps(MSG)).channel == "shell"


def test_legacy_frame_splices_parts_and_repairs_bad_ones():
    raw = message_from_dict(MSG)
    data, binary = encode_legacy_frame(RawMessage("iopub", raw.parts))
    assert not binary and isinstance(data, bytes)
    assert json.loads(data)["content"] == MSG["content"]
    # Parts that are not JSON objects in UTF-8 become {} instead of a broken frame.
    bad = [raw.parts[0], b"[1, 2]", b"{\xff}", b"not json"]
    model = json.loads(encode_legacy_frame(RawMessage("iopub", bad))[0].decode("utf-8"))
    assert model["parent_header"] == model["metadata"] == model["content"] == {}
    assert model["header"] == MSG["header"] and model["buffers"] == []


def test_legacy_defaults():
    msg = {"header": {"msg_type": "kernel_info_request", "msg_id": "x"}}
    raw = decode_legacy(json.dumps(msg))
    assert raw.channel == "shell"
    assert raw.parts[1:] == [b"{}", b"{}", b"{}"]


@pytest.mark.parametrize(
    "frame",
    [
        "not json",
        "[]",
        json.dumps({"header": {"msg_type": 1}}),
        json.dumps({**MSG, "content": [1]}),
        json.dumps({**MSG, "buffers": ["YWJj"]}),
        b"\x00\x00",
        struct.pack(">I", 0) + b"\x00" * 8,
    ],
)
def test_legacy_refusals(frame):
    with pytest.raises(FrameError):
        decode_legacy(frame)


def test_absurd_claims_are_refused_without_allocating():
    frames = [
        struct.pack("<Q", 2**64 - 1) + b"\x00" * 64,
        struct.pack("<Q", 10**9) + struct.pack("<Q", 16) * 8,
        struct.pack("<Q", 6) + struct.pack("<6Q", 56, 57, 58, 59, 60, 2**63),
    ]
    tracemalloc.start()
    try:
        for frame in frames:
            with pytest.raises(FrameError):
                decode_v1(frame)
        with pytest.raises(FrameError):
            decode_legacy(struct.pack(">I", 2**32 - 1) + b"\x00" * 64)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 1024


def test_v1_refuses_text_and_short_tables():
    with pytest.raises(FrameError):
        decode_v1("text")
    frame = encode_v1(message_from_dict(MSG))
    with pytest.raises(FrameError):
        decode_v1(frame[:40])
    # Five offsets (no end offset) is not a v1 message.
    with pytest.raises(FrameError):
        decode_v1(struct.pack("<Q", 5) + struct.pack("<5Q", 48, 53, 55, 57, 59) + b"shell{}{}{}{}")


def test_rate_limiter_drops_and_resumes():
    limiter = IOPubRateLimiter(msg_rate_limit=10, data_rate_limit=0, window=1.0)
    decisions = [limiter.check("stream", 5, now=0.001 * i) for i in range(20)]
    delivered = [d for d, _ in decisions]
    notices = [n for _, n in decisions if n]
    assert delivered[:10] == [True] * 10 and not any(delivered[10:])
    assert notices == ["msg"]
    assert limiter.check("status", 0, now=0.5) == (True, None)
    # Once the window has passed, output flows again.
    assert limiter.check("stream", 5, now=5.0) == (True, None)
    assert "iopub_msg_rate_limit=10" in limiter.notice_text("msg")


def test_data_rate_limit():
    limiter = IOPubRateLimiter(msg_rate_limit=0, data_rate_limit=100, window=1.0)
    assert limiter.check("stream", 90, now=0.0) == (True, None)
    assert limiter.check("stream", 90, now=0.1) == (False, "data")
    assert limiter.check("stream", 1, now=0.2) == (False, None)
    assert limiter.check("stream", 1, now=2.0) == (True, None)


def test_offline_buffer_keeps_the_newest_within_its_cap(monkeypatch):
    from jupyter_server_core.kernels import _wsregistry

    monkeypatch.setattr(_wsregistry, "MAX_BUFFERED_BYTES", 100)
    buffer = _wsregistry.OfflineBuffer("k:s", channels=None)  # type: ignore[arg-type]
    for i in range(10):
        buffer.append(RawMessage("iopub", [b"{}", b"{}", b"{}", str(i).encode() * 20]))
    assert buffer.nbytes <= 100
    assert buffer.dropped == 10 - len(buffer.messages)
    assert buffer.messages[-1].parts[3].startswith(b"9")


@pytest.mark.parametrize("size", [0, 125, 126, 65535, 65536])
def test_batched_frame_header_matches_rfc6455(size):
    from tornado.websocket import WebSocketProtocol13

    from jupyter_server_core.kernels._wswriter import frame_header

    header = frame_header(size, binary=size % 2 == 0)
    assert header[0] == 0x80 | (0x2 if size % 2 == 0 else 0x1)
    assert not header[1] & 0x80  # a server never masks
    if size < 126:
        assert header[1] == size and len(header) == 2
    elif size <= 0xFFFF:
        assert header[1] == 126 and struct.unpack("!H", header[2:]) == (size,)
    else:
        assert header[1] == 127 and struct.unpack("!Q", header[2:]) == (size,)
    assert WebSocketProtocol13.FIN == 0x80
