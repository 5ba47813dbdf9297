"""A minimal kernel WebSocket client for the benchmarks: JSON or v1 protocol."""

from __future__ import annotations

import json
import socket
import uuid
from datetime import datetime, timezone
from typing import Any

from _servers import TOKEN, Server
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import WebSocketClientConnection, websocket_connect

V1 = "v1.kernel.websocket.jupyter.org"
HEADERS = {"Authorization": f"token {TOKEN}"}


async def start_kernel(server: Server) -> str:
    r = await AsyncHTTPClient().fetch(HTTPRequest(server.url + "/api/kernels", method="POST",
                                                  body="{}", headers=HEADERS, request_timeout=120))
    return str(json.loads(r.body)["id"])


async def stop_kernel(server: Server, kid: str) -> None:
    await AsyncHTTPClient().fetch(HTTPRequest(server.url + f"/api/kernels/{kid}", method="DELETE",
                                              headers=HEADERS, request_timeout=120))


def pack_v1(msg: dict[str, Any]) -> bytes:
    """v1 frame: count of offsets, the offsets (uint64 LE), channel, header, parent, metadata, content."""
    parts = [msg["channel"].encode()] + [json.dumps(msg[k]).encode()
                                         for k in ("header", "parent_header", "metadata", "content")]
    count = len(parts) + 1
    offsets = [8 * (1 + count)]
    for part in parts:
        offsets.append(offsets[-1] + len(part))
    head = count.to_bytes(8, "little") + b"".join(o.to_bytes(8, "little") for o in offsets)
    return head + b"".join(parts)


def unpack_v1(data: bytes) -> dict[str, Any]:
    count = int.from_bytes(data[:8], "little")
    offsets = [int.from_bytes(data[8 * (i + 1): 8 * (i + 2)], "little") for i in range(count)]
    parts = [data[offsets[i]:offsets[i + 1]] for i in range(count - 1)]
    msg: dict[str, Any] = {"channel": parts[0].decode()}
    for key, part in zip(("header", "parent_header", "metadata", "content"), parts[1:5]):
        msg[key] = json.loads(part)
    return msg


class KernelClient:
    def __init__(self, ws: WebSocketClientConnection, protocol: str, quickack: bool) -> None:
        self.ws, self.protocol, self.quickack = ws, protocol, quickack
        self.session = uuid.uuid4().hex

    @classmethod
    async def connect(cls, server: Server, kid: str, protocol: str = "json", quickack: bool = False) -> KernelClient:
        url = server.url.replace("http", "ws") + f"/api/kernels/{kid}/channels?session_id={uuid.uuid4().hex}"
        ws = await websocket_connect(HTTPRequest(url, headers=HEADERS),
                                     subprotocols=[V1] if protocol == "v1" else None)
        return cls(ws, protocol, quickack)

    def _message(self, msg_type: str, content: dict[str, Any], channel: str = "shell") -> dict[str, Any]:
        return {
            "header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "bench",
                       "session": self.session, "version": "5.3",
                       "date": datetime.now(timezone.utc).isoformat()},
            "parent_header": {}, "metadata": {}, "content": content, "channel": channel,
        }

    async def send(self, msg: dict[str, Any]) -> None:
        await self.ws.write_message(pack_v1(msg) if self.protocol == "v1" else json.dumps(msg),
                                    binary=self.protocol == "v1")

    async def recv(self) -> dict[str, Any]:
        if self.quickack:
            # Acknowledge at once instead of delaying the ACK (Linux resets it after each read).
            sock = self.ws.stream.socket  # type: ignore[attr-defined]
            if sock is not None and hasattr(socket, "TCP_QUICKACK"):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        raw = await self.ws.read_message()
        if raw is None:
            raise ConnectionError("WebSocket closed")
        if isinstance(raw, bytes):
            return unpack_v1(raw)
        return dict(json.loads(raw))

    async def _until_idle(self, parent: str, on_message: Any = None) -> None:
        replied = idle = False
        while not (replied and idle):
            msg = await self.recv()
            if msg.get("parent_header", {}).get("msg_id") != parent:
                continue
            kind = msg["header"]["msg_type"]
            if on_message is not None:
                on_message(msg)
            if msg["channel"] == "shell" and kind.endswith("_reply"):
                replied = True
            elif kind == "status" and msg["content"]["execution_state"] == "idle":
                idle = True

    async def wait_idle_after_info(self) -> None:
        msg = self._message("kernel_info_request", {})
        await self.send(msg)
        await self._until_idle(msg["header"]["msg_id"])

    async def execute(self, code: str, on_message: Any = None) -> None:
        msg = self._message("execute_request", {"code": code, "silent": False, "store_history": False,
                                                "user_expressions": {}, "allow_stdin": False})
        await self.send(msg)
        await self._until_idle(msg["header"]["msg_id"], on_message)

    async def execute_collect_stream(self, code: str) -> str:
        chunks: list[str] = []
        await self.execute(code, lambda m: chunks.append(m["content"]["text"])
                           if m["header"]["msg_type"] == "stream" else None)
        return "".join(chunks)

    async def execute_count_displays(self, code: str) -> int:
        count = 0

        def on(m: dict[str, Any]) -> None:
            nonlocal count
            if m["header"]["msg_type"] == "display_data":
                count += 1

        await self.execute(code, on)
        return count

    def close(self) -> None:
        self.ws.close()
