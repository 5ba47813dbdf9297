"""The kernel with no server in between: the ceiling for the ``iopub`` figures.

Run by ``_driver.py`` with each side's own python (its ipykernel and jupyter_client): it
starts a python3 kernel, runs the same two cells as ``bench_iopub`` and reads the iopub
socket directly, timing each from the execute request to its reply and the idle status,
as the WebSocket client does. Prints one JSON object.
"""

from __future__ import annotations

import asyncio
import json
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


async def main() -> None:
    manager, client = await start_new_async_kernel(kernel_name="python3")
    try:
        stream_s, _, chars = await _run(client, f"for i in range({STREAM_LINES}): print(i)")
        display_s, displays, _ = await _run(
            client, f"from IPython.display import display\nfor i in range({DISPLAYS}): display(i)")
    finally:
        client.stop_channels()
        await manager.shutdown_kernel(now=True)
    print(json.dumps({"stream MB/s": chars / 2**20 / stream_s, "display messages/s": displays / display_s}))


if __name__ == "__main__":
    asyncio.run(main())
