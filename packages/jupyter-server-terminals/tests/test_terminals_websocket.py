"""/terminals/websocket/<name> with a real shell: input, output, cwd, resize, auth, ends."""

from __future__ import annotations

import json
import os

import pytest
from tornado.httpclient import HTTPClientError


async def test_echo_hi(new_terminal, terminal_client):
    name = (await new_terminal())["name"]
    client = await terminal_client(name)
    await client.run("echo hi")
    assert await client.wait_for_line(lambda line: line == "hi") == "hi"


async def test_cwd_defaults_to_root_and_cd_pwd(new_terminal, terminal_client, jp_root_dir):
    (jp_root_dir / "sub dir").mkdir()
    root = str(jp_root_dir.resolve())
    client = await terminal_client((await new_terminal())["name"])
    await client.run("pwd -P")
    await client.wait_for_line(lambda line: line == root)
    await client.run("cd 'sub dir' && pwd -P")
    await client.wait_for_line(lambda line: line == os.path.join(root, "sub dir"))


async def test_cwd_in_post_body(new_terminal, terminal_client, jp_root_dir):
    (jp_root_dir / "a" / "b").mkdir(parents=True)
    client = await terminal_client((await new_terminal(cwd="a/b"))["name"])
    await client.run("pwd -P")
    await client.wait_for_line(lambda line: line == str((jp_root_dir / "a" / "b").resolve()))


async def test_missing_cwd_falls_back_to_root(new_terminal, terminal_client, jp_root_dir):
    client = await terminal_client((await new_terminal(cwd="no/such/dir"))["name"])
    await client.run("pwd -P")
    await client.wait_for_line(lambda line: line == str(jp_root_dir.resolve()))


async def test_environment_names_the_server(new_terminal, terminal_client, jp_root_dir, jp_serverapp):
    client = await terminal_client((await new_terminal())["name"])
    await client.run('echo "ROOT=$JUPYTER_SERVER_ROOT"')
    await client.wait_for_line(lambda line: line == f"ROOT={jp_serverapp.root_dir}")


async def test_set_size_then_stty_size(new_terminal, terminal_client):
    client = await terminal_client((await new_terminal())["name"])
    client.send("set_size", 21, 77, 600, 800)
    await client.run("stty size")
    await client.wait_for_line(lambda line: line == "21 77")
    # A second size replaces the first.
    client.send("set_size", 30, 100)
    await client.run("stty size")
    await client.wait_for_line(lambda line: line == "30 100")


async def test_malformed_messages_are_ignored(new_terminal, terminal_client):
    client = await terminal_client((await new_terminal())["name"])
    client.ws.write_message("not json")
    client.send("set_size", "a", 3)
    client.send("stdin", 5)
    client.send("unknown", "x")
    client.ws.write_message("{}")
    await client.run("echo still-$((40+2))")
    await client.wait_for_line(lambda line: line == "still-42")


async def test_two_clients_share_a_terminal(new_terminal, terminal_client):
    name = (await new_terminal())["name"]
    first = await terminal_client(name)
    second = await terminal_client(name)
    await first.run("echo shared-$((1+1))")
    await second.wait_for_line(lambda line: line == "shared-2")


async def test_delete_ends_the_shell_and_disconnects(jp_fetch, new_terminal, terminal_client, alive):
    name = (await new_terminal())["name"]
    client = await terminal_client(name)
    pid = await client.shell_pid()
    assert alive(pid)
    await jp_fetch("api", "terminals", name, method="DELETE")
    assert not alive(pid)
    assert await client.wait_for("disconnect") == ["disconnect", 1]


async def test_exit_in_the_shell_removes_the_terminal(jp_fetch, new_terminal, terminal_client):
    name = (await new_terminal())["name"]
    client = await terminal_client(name)
    await client.run("exit")
    assert await client.wait_for("disconnect") == ["disconnect", 1]
    r = await jp_fetch("api", "terminals", name, raise_error=False)
    assert r.code == 404


async def test_unknown_terminal_is_404(terminal_client):
    with pytest.raises(HTTPClientError) as e:
        await terminal_client("nope")
    assert e.value.code == 404


async def test_websocket_requires_auth(new_terminal, terminal_client, jp_fetch):
    name = (await new_terminal())["name"]
    with pytest.raises(HTTPClientError) as e:
        await terminal_client(name, headers={"Authorization": None})
    assert e.value.code == 403


async def test_websocket_origin_check(new_terminal, terminal_client, jp_serverapp, jp_browser_headers):
    name = (await new_terminal())["name"]
    with pytest.raises(HTTPClientError) as e:
        await terminal_client(name, headers={**jp_browser_headers, "Origin": "http://evil.example"})
    assert e.value.code == 403
    own = f"http://localhost:{jp_serverapp.port}"
    client = await terminal_client(name, headers={**jp_browser_headers, "Origin": own})
    assert client.messages[0] == ["setup", {}]
    # The token itself proves no foreign page sent it (jupyter_server skips the check too).
    client = await terminal_client(name, headers={"Origin": "http://evil.example"})
    assert client.messages[0] == ["setup", {}]


LOOK_ALIKES = [  # CVE-2026-40110: origins that only start like the trusted one
    "https://trusted.example.com.evil.example",
    "https://trusted.example.comevil.example",
    "https://trusted.example.com:8443.evil.example",
]


@pytest.mark.parametrize("jp_server_config", [{"ServerApp": {"allow_origin_pat": r"https://trusted\.example\.com"}}])
async def test_websocket_pattern_matches_whole_origins(new_terminal, terminal_client, jp_browser_headers):
    name = (await new_terminal())["name"]
    for origin in LOOK_ALIKES:
        with pytest.raises(HTTPClientError) as e:
            await terminal_client(name, headers={**jp_browser_headers, "Origin": origin})
        assert e.value.code == 403, origin
    client = await terminal_client(name, headers={**jp_browser_headers, "Origin": "https://trusted.example.com"})
    assert client.messages[0] == ["setup", {}]


@pytest.mark.parametrize("jp_server_config", [{"ServerApp": {"allow_origin": "http://good.example"}}])
async def test_websocket_allow_origin(new_terminal, terminal_client):
    name = (await new_terminal())["name"]
    client = await terminal_client(name, headers={"Origin": "http://good.example"})
    assert client.messages[0] == ["setup", {}]


class ReadOnlyTerminals:
    """Users may list terminals (read) but not type in them (execute)."""

    def is_authorized(self, handler, user, action, resource):
        return not (resource == "terminals" and action == "execute")


def _read_only_authorizer():
    from jupyter_server_core.auth import Authorizer

    return type("ReadOnlyTerminalsAuthorizer", (ReadOnlyTerminals, Authorizer), {})


@pytest.mark.parametrize("jp_server_config", [{"ServerApp": {"authorizer_class": _read_only_authorizer()}}])
async def test_websocket_needs_execute(new_terminal, terminal_client, jp_fetch):
    name = (await new_terminal())["name"]
    r = await jp_fetch("api", "terminals")
    assert [t["name"] for t in json.loads(r.body)] == [name]
    with pytest.raises(HTTPClientError) as e:
        await terminal_client(name)
    assert e.value.code == 403
