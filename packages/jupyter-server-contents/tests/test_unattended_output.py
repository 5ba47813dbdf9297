"""Unattended execution (core's kernels/_unattended.py): a notebook cell that runs while no
client is connected gets its output written into the notebook file, through the contents
manager; a client that connects again takes over, and the file is left alone."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jupyter_server_core.kernels._wsclient import KernelWebSocketClient
from jupyter_server_core.pytest_plugin import wait_for

COUNT_CODE = "import time\nfor i in range(1, {n} + 1):\n    print(i, flush=True)\n    time.sleep({pause})\n"


@pytest.fixture
def jp_server_config() -> dict[str, Any]:
    return {"UnattendedOutput": {"write_interval": 0.5}}


def write_notebook(path, cells):
    path.write_text(json.dumps({
        "cells": [{"cell_type": "code", "execution_count": None, "id": cid, "metadata": {}, "outputs": [],
                   "source": source} for cid, source in cells],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5,
    }))


@pytest.fixture
async def notebook_kernel(jp_fetch, jp_root_dir):
    write_notebook(jp_root_dir / "run.ipynb", [("first", ""), ("other", "x = 1")])
    body = {"path": "run.ipynb", "type": "notebook", "name": "", "kernel": {"name": "python3"}}
    r = await jp_fetch("api", "sessions", method="POST", body=json.dumps(body))
    return json.loads(r.body)["kernel"]["id"]


@pytest.fixture
def connect(jp_ws_fetch, notebook_kernel):
    async def connect(session_id: str) -> KernelWebSocketClient:
        ws = await jp_ws_fetch("api", "kernels", notebook_kernel, "channels", params={"session_id": session_id})
        return KernelWebSocketClient(ws, session=session_id)

    return connect


async def run_cell(client: KernelWebSocketClient, cell_id: str, code: str) -> str:
    msg = client.request("execute_request", {"code": code, "silent": False, "store_history": True,
                                             "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})
    msg["metadata"] = {"cellId": cell_id, "deletedCells": [], "recordTiming": False}
    return await client.send(msg)


async def read_until_text(client: KernelWebSocketClient, text: str) -> None:
    seen = ""
    while text not in seen:
        msg = await client.recv(60)
        assert msg is not None
        if msg["header"]["msg_type"] == "stream":
            seen += msg["content"]["text"]


def joined(text: str | list[str]) -> str:
    """nbformat stores multi-line text as a list of lines on disk."""
    return "".join(text) if isinstance(text, list) else text


def cell(jp_root_dir, cell_id: str) -> dict[str, Any]:
    nb = json.loads((jp_root_dir / "run.ipynb").read_text())
    return next(c for c in nb["cells"] if c["id"] == cell_id)


def stdout(c: dict[str, Any]) -> str:
    return "".join(joined(o["text"]) for o in c["outputs"] if o["output_type"] == "stream" and o["name"] == "stdout")


async def test_output_after_the_client_left_is_in_the_notebook(connect, jp_root_dir):
    client = await connect("page")
    code = COUNT_CODE.format(n=10, pause=1)  # ten lines over ten seconds
    await run_cell(client, "first", code)
    await read_until_text(client, "2\n")
    client.close()  # the laptop closes after two seconds

    async def finished():
        c = cell(jp_root_dir, "first")
        return c if stdout(c) == "".join(f"{i}\n" for i in range(1, 11)) and c["execution_count"] else None

    done = await wait_for(finished, timeout=60)
    assert done["execution_count"] == 1
    # The file's empty cell (never saved since code was typed) now holds the code that ran.
    assert joined(done["source"]) == code
    assert cell(jp_root_dir, "other")["outputs"] == [], "other cells are left alone"
    assert joined(cell(jp_root_dir, "other")["source"]) == "x = 1"


async def test_writing_stops_when_a_client_connects(connect, jp_fetch, jp_root_dir, notebook_kernel):
    client = await connect("page")
    await run_cell(client, "first", COUNT_CODE.format(n=12, pause=0.5))
    await read_until_text(client, "1\n")
    client.close()

    async def some_output_written():
        return "3\n" in stdout(cell(jp_root_dir, "first"))

    await wait_for(some_output_written, timeout=60)
    # A new page opens the notebook and connects: from now on the file is its business.
    again = await connect("new-page")

    async def cell_finished():
        r = await jp_fetch("api", "kernels", notebook_kernel, "journal")
        return "12\n" in "".join(m["content"].get("text", "") for m in json.loads(r.body)["messages"])

    await wait_for(cell_finished, timeout=60)
    reply, _ = await again.execute("1")  # the kernel is idle again: no write is pending either
    assert reply["content"]["status"] == "ok"
    assert "12\n" not in stdout(cell(jp_root_dir, "first"))


async def test_a_cell_not_in_the_file_keeps_its_output_in_the_journal(connect, jp_fetch, jp_root_dir, notebook_kernel):
    before = (jp_root_dir / "run.ipynb").read_text()
    client = await connect("page")
    msg_id = await run_cell(client, "not-saved-yet", COUNT_CODE.format(n=3, pause=0.5))
    await read_until_text(client, "1\n")
    client.close()

    async def in_journal():
        r = await jp_fetch("api", "kernels", notebook_kernel, "journal")
        return any(m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "status"
                   and m["content"]["execution_state"] == "idle" for m in json.loads(r.body)["messages"])

    await wait_for(in_journal, timeout=60)
    again = await connect("page")  # ends the unattended stretch; nothing was written meanwhile
    again.close()
    assert (jp_root_dir / "run.ipynb").read_text() == before
