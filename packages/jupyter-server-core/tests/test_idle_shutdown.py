"""ServerApp.shutdown_no_activity_timeout: a real server stops itself when idle."""

from __future__ import annotations

import json
import subprocess
import urllib.request


def test_idle_server_stops_itself_cleanly(jp_server_process, jp_environ):
    server = jp_server_process("--ServerApp.shutdown_no_activity_timeout=2")
    info_files = list(jp_environ["runtime"].glob("jpserver-*.json"))
    assert len(info_files) == 1
    code = server.proc.wait(timeout=30)
    assert code == 0, server.log()
    assert "No activity for 2 seconds" in server.log()
    assert not info_files[0].exists()


def test_activity_keeps_server_alive(jp_server_process):
    server = jp_server_process("--ServerApp.shutdown_no_activity_timeout=3")
    # /api/status polls are not activity (as in jupyter_server); /api/me is.
    request = urllib.request.Request(server.url + "api/me",
                                     headers={"Authorization": f"token {server.token}"})
    # Requests every second for longer than the timeout: the server must stay up.
    for _ in range(5):
        with urllib.request.urlopen(request, timeout=5) as r:
            assert "identity" in json.load(r)
        try:
            server.proc.wait(timeout=1)
        except subprocess.TimeoutExpired:
            continue
        raise AssertionError(f"server stopped while in use:\n{server.log()}")
    assert server.proc.wait(timeout=30) == 0
