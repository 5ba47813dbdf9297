"""Terminal processes end on culling and on server shutdown: no shell is left behind."""

from __future__ import annotations

import asyncio
import json
import re

import pytest
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect


@pytest.mark.parametrize(
    "jp_server_config", [{"TerminalManager": {"cull_inactive_timeout": 1, "cull_interval": 1}}]
)
async def test_idle_terminal_is_culled(jp_fetch, jp_serverapp, new_terminal, terminal_client, alive):
    assert jp_serverapp.terminal_manager.cull_inactive_timeout == 1
    name = (await new_terminal())["name"]
    client = await terminal_client(name)
    pid = await client.shell_pid()
    await client.wait_for("disconnect", timeout=30)
    r = await jp_fetch("api", "terminals")
    assert json.loads(r.body) == []
    assert not alive(pid)


async def test_no_culling_by_default(jp_serverapp, new_terminal):
    manager = jp_serverapp.terminal_manager
    assert manager.cull_inactive_timeout == 0
    await new_terminal()
    assert await manager.cull_inactive() == []
    assert len(manager) == 1


@pytest.mark.parametrize("jp_server_config", [{"TerminalManager": {"cull_interval": 0}}])
def test_cull_interval_must_be_positive(jp_server_config):
    from jupyter_server_terminals import TerminalManager
    from traitlets import TraitError
    from traitlets.config import Config

    with pytest.raises(TraitError, match="TerminalManager.cull_interval"):
        TerminalManager(config=Config(jp_server_config), root_dir=".")


# A "shell" that ignores hangups and termination and leaves a child doing the same: what
# must still end, with its child, when its terminal does.
STUBBORN_SHELL = ["/bin/sh", "-c", "trap '' HUP INT TERM; sleep 1000 & echo CHILD=$!; echo SHELL=$$; wait"]


async def _stubborn_pids(client) -> list[int]:
    pids = []
    for key in ("SHELL", "CHILD"):
        line = await client.wait_for_line(lambda s, key=key: re.fullmatch(key + r"=\d+", s) is not None)
        pids.append(int(line.split("=")[1]))
    return pids


@pytest.mark.parametrize("jp_server_config", [{"ServerApp": {"terminado_settings": {"shell_command": STUBBORN_SHELL}}}])
async def test_delete_ends_a_stubborn_shell_and_its_child(jp_fetch, new_terminal, terminal_client, alive):
    name = (await new_terminal())["name"]
    pids = await _stubborn_pids(await terminal_client(name))
    assert all(alive(pid) for pid in pids)
    await jp_fetch("api", "terminals", name, method="DELETE")
    assert not any(alive(pid) for pid in pids)


@pytest.mark.parametrize("shell", [5, ["bash", 1], {"a": 1}])
def test_bad_shell_command_is_named(shell):
    from jupyter_server_terminals import TerminalManager

    with pytest.raises(ValueError, match="shell_command"):
        TerminalManager(root_dir=".", terminado_settings={"shell_command": shell})


def test_shell_command_string_is_split():
    from jupyter_server_terminals import TerminalManager

    manager = TerminalManager(root_dir=".", terminado_settings={"shell_command": "/bin/bash --norc -i"})
    assert manager.shell_command == ["/bin/bash", "--norc", "-i"]


@pytest.mark.parametrize("how", ["SIGTERM", "POST /api/shutdown"])
async def test_server_shutdown_ends_every_shell(jp_server_process, jp_environ, terminal_client_class, alive, how):
    """A real `jupyter server` (enabled by the installed manifest), stopped by SIGTERM or File > Shut Down."""
    config = {"ServerApp": {"terminado_settings": {"shell_command": STUBBORN_SHELL}}}
    (jp_environ["config"] / "jupyter_server_config.json").write_text(json.dumps(config))
    server = jp_server_process()
    headers = {"Authorization": f"token {server.token}"}
    client = AsyncHTTPClient()
    pids = []
    for _ in range(2):
        r = await client.fetch(HTTPRequest(server.url + "api/terminals", method="POST", body="{}", headers=headers))
        name = json.loads(r.body)["name"]
        ws = await websocket_connect(HTTPRequest(
            f"ws://127.0.0.1:{server.port}/terminals/websocket/{name}", headers=headers))
        term = terminal_client_class(ws)
        pids += await _stubborn_pids(term)
        term.close()
    assert all(alive(pid) for pid in pids)
    if how == "SIGTERM":
        assert server.stop() == 0
    else:
        r = await client.fetch(HTTPRequest(server.url + "api/shutdown", method="POST", body="", headers=headers))
        assert r.code == 200
        assert await asyncio.to_thread(server.proc.wait, 60) == 0
    assert not any(alive(pid) for pid in pids), server.log_path.read_text()


def test_extension_disable_removes_the_routes(jp_server_process):
    """`jupyter server extension disable` at the user level (preferred here) turns terminals off."""
    import os
    import subprocess
    import sys
    import urllib.error
    import urllib.request

    env = dict(os.environ, JUPYTER_PREFER_ENV_PATH="0")
    subprocess.run([sys.executable, "-m", "jupyter_server_core", "extension", "disable",
                    "jupyter_server_terminals", "--user"], env=env, check=True, capture_output=True)
    server = jp_server_process(env={"JUPYTER_PREFER_ENV_PATH": "0"})
    request = urllib.request.Request(server.url + "api/terminals", headers={"Authorization": f"token {server.token}"})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(request, timeout=10)
    assert e.value.code == 404


@pytest.mark.parametrize(("given", "expected"), [
    ("['/bin/bash', '--norc']", ["/bin/bash", "--norc"]),  # a list, as the command line passes it
    ("[not a literal", ["[not", "a", "literal"]),
])
def test_shell_command_list_literal_is_read(given, expected):
    from jupyter_server_terminals import TerminalManager

    assert TerminalManager(root_dir=".", terminado_settings={"shell_command": given}).shell_command == expected
