"""The slow-reader workload: a million printed lines to a client that does not keep up.

The client sends ``for i in range(10**6): print(i)`` and then reads nothing for
:data:`STALL_S` seconds (a laptop lid closed, a browser tab frozen), then reads on with a
pause after every message. Reported: the lines that never arrived, and the server's peak
resident memory over the run (sampled every 50 ms), idle memory subtracted too. Our
server keeps what the client has not taken in the kernel's journal on disk.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from _kernelclient import KernelClient, start_kernel, stop_kernel
from _servers import Server

LINES = 10**6
#: Seconds the client reads nothing after sending the request.
STALL_S = 10.0
#: The pause after each message read once the client reads again.
PAUSE_S = 0.005


async def bench_slow_reader(server: Server, fixtures: Path) -> dict[str, float]:
    idle = server.rss()
    peak = idle
    sampling = True

    async def sample() -> None:
        nonlocal peak
        while sampling:
            peak = max(peak, server.rss())
            await asyncio.sleep(0.05)

    kid = await start_kernel(server)
    sampler = asyncio.ensure_future(sample())
    try:
        client = await KernelClient.connect(server, kid)
        await client.wait_idle_after_info()
        chunks: list[str] = []
        msg = client._message("execute_request", {"code": f"for i in range({LINES}): print(i)", "silent": False,
                                                  "store_history": False, "user_expressions": {},
                                                  "allow_stdin": False})
        await client.send(msg)
        started = time.perf_counter()
        await asyncio.sleep(STALL_S)

        def on(m: dict[str, Any]) -> None:
            if m["header"]["msg_type"] == "stream" and m["content"].get("name") == "stdout":
                chunks.append(m["content"]["text"])

        replied = idle_seen = False
        parent = msg["header"]["msg_id"]
        while not (replied and idle_seen):
            m = await client.recv()
            await asyncio.sleep(PAUSE_S)
            if m.get("parent_header", {}).get("msg_id") != parent:
                continue
            on(m)
            kind = m["header"]["msg_type"]
            replied = replied or (m["channel"] == "shell" and kind.endswith("_reply"))
            idle_seen = idle_seen or (kind == "status" and m["content"]["execution_state"] == "idle")
        elapsed = time.perf_counter() - started
        client.close()
    finally:
        sampling = False
        await sampler
        await stop_kernel(server, kid)
    lines = "".join(chunks).split("\n")[:-1]
    in_order = lines == [str(i) for i in range(len(lines))]
    return {
        "slow reader lines lost": float(LINES - len(lines)),
        "slow reader lines out of order": 0.0 if in_order else 1.0,
        "slow reader peak server RSS MB": peak / 2**20,
        "slow reader peak RSS over idle MB": (peak - idle) / 2**20,
        "slow reader seconds to all lines": elapsed,
    }
