"""A small kernel WebSocket client speaking both protocols, for tests and tools/bench.

    client = KernelWebSocketClient(await websocket_connect(request, subprotocols=[...]))
    reply, outputs = await client.execute("print(1)")

Messages come back as dicts ``{channel, header, parent_header, metadata, content,
buffers}`` whatever the protocol.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import datetime, timezone
from typing import Any

from tornado.websocket import WebSocketClientConnection

from ._wsprotocol import (
    V1_PROTOCOL,
    RawMessage,
    decode_legacy,
    encode_legacy,
    encode_v1,
    message_from_dict,
)

__all__ = ["KernelWebSocketClient", "decode_server_frame"]


def decode_server_frame(frame: str | bytes, protocol: str) -> dict[str, Any]:
    """A frame the server sent, as a message dict (``buffers`` as bytes)."""
    if protocol == V1_PROTOCOL:
        import struct

        assert isinstance(frame, bytes), "the v1 protocol sends binary frames"
        (count,) = struct.unpack_from("<Q", frame, 0)
        offsets = struct.unpack_from(f"<{count}Q", frame, 8)
        parts = [frame[offsets[i] : offsets[i + 1]] for i in range(count - 1)]
        msg = {key: json.loads(part) for key, part in zip(("header", "parent_header", "metadata", "content"), parts[1:5], strict=False)}
        msg["channel"] = parts[0].decode()
        msg["buffers"] = list(parts[5:])
        return msg
    if isinstance(frame, str):
        return dict(json.loads(frame))
    raw = decode_legacy(frame)
    msg = {key: json.loads(part) for key, part in zip(("header", "parent_header", "metadata", "content"), raw.parts, strict=False)}
    msg["channel"] = raw.channel
    msg["buffers"] = raw.buffers
    return msg


class KernelWebSocketClient:
    """Send requests and read messages on an open kernel WebSocket."""

    def __init__(self, ws: WebSocketClientConnection, session: str = "") -> None:
        self.ws = ws
        self.protocol = ws.selected_subprotocol or ""
        self.session = session or uuid.uuid4().hex

    def request(self, msg_type: str, content: dict[str, Any], channel: str = "shell",
                buffers: list[bytes] | None = None) -> dict[str, Any]:
        """A new message dict (not sent)."""
        header = {
            "msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "test",
            "session": self.session, "version": "5.4",
            "date": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"),
        }
        return {"header": header, "parent_header": {}, "metadata": {}, "content": content,
                "channel": channel, "buffers": list(buffers or [])}

    async def send(self, msg: dict[str, Any]) -> str:
        """Send ``msg`` in the connection's protocol; returns its msg_id."""
        buffers = msg.get("buffers") or []
        raw = message_from_dict({k: v for k, v in msg.items() if k != "buffers"}, buffers)
        if self.protocol == V1_PROTOCOL:
            await self.ws.write_message(encode_v1(raw), binary=True)
        elif buffers:
            await self.ws.write_message(encode_legacy(RawMessage(raw.channel, raw.parts)), binary=True)
        else:
            await self.ws.write_message(json.dumps(msg))
        return str(msg["header"]["msg_id"])

    async def recv(self, timeout: float = 30) -> dict[str, Any] | None:
        """The next message; None when the server closed the connection."""
        frame = await asyncio.wait_for(self.ws.read_message(), timeout)
        if frame is None:
            return None
        return decode_server_frame(frame, self.protocol)

    async def collect(self, msg_id: str, timeout: float = 30, reply: bool = True) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """Messages answering ``msg_id`` until its reply and its final idle status.

        Returns ``(reply, iopub messages)``; messages for other requests are skipped.
        """
        got_reply: dict[str, Any] | None = None
        outputs: list[dict[str, Any]] = []
        idle = False
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not (idle and (got_reply is not None or not reply)):
            msg = await self.recv(max(0.01, deadline - loop.time()))
            if msg is None:
                raise ConnectionError("the server closed the kernel WebSocket")
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["channel"] == "iopub":
                outputs.append(msg)
                if msg["header"]["msg_type"] == "status" and msg["content"].get("execution_state") == "idle":
                    idle = True
            elif msg["header"]["msg_type"].endswith("_reply"):
                got_reply = msg
        return got_reply, outputs

    async def execute(self, code: str, timeout: float = 30, **content: Any) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """Run ``code``; returns ``(execute_reply, iopub messages)``."""
        msg_id = await self.send(self.request("execute_request", {"code": code, "silent": False, **content}))
        return await self.collect(msg_id, timeout)

    async def drain(self, timeout: float = 0.2) -> list[dict[str, Any]]:
        """Whatever arrives within ``timeout`` of quiet."""
        messages: list[dict[str, Any]] = []
        while True:
            try:
                msg = await self.recv(timeout)
            except asyncio.TimeoutError:
                return messages
            if msg is None:
                return messages
            messages.append(msg)

    def close(self) -> None:
        self.ws.close()
