"""The kernel with no server in between: the ceiling for the ``iopub`` figures.

Run by ``_driver.py`` with each side's own python (its ipykernel and jupyter_client) as
``_kernel_alone.py iopub|execute``: it starts a python3 kernel, runs the cells of
``bench_iopub`` (or the 40 ``1`` of ``bench_execute``) and reads the kernel's sockets
directly, timing each cell from the execute request to its reply and the idle status, as
the WebSocket client does. Prints one JSON object.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from typing import Any

from jupyter_client.manager import start_new_async_kernel

STREAM_LINES = 200_000
DISPLAYS = 3000


async def _run(client: Any, code: str) -> tuple[float, int, int]:
    """(seconds, display_data messages, stream characters) for one cell."""
    started = time.perf_counter()
    msg_id = client.execute(code)
    displays = chars = 0
    idle = False
    while not idle:
        msg = await client.get_iopub_msg(timeout=300)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind = msg["header"]["msg_type"]
        if kind == "display_data":
            displays += 1
        elif kind == "stream":
            chars += len(msg["content"]["text"])
        elif kind == "status" and msg["content"]["execution_state"] == "idle":
            idle = True
    while (await client.get_shell_msg(timeout=300))["parent_header"].get("msg_id") != msg_id:
        pass
    return time.perf_counter() - started, displays, chars


async def main(what: str) -> None:
    manager, client = await start_new_async_kernel(kernel_name="python3")
    try:
        await _run(client, "pass")  # the first cell after start pays one-time costs
        if what == "execute":
            times = [(await _run(client, "1"))[0] for _ in range(40)]
            result = {"execute round trip p50 ms": 1000 * statistics.median(times)}
        else:
            stream_s, _, chars = await _run(client, f"for i in range({STREAM_LINES}): print(i)")
            display_s, displays, _ = await _run(
                client, f"from IPython.display import display\nfor i in range({DISPLAYS}): display(i)")
            result = {"stream MB/s": chars / 2**20 / stream_s, "display messages/s": displays / display_s}
    finally:
        client.stop_channels()
        await manager.shutdown_kernel(now=True)
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "iopub"))
