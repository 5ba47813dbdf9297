"""The kernel with no server in between: the ceiling for the ``iopub`` figures.

Run by ``_driver.py`` with each side's own python (its ipykernel, jupyter_client and
pyzmq) as ``_kernel_alone.py iopub|execute``: it starts a python3 kernel, sends the cells
of ``bench_iopub`` (or the 40 ``1`` of ``bench_execute``) and times each from the execute
request to its reply and the idle status, as the WebSocket client does. The replies are
read from raw, blocking ZMQ sockets, decoding only the header and parent header of each message (no
signature check, no content or date parsing): what is measured is the kernel, not a
client library. Prints one JSON object.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from typing import Any

import zmq
from jupyter_client.manager import start_new_async_kernel

STREAM_LINES = 200_000
DISPLAYS = 3000
DELIMITER = b"<IDS|MSG>"


def _parts(frames: list[bytes]) -> tuple[dict[str, Any], dict[str, Any], bytes]:
    """(header, parent header, content bytes) of a multipart kernel message."""
    i = frames.index(DELIMITER)
    return json.loads(frames[i + 2]), json.loads(frames[i + 3]), frames[i + 5]


class RawClient:
    def __init__(self, info: dict[str, Any], send: Any) -> None:
        self.context = zmq.Context()
        url = f"{info['transport']}://{info['ip']}:"
        self.iopub = self.context.socket(zmq.SUB)
        self.iopub.setsockopt(zmq.SUBSCRIBE, b"")
        self.iopub.connect(url + str(info["iopub_port"]))
        self.shell = self.context.socket(zmq.DEALER)
        self.shell.connect(url + str(info["shell_port"]))
        self.send = send  # the jupyter_client session's send: it signs the request

    def run(self, code: str) -> tuple[float, int, int]:
        """(seconds, display_data messages, stream bytes) for one cell."""
        started = time.perf_counter()
        msg = self.send(self.shell, "execute_request", {"code": code, "silent": False, "store_history": False,
                                                        "user_expressions": {}, "allow_stdin": False})
        msg_id = msg["header"]["msg_id"]
        displays = size = 0
        idle = replied = False
        while not idle:
            header, parent, content = _parts(self.iopub.recv_multipart())
            if parent.get("msg_id") != msg_id:
                continue
            kind = header["msg_type"]
            if kind == "display_data":
                displays += 1
            elif kind == "stream":
                size += len(json.loads(content)["text"].encode())
            elif kind == "status" and b'"idle"' in content:
                idle = True
        while not replied:
            _, parent, _ = _parts(self.shell.recv_multipart())
            replied = parent.get("msg_id") == msg_id
        return time.perf_counter() - started, displays, size

    def close(self) -> None:
        self.iopub.close(0)
        self.shell.close(0)
        self.context.term()


async def main(what: str) -> None:
    manager, client = await start_new_async_kernel(kernel_name="python3")
    client.stop_channels()
    raw = RawClient(manager.get_connection_info(), lambda socket, kind, content: manager.session.send(
        socket, kind, content))
    try:
        await asyncio.sleep(0.5)  # the SUB socket's subscription reaches the kernel
        raw.run("pass")  # the first cell after start pays one-time costs
        if what == "execute":
            times = [raw.run("1")[0] for _ in range(40)]
            result = {"execute round trip p50 ms": 1000 * statistics.median(times)}
        else:
            stream_s, _, size = raw.run(f"for i in range({STREAM_LINES}): print(i)")
            display_s, displays, _ = raw.run(
                f"from IPython.display import display\nfor i in range({DISPLAYS}): display(i)")
            result = {"stream MB/s": size / 2**20 / stream_s, "display messages/s": displays / display_s}
    finally:
        raw.close()
        await manager.shutdown_kernel(now=True)
    print(json.dumps(result))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "iopub"))
