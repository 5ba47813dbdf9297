"""Terminals in /metrics and in the server's activity."""

from __future__ import annotations


def _gauge(text: str) -> float:
    for line in text.splitlines():
        if line.startswith("terminal_currently_running_total "):
            return float(line.split()[1])
    raise AssertionError("terminal_currently_running_total missing from /metrics")


async def test_metrics_count_terminals(jp_fetch, new_terminal):
    assert _gauge((await jp_fetch("metrics")).body.decode()) == 0
    name = (await new_terminal())["name"]
    assert _gauge((await jp_fetch("metrics")).body.decode()) == 1
    await jp_fetch("api", "terminals", name, method="DELETE")
    assert _gauge((await jp_fetch("metrics")).body.decode()) == 0


async def test_terminal_output_is_server_activity(jp_serverapp, new_terminal, terminal_client):
    client = await terminal_client((await new_terminal())["name"])
    before = jp_serverapp.activity.last("terminals")
    await client.run("echo activity")
    await client.wait_for_line(lambda line: line == "activity")
    after = jp_serverapp.activity.last("terminals")
    assert after is not None and (before is None or after > before)
