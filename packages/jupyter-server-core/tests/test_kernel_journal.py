"""The kernel output journal (kernels/_journal.py): real kernels append every iopub
message to files of their own, in order, within a size bound, readable only by the user."""

from __future__ import annotations

import json
import os
import stat

import pytest
from jupyter_server_core.pytest_plugin import wait_for


async def read_all(journal):
    cursor = journal.cursor(0)
    records = []
    try:
        while not cursor.at_end:
            records += await cursor.read()
    finally:
        cursor.close()
    return records


async def test_every_iopub_message_is_journaled_in_order(jp_serverapp, connect, kernel_id):
    client = await connect()
    reply, outputs = await client.execute("for i in range(5): print(i, flush=True)")
    assert reply["content"]["status"] == "ok"
    km = jp_serverapp.kernel_manager
    journal = km.journal_for(kernel_id)
    sent_ids = [m["header"]["msg_id"] for m in outputs]

    async def all_journaled():
        ids = [m.header["msg_id"] for _, m in await read_all(journal)]
        return ids if set(sent_ids) <= set(ids) else None

    ids = await wait_for(all_journaled)
    positions = [ids.index(i) for i in sent_ids]
    assert positions == sorted(positions), "the journal keeps the kernel's order"
    records = await read_all(journal)
    seqs = [seq for seq, _ in records]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    text = "".join(json.loads(m.parts[3]).get("text", "") for _, m in records
                   if m.msg_type == "stream" and json.loads(m.parts[3]).get("name") == "stdout")
    assert text == "0\n1\n2\n3\n4\n"

    # Only the user may read it: 0700 directory, 0600 files (written within 50 ms).
    await wait_for(lambda: _async(journal.written_seq == journal.next_seq))
    directory = os.path.join(km.journal_dir, kernel_id)
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
    files = os.listdir(directory)
    assert files
    for name in files:
        assert stat.S_IMODE(os.stat(os.path.join(directory, name)).st_mode) == 0o600


async def test_journal_is_deleted_with_its_kernel(jp_serverapp, jp_fetch, connect, kernel_id):
    client = await connect()
    await client.execute("print('x')")
    directory = os.path.join(jp_serverapp.kernel_manager.journal_dir, kernel_id)
    await wait_for(lambda: _async(os.path.isdir(directory) and os.listdir(directory)))
    client.close()
    await jp_fetch("api", "kernels", kernel_id, method="DELETE")
    await wait_for(lambda: _async(not os.path.exists(directory)))


async def _async(value):
    return value


@pytest.mark.parametrize("jp_server_config", [{"MappingKernelManager": {"journal_max_bytes": 64 * 1024}}])
async def test_journal_evicts_oldest_output_first(jp_serverapp, connect, kernel_id):
    client = await connect()
    code = "import sys\nfor i in range(400):\n    print(str(i) * 200, flush=True)\n"
    reply, _ = await client.execute(code, timeout=120)
    assert reply["content"]["status"] == "ok"
    journal = jp_serverapp.kernel_manager.journal_for(kernel_id)
    await wait_for(lambda: _async(journal.written_seq == journal.next_seq))
    assert journal.oldest_seq > 1, "the oldest output went"
    segments = journal.segments
    assert segments.total_bytes() <= 64 * 1024 + segments.segment_bytes
    records = await read_all(journal)
    texts = [json.loads(m.parts[3])["text"] for _, m in records
             if m.msg_type == "stream" and json.loads(m.parts[3])["name"] == "stdout"]
    last = "".join(texts).split()
    assert last[-1] == "399" * 200, "the newest output stays"


@pytest.mark.parametrize("jp_server_config", [{"MappingKernelManager": {"journal_max_bytes": 0}}])
async def test_journal_can_be_turned_off(jp_serverapp, connect, kernel_id):
    client = await connect()
    reply, outputs = await client.execute("print('still works')")
    assert any(m["content"].get("text") == "still works\n" for m in outputs)
    assert jp_serverapp.kernel_manager.journal_for(kernel_id) is None
