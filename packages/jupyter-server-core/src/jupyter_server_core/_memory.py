"""Handing memory back to the system after requests that moved large payloads.

A 21 MB notebook saved or opened passes through a few copies (request body, parsed JSON,
nbformat nodes, encoded answer). Python frees them when the request ends, but glibc's
allocator keeps the freed pages mapped, spread over one arena per worker thread, so the
server's resident size stays at its peak. Two things undo that, both glibc-only and both
no-ops elsewhere:

- :func:`limit_malloc_arenas` caps the number of arenas at start, so worker threads share
  a couple of heaps instead of each growing its own;
- :class:`MemoryReleaser` watches finished requests (tornado's ``log_function``) and, a
  moment after a large one, runs a full garbage collection (handlers and models sit in
  reference cycles) and ``malloc_trim(0)``, which returns every free page of every arena.
  It waits for a quiet moment: the collection holds the interpreter for tens of
  milliseconds and trimmed pages must be faulted in again, so a release in the middle of
  the next request (a notebook opened right after its save) would slow that request down.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import sys
import time
from collections.abc import Callable
from typing import Any

__all__ = ["MemoryReleaser", "limit_malloc_arenas", "trim_malloc"]

#: ``mallopt`` parameter number of ``M_ARENA_MAX`` in glibc's malloc.h.
_M_ARENA_MAX = -8


def _libc() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        # The process's own symbols, libc's among them: no library search (find_library
        # would run ldconfig in a subprocess).
        libc = ctypes.CDLL(None)
    except OSError:
        return None
    # musl has neither function; glibc has both.
    return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None


_LIBC = _libc()


def limit_malloc_arenas(arenas: int) -> bool:
    """Cap glibc's malloc arenas for threads started from now on; False where unsupported.

    Leaves the cap alone when ``MALLOC_ARENA_MAX`` is set in the environment: whoever set it
    chose already.
    """
    import os

    if _LIBC is None or arenas <= 0 or "MALLOC_ARENA_MAX" in os.environ:
        return False
    return bool(_LIBC.mallopt(_M_ARENA_MAX, arenas))


def trim_malloc() -> bool:
    """Return free heap pages to the system (glibc ``malloc_trim(0)``); False where unsupported.

    ctypes lets go of the GIL during the call, so it may run in a worker thread while the
    event loop keeps serving.
    """
    if _LIBC is None:
        return False
    return bool(_LIBC.malloc_trim(0))


class MemoryReleaser:
    """Schedules a collection and a heap trim shortly after requests that moved a lot of data.

    A request counts as large when its body or its ``Content-Length`` answer is at least
    ``threshold`` bytes, or when it took ``slow_seconds`` or more (streamed and compressed
    answers carry no length). Several large requests in a row lead to one release,
    ``delay`` seconds after the last of them. When ``last_activity`` (a clock reading of
    the latest request's start) says a request began since, the release waits ``delay``
    more, ``max_wait`` seconds at most: on a server that is never quiet it still happens.
    """

    def __init__(self, threshold: int = 4 << 20, slow_seconds: float = 1.0, delay: float = 0.5,
                 last_activity: Callable[[], float] | None = None, max_wait: float = 10.0) -> None:
        self.threshold = threshold
        self.slow_seconds = slow_seconds
        self.delay = delay
        self.max_wait = max_wait
        self.last_activity = last_activity
        self.releases = 0
        self.postponed = 0
        self._pending: asyncio.TimerHandle | None = None
        self._quiet_since = 0.0  # when the wait began (time.time(), as last_activity reads)
        self._first_scheduled = 0.0

    def is_large(self, handler: Any) -> bool:
        """Whether the finished request ``handler`` moved enough data to be worth a release."""
        request = handler.request
        if len(request.body or b"") >= self.threshold:
            return True
        length = handler._headers.get("Content-Length")
        if length is not None and length.isdigit() and int(length) >= self.threshold:
            return True
        return bool(request.request_time() >= self.slow_seconds)

    def observe(self, handler: Any) -> None:
        """Called once per finished request (from the server's ``log_function``)."""
        if self.threshold > 0 and self.is_large(handler):
            self.schedule()

    def schedule(self) -> None:
        """Release ``delay`` seconds from now; a release already pending moves to then."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if self._pending is not None:
            self._pending.cancel()
        else:
            self._first_scheduled = time.time()
        self._quiet_since = time.time()
        self._pending = loop.call_later(self.delay, self._start_release)

    def _start_release(self) -> None:
        now = time.time()
        busy = self.last_activity is not None and self.last_activity() > self._quiet_since
        if busy and now - self._first_scheduled < self.max_wait:
            # A request started during the wait (and may still run): wait for quiet again.
            self._quiet_since = now
            self.postponed += 1
            self._pending = asyncio.get_running_loop().call_later(self.delay, self._start_release)
            return
        self._pending = None
        task = asyncio.ensure_future(self.release())
        task.add_done_callback(_ignore_result)

    async def release(self) -> None:
        """Collect cycles on the loop (it needs the GIL anyway), trim the heap in a thread."""
        gc.collect()
        self.releases += 1
        if _LIBC is not None:
            await asyncio.to_thread(trim_malloc)

    def log_function(self, inner: Callable[[Any], None]) -> Callable[[Any], None]:
        """Wrap tornado's ``log_function`` so large requests are noticed as they finish."""

        def log_and_observe(handler: Any) -> None:
            inner(handler)
            self.observe(handler)

        return log_and_observe


def _ignore_result(task: asyncio.Future[None]) -> None:
    if not task.cancelled():
        task.exception()
