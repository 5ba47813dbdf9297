"""``GET /api/kernels/<kernel_id>/journal?since=<msg_id>&limit=<n>``: a kernel's kept output.

For clients that opt in to more than the WebSocket's live stream: the iopub messages
the kernel's journal keeps, oldest first (after ``since`` when given), as the default
WebSocket protocol spells them, binary buffers in base64. Reading output is what a
kernel's WebSocket client does, so the endpoint asks for ``execute`` on ``kernels``
besides the ``read`` every GET needs.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from tornado import web

from .._urls import url_path_join
from ._handlers import KERNEL_ID_REGEX, KernelAPIHandler
from ._wsprotocol import RawMessage

__all__ = ["journal_message", "journal_routes"]

#: Messages per answer when the client names no limit, and the most it may ask for.
DEFAULT_LIMIT = 1000
MAX_LIMIT = 10000


def _load(part: bytes) -> Any:
    try:
        return json.loads(part)
    except ValueError:
        return {}


def journal_message(seq: int, message: RawMessage) -> dict[str, Any]:
    """One journal record as the endpoint lists it: the default protocol's JSON, plus ``seq``."""
    keys = ("header", "parent_header", "metadata", "content")
    msg: dict[str, Any] = {key: _load(part) for key, part in zip(keys, message.parts[:4], strict=False)}
    header = msg["header"] if isinstance(msg["header"], dict) else {}
    msg.update(channel="iopub", msg_id=header.get("msg_id", ""), msg_type=message.msg_type, seq=seq,
               buffers=[base64.b64encode(b).decode("ascii") for b in message.buffers])
    return msg


class KernelJournalHandler(KernelAPIHandler):
    """``GET``: ``{"messages": [...], "more": bool}``; page on with ``since`` = the last msg_id."""

    async def get(self, kernel_id: str) -> None:
        if not await self.authorize("execute", "kernels"):
            name = getattr(self.current_user, "username", "anonymous")
            raise web.HTTPError(403, f"User {name!r} is not authorized to execute kernels")
        since = self.get_argument("since", None)
        limit = self._limit()
        km = self.kernel_manager
        if kernel_id not in km:
            raise web.HTTPError(404, f"No such kernel: {kernel_id}")
        journal = km.journal_for(kernel_id)
        if journal is None:
            raise web.HTTPError(404, f"Kernel {kernel_id} keeps no output journal")
        start = journal.oldest_seq
        if since is not None:
            if not since or len(since) > 256 or not since.isprintable():
                raise web.HTTPError(400, "since must be the msg_id of a message the kernel sent")
            found = await journal.find(since)
            if found is None:
                raise web.HTTPError(404, f"No message {since!r} in the output journal of kernel {kernel_id}")
            start = found + 1
        end = journal.next_seq  # what was there when the request came
        cursor = journal.cursor(start)
        records: list[dict[str, Any]] = []
        try:
            while cursor.seq < end and len(records) <= limit:
                batch = await cursor.read()
                if not batch:
                    break
                records += [journal_message(seq, m) for seq, m in batch if seq < end]
        finally:
            cursor.close()
        self.write_json({"messages": records[:limit], "more": len(records) > limit or cursor.seq < end})

    def _limit(self) -> int:
        text = self.get_argument("limit", str(DEFAULT_LIMIT))
        try:
            limit = int(text)
        except ValueError:
            limit = 0
        if not 1 <= limit <= MAX_LIMIT:
            raise web.HTTPError(400, f"limit must be a whole number from 1 to {MAX_LIMIT}, not {text!r}")
        return limit


def journal_routes(base_url: str, kernel_manager: Any) -> list[Any]:
    """The journal endpoint's route."""
    return [(url_path_join(base_url, rf"/api/kernels/{KERNEL_ID_REGEX}/journal"), KernelJournalHandler,
             {"kernel_manager": kernel_manager})]
