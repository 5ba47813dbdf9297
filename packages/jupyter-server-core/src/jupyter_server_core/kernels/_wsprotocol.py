"""Framing of kernel messages on the kernel WebSocket: pure functions, no I/O.

Two protocols (see docs/websocket-protocols.md):

- the default ("legacy") one: a message without binary buffers is a JSON text frame
  ``{header, parent_header, metadata, content, buffers, channel, msg_id, msg_type}``; a
  message with buffers is a binary frame: a big-endian uint32 count ``n`` (1 + number of
  buffers), ``n`` big-endian uint32 offsets (the JSON message, then each buffer), the
  UTF-8 JSON message, then the buffers;
- ``v1.kernel.websocket.jupyter.org``: every message is a binary frame: a little-endian
  uint64 count ``n``, ``n`` little-endian uint64 offsets, then the parts they point at:
  the channel name, header, parent_header, metadata, content (JSON), then the buffers. The
  last offset marks the end of the last part.

Inside the server a message travels as a :class:`RawMessage`: the channel and the wire
parts ``[header, parent_header, metadata, content, *buffers]`` exactly as the kernel's
ZMQ sockets carry them, so the v1 protocol forwards bytes without decoding them.

Every decoder raises :class:`FrameError` for a frame it cannot use. Sizes are checked
against the frame's length before anything is allocated, so a frame that claims absurd
counts or offsets costs nothing.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "CLIENT_CHANNELS",
    "FrameError",
    "MAX_BUFFERS",
    "RawMessage",
    "V1_PROTOCOL",
    "decode_legacy",
    "decode_v1",
    "encode_legacy",
    "encode_legacy_frame",
    "encode_v1",
    "message_from_dict",
]

V1_PROTOCOL = "v1.kernel.websocket.jupyter.org"

#: The channels a client may send on; iopub flows from the kernel only.
CLIENT_CHANNELS = frozenset({"shell", "control", "stdin"})

#: Most binary buffers one message may carry (far above what any client sends).
MAX_BUFFERS = 4096

_JSON_PARTS = ("header", "parent_header", "metadata", "content")


class FrameError(ValueError):
    """A WebSocket frame that is not a kernel message of the connection's protocol."""


@dataclass
class RawMessage:
    """A kernel message as wire parts: ``[header, parent_header, metadata, content, *buffers]``."""

    channel: str
    parts: list[bytes]
    _header: dict[str, Any] | None = field(default=None, repr=False)
    #: An iopub message's sequence number in the kernel's journal; for another message
    #: kept for a returning session, the journal position it arrived at (see ``_wsfeed``).
    journal_seq: int | None = field(default=None, repr=False, compare=False)

    @property
    def header(self) -> dict[str, Any]:
        """The decoded header ({} when it is not a JSON object)."""
        if self._header is None:
            self._header = _load_object(self.parts[0]) or {}
        return self._header

    @property
    def msg_type(self) -> str:
        value = self.header.get("msg_type")
        return value if isinstance(value, str) else ""

    @property
    def buffers(self) -> list[bytes]:
        return self.parts[4:]

    def parent_msg_id(self) -> str:
        parent = _load_object(self.parts[1]) or {}
        value = parent.get("msg_id")
        return value if isinstance(value, str) else ""

    def nbytes(self) -> int:
        return sum(len(p) for p in self.parts)


def _load_object(data: bytes | str) -> dict[str, Any] | None:
    try:
        value = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def _pack(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def message_from_dict(msg: Any, buffers: list[bytes] | None = None) -> RawMessage:
    """A client's message (a decoded JSON object) as wire parts; FrameError if unusable."""
    if not isinstance(msg, dict):
        raise FrameError("a kernel message must be a JSON object")
    header = msg.get("header")
    if not isinstance(header, dict) or not isinstance(header.get("msg_type"), str):
        raise FrameError("the message has no header with a msg_type")
    parts = []
    for key in _JSON_PARTS:
        value = msg.get(key)
        if value is None:
            value = {}
        if not isinstance(value, dict):
            raise FrameError(f"the message's {key} must be a JSON object")
        parts.append(_pack(value))
    channel = msg.get("channel", "shell")
    if not isinstance(channel, str):
        raise FrameError("the message's channel must be a string")
    return RawMessage(channel, parts + list(buffers or []), header)


# -- the default protocol ------------------------------------------------------------


def decode_legacy(frame: str | bytes) -> RawMessage:
    """Decode a client frame of the default protocol (JSON text, or binary with buffers)."""
    if isinstance(frame, str):
        msg = _load_object(frame)
        if msg is None:
            raise FrameError("a text frame must hold a JSON object")
        if msg.get("buffers"):
            raise FrameError("binary buffers must travel in a binary frame")
        return message_from_dict(msg)
    size = len(frame)
    offsets = _read_offset_table(frame, ">", "I", 1, MAX_BUFFERS + 1)
    count = len(offsets)
    offsets.append(size)
    view = memoryview(frame)
    msg = _load_object(bytes(view[offsets[0] : offsets[1]]))
    if msg is None:
        raise FrameError("the binary frame's message is not a JSON object")
    buffers = [bytes(view[offsets[i] : offsets[i + 1]]) for i in range(1, count)]
    return message_from_dict(msg, buffers)


def encode_legacy(message: RawMessage) -> str | bytes:
    """A kernel message for a client of the default protocol (str: a text frame)."""
    data, binary = encode_legacy_frame(message)
    return data if binary else data.decode("utf-8")


def encode_legacy_frame(message: RawMessage) -> tuple[bytes, bool]:
    """A kernel message for a client of the default protocol: ``(data, binary)``.

    Without buffers ``data`` is the UTF-8 JSON text of a text frame. The kernel's JSON
    parts are spliced in as they are, not decoded and encoded again; only a part that
    is not a JSON object in valid UTF-8 takes the slow path (decoded, ``{}`` when
    unusable).
    """
    header = message.header
    parts = message.parts
    spliced = [p if _is_object_text(p) else _pack(_load_object(p) or {}) for p in parts[:4]]
    msg_id, msg_type = header.get("msg_id", ""), header.get("msg_type", "")
    buffers = message.buffers
    body = b"".join([
        b'{"header":', spliced[0],
        b',"msg_id":', _pack(msg_id if isinstance(msg_id, str) else ""),
        b',"msg_type":', _pack(msg_type if isinstance(msg_type, str) else ""),
        b',"parent_header":', spliced[1],
        b',"metadata":', spliced[2],
        b',"content":', spliced[3],
        b',"channel":', _pack(message.channel),
        b"}" if buffers else b',"buffers":[]}',
    ])
    if not buffers:
        return body, False
    count = 1 + len(buffers)
    offsets = [4 * (count + 1)]
    offsets.append(offsets[0] + len(body))
    for buf in buffers[:-1]:
        offsets.append(offsets[-1] + len(buf))
    return b"".join([struct.pack(f">{count + 1}I", count, *offsets), body, *map(bytes, buffers)]), True


def _is_object_text(part: bytes) -> bool:
    """Whether ``part`` looks like a JSON object in valid UTF-8 (the kernel's parts do).

    The kernel signed the part, so it is the JSON its session packed: checking the
    braces and the encoding is enough to splice it into a text frame.
    """
    if not part or part[:1] != b"{" or part[-1:] != b"}":
        return False
    try:
        part.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# -- v1.kernel.websocket.jupyter.org -------------------------------------------------


def decode_v1(frame: str | bytes) -> RawMessage:
    """Decode a client frame of the v1 protocol; the JSON parts stay undecoded bytes."""
    if isinstance(frame, str):
        raise FrameError("the v1 protocol sends binary frames only")
    # channel, 4 JSON parts and the end offset at least.
    offsets = _read_offset_table(frame, "<", "Q", 6, MAX_BUFFERS + 6)
    count = len(offsets)
    view = memoryview(frame)
    try:
        channel = bytes(view[offsets[0] : offsets[1]]).decode("ascii")
    except UnicodeDecodeError:
        raise FrameError("the v1 frame's channel is not a channel name") from None
    parts = [bytes(view[offsets[i] : offsets[i + 1]]) for i in range(1, count - 1)]
    header = _load_object(parts[0])
    if header is None or not isinstance(header.get("msg_type"), str):
        raise FrameError("the v1 frame has no header with a msg_type")
    for name, part in zip(_JSON_PARTS[1:], parts[1:4], strict=False):
        if not part.lstrip().startswith(b"{"):
            raise FrameError(f"the v1 frame's {name} is not a JSON object")
    return RawMessage(channel, parts, header)


def encode_v1(message: RawMessage) -> bytes:
    """A kernel message for a client of the v1 protocol (no JSON decoding involved)."""
    parts = [message.channel.encode("ascii"), *message.parts]
    count = len(parts) + 1
    offsets = [8 * (count + 1)]
    for part in parts:
        offsets.append(offsets[-1] + len(part))
    return b"".join([struct.pack(f"<{count + 1}Q", count, *offsets), *map(bytes, parts)])


def _read_offset_table(frame: bytes, order: str, kind: str, least: int, most: int) -> list[int]:
    """The count-prefixed offset table at the start of ``frame``, checked.

    The count is checked against the frame's length before the table is read, so a
    frame claiming billions of offsets is refused without allocating anything. Offsets
    must start after the table, never go back, and stay inside the frame.
    """
    width = struct.calcsize(kind)
    size = len(frame)
    if size < 2 * width:
        raise FrameError("binary frame too short")
    (count,) = struct.unpack_from(order + kind, frame, 0)
    if count < least or count > most or width * (count + 1) > size:
        raise FrameError(f"binary frame claims {count} offsets")
    offsets = list(struct.unpack_from(f"{order}{count}{kind}", frame, width))
    previous = width * (count + 1)
    for offset in offsets:
        if offset < previous or offset > size:
            raise FrameError("binary frame has offsets out of order or out of range")
        previous = offset
    return offsets
