"""The iopub rate limit of one client connection (``ServerApp.limit_rate`` and friends).

Output messages (stream, display data, results, errors) are counted over a sliding
window of ``rate_limit_window`` seconds. When the message rate or the stream data rate
goes over its limit, output is dropped and the client is told once, on stderr; output
flows again when the rate falls back under 80% of the limit.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field

__all__ = ["IOPubRateLimiter", "RATE_LIMITED_TYPES"]

#: The iopub messages that count; status, execute_input and comm traffic always pass.
RATE_LIMITED_TYPES = frozenset(
    {"stream", "display_data", "update_display_data", "execute_result", "error", "clear_output"}
)

_RESUME_FRACTION = 0.8


@dataclass
class IOPubRateLimiter:
    """Decides, message by message, whether iopub output may go to the client."""

    msg_rate_limit: float
    data_rate_limit: float
    window: float
    _sent: deque[tuple[float, int]] = field(default_factory=deque)
    _bytes: int = 0
    msgs_exceeded: bool = False
    data_exceeded: bool = False

    def check(self, msg_type: str, stream_bytes: int, now: float | None = None) -> tuple[bool, str | None]:
        """``(deliver, notice)``: whether to send this message, and a warning to send first.

        ``stream_bytes`` is the size of a stream message's text (0 for other types).
        ``notice`` names the limit that was just crossed (``"msg"`` or ``"data"``).
        """
        if msg_type not in RATE_LIMITED_TYPES or self.window <= 0:
            return True, None
        now = time.monotonic() if now is None else now
        while self._sent and self._sent[0][0] < now - self.window:
            self._bytes -= self._sent.popleft()[1]
        msg_rate = (len(self._sent) + 1) / self.window
        data_rate = (self._bytes + stream_bytes) / self.window
        notice = None
        if self.msg_rate_limit > 0:
            if msg_rate > self.msg_rate_limit and not self.msgs_exceeded:
                self.msgs_exceeded, notice = True, "msg"
            elif self.msgs_exceeded and msg_rate < _RESUME_FRACTION * self.msg_rate_limit:
                self.msgs_exceeded = False
        if self.data_rate_limit > 0:
            if data_rate > self.data_rate_limit and not self.data_exceeded:
                self.data_exceeded, notice = True, notice or "data"
            elif self.data_exceeded and data_rate < _RESUME_FRACTION * self.data_rate_limit:
                self.data_exceeded = False
        if self.msgs_exceeded or self.data_exceeded:
            return False, notice
        self._sent.append((now, stream_bytes))
        self._bytes += stream_bytes
        return True, None

    def notice_text(self, which: str) -> str:
        """The stderr text telling the user that output is being dropped."""
        if which == "msg":
            return (
                "IOPub message rate exceeded.\n"
                "The server stops forwarding output to this client until the rate drops.\n"
                "Raise the limit with `--ServerApp.iopub_msg_rate_limit`.\n\n"
                f"Current values:\nServerApp.iopub_msg_rate_limit={self.msg_rate_limit} (msgs/sec)\n"
                f"ServerApp.rate_limit_window={self.window} (secs)\n"
            )
        return (
            "IOPub data rate exceeded.\n"
            "The server stops forwarding output to this client until the rate drops.\n"
            "Raise the limit with `--ServerApp.iopub_data_rate_limit`.\n\n"
            f"Current values:\nServerApp.iopub_data_rate_limit={self.data_rate_limit} (bytes/sec)\n"
            f"ServerApp.rate_limit_window={self.window} (secs)\n"
        )
