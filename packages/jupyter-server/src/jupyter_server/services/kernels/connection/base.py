"""``jupyter_server.services.kernels.connection.base``: the base class of kernel WebSocket
connections, and the binary framing of the default kernel WebSocket protocol.

The core has one connection class that every kind of kernel WebSocket (local ZeroMQ,
gateway relay) derives from: it is the base here too, so ``issubclass(cls,
BaseKernelWebsocketConnection)`` holds for every connection class the server uses.

A message with binary buffers travels as one binary frame: a big-endian uint32 count ``n``
(the JSON message plus each buffer), ``n`` big-endian uint32 offsets, the UTF-8 JSON of the
message without its buffers, then the buffers (docs/websocket-protocols.md). The server's
own connections frame messages with ``jupyter_server_core.kernels``; these functions are
for code that handles message dicts itself.
"""

from __future__ import annotations

import json
import struct
from typing import Any

from jupyter_client.jsonutil import extract_dates, json_default
from jupyter_server_core.kernels import ZMQChannelsWebsocketConnection

__all__ = ["BaseKernelWebsocketConnection", "deserialize_binary_message", "serialize_binary_message"]

BaseKernelWebsocketConnection = ZMQChannelsWebsocketConnection


def serialize_binary_message(msg: dict[str, Any]) -> bytes:
    """``msg`` (with a ``buffers`` list) as one binary frame."""
    msg = dict(msg)
    buffers = [bytes(b) for b in msg.pop("buffers", [])]
    body = json.dumps(msg, default=json_default).encode("utf-8")
    parts = [body, *buffers]
    offsets = []
    position = 4 * (len(parts) + 1)
    for part in parts:
        offsets.append(position)
        position += len(part)
    return struct.pack(f">{len(parts) + 1}I", len(parts), *offsets) + b"".join(parts)


def deserialize_binary_message(bmsg: bytes) -> dict[str, Any]:
    """The message dict of a binary frame; its ``buffers`` are memoryviews into ``bmsg``.
    Dates in the header come back as datetimes. ValueError for a frame too short for the
    offsets it announces."""
    (count,) = struct.unpack_from(">I", bmsg)
    if count < 1 or len(bmsg) < 4 * (count + 1):
        raise ValueError("not a binary kernel message: the offset table is cut short")
    offsets = [*struct.unpack_from(f">{count}I", bmsg, 4), len(bmsg)]
    view = memoryview(bmsg)
    msg: dict[str, Any] = extract_dates(json.loads(bytes(view[offsets[0] : offsets[1]]).decode("utf-8")))
    msg["buffers"] = [view[offsets[i] : offsets[i + 1]] for i in range(1, count)]
    return msg
