"""Memory release after large requests: a collection and a heap trim follow them, small
requests leave the allocator alone."""

from __future__ import annotations

import json
import time

from jupyter_server_core._memory import trim_malloc
from jupyter_server_core.pytest_plugin import wait_for


async def test_large_request_body_leads_to_one_release(jp_serverapp, jp_fetch):
    releaser = jp_serverapp.memory
    releaser.delay = 0.05
    await jp_fetch("api", "status")
    assert releaser.releases == 0
    body = json.dumps({"type": "file", "format": "text", "content": "x" * (releaser.threshold + 10)})
    for _ in range(2):
        # Whatever the answer (no contents service in core alone), the body was large.
        await jp_fetch("api", "contents", "big.txt", method="PUT", body=body, raise_error=False)

    async def released() -> bool:
        return releaser.releases >= 1

    await wait_for(released)
    assert releaser.releases == 1  # two large requests in a row, one release


async def test_small_requests_schedule_nothing(jp_serverapp, jp_fetch):
    releaser = jp_serverapp.memory
    releaser.slow_seconds = 60.0
    for _ in range(5):
        await jp_fetch("api", "status")
    assert releaser._pending is None


def test_trim_runs_on_this_platform():
    import sys

    # Linux with glibc returns 0 or 1 from malloc_trim; elsewhere the call is skipped.
    assert trim_malloc() in (True, False)
    if sys.platform.startswith("linux"):
        from jupyter_server_core import _memory

        assert _memory._LIBC is not None


async def test_release_waits_while_requests_keep_starting():
    from jupyter_server_core._memory import MemoryReleaser

    busy = True
    releaser = MemoryReleaser(delay=0.02, max_wait=600.0,
                              last_activity=lambda: time.time() + 1 if busy else 0.0)
    releaser.schedule()

    async def postponed_twice() -> bool:
        return releaser.postponed >= 2

    await wait_for(postponed_twice)
    assert releaser.releases == 0  # requests kept starting: not yet
    busy = False

    async def released() -> bool:
        return releaser.releases == 1

    await wait_for(released)


async def test_a_server_never_quiet_still_releases():
    from jupyter_server_core._memory import MemoryReleaser

    releaser = MemoryReleaser(delay=0.02, max_wait=0.1, last_activity=lambda: time.time() + 1)
    releaser.schedule()

    async def released() -> bool:
        return releaser.releases == 1

    await wait_for(released)
    assert releaser.postponed >= 1
