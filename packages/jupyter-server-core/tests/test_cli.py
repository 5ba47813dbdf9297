"""The `jupyter server` command line, run as real subprocesses.

Help, --generate-config, --show-config, bad config (one readable line, non-zero exit, no
traceback), refusing root, and a jupyter_server 2.x style jupyter_server_config.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from jupyter_server_core.pytest_plugin import ServerProcess, free_port

TOKEN = "cli-test-token-5f1d2c"


def run_cli(*args: str, timeout: float = 60, **kwargs) -> subprocess.CompletedProcess[str]:
    """``jupyter server ARGS`` in the test's isolated Jupyter folders (jp_environ)."""
    return subprocess.run(
        [sys.executable, "-m", "jupyter_server_core", *args],
        capture_output=True, text=True, timeout=timeout, env=dict(os.environ), **kwargs,
    )


def get(url: str, token: str | None = TOKEN) -> tuple[int, bytes]:
    headers = {"Authorization": f"token {token}"} if token else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_help_all_lists_traits_with_help(jp_environ):
    out = run_cli("--help-all").stdout
    for trait, help_text in [
        ("--ServerApp.port=<Int>", "The port the server will listen on"),
        ("--ServerApp.allow_remote_access=<Bool>", "Host header"),
        ("--IdentityProvider.token=<Unicode>", "Token used for authenticating"),
        ("--PasswordIdentityProvider.hashed_password=<Unicode>", "Hashed password"),
        ("--ServerApp.jpserver_extensions=<key-1>=<value-1>...", "server extensions"),
    ]:
        assert trait in out
        section = out[out.index(trait):][:600]
        assert help_text in section, section
    assert "list" in out and "password" in out and "stop" in out


def test_generate_config_writes_commented_traits(jp_environ):
    result = run_cli("--generate-config", "-y")
    assert result.returncode == 0, result.stderr
    path = jp_environ["config"] / "jupyter_server_config.py"
    text = path.read_text()
    for line in ("# c.ServerApp.port = 8888", "# c.ServerApp.root_dir = ''",
                 "# c.IdentityProvider.token = '<generated>'", "# c.ServerApp.allow_origin = ''",
                 "# c.PasswordIdentityProvider.hashed_password = ''"):
        assert line in text
    assert "\nc." not in text  # every setting stays commented out
    # the generated file is valid Python that loads as config
    exec(compile(text, str(path), "exec"), {"c": None, "get_config": lambda: None})


def test_show_config_shows_command_line(jp_environ):
    result = run_cli("--show-config", "--ServerApp.port=9999", "--ip=0.0.0.0")
    assert result.returncode == 0, result.stderr
    assert ".port = 9999" in result.stdout
    assert ".ip = '0.0.0.0'" in result.stdout


@pytest.mark.parametrize(
    ("arg", "words"),
    [
        ("--ServerApp.root_dir=/no/such/dir", "root_dir"),
        ("--ServerApp.sock_mode=bad", "sock_mode"),
        ("--ServerApp.sock_mode=0400", "sock_mode"),
        ("--ServerApp.allow_origin_pat=(unclosed", "allow_origin_pat"),
        ("--port=notaport", "port"),
        ("--ip=256.300.1.1", "256.300.1.1"),
        ("--ServerApp.certfile=/no/such/cert.pem", "certfile"),
        ("--PasswordIdentityProvider.password_required=True", "password_required"),
    ],
)
def test_bad_config_is_one_readable_line(jp_environ, arg, words):
    result = run_cli("--allow-root", "--no-browser", "--port=0", arg, timeout=60)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if words in line]
    assert len(lines) == 1, result.stderr


def test_refuses_root_without_allow_root(jp_environ):
    if os.geteuid() != 0:
        pytest.skip("only meaningful as root")
    result = run_cli("--no-browser", "--port=0", timeout=60)
    assert result.returncode == 1
    assert "--allow-root" in result.stderr
    assert "Traceback" not in result.stderr
    assert not list(jp_environ["runtime"].glob("jpserver-*.json"))


@pytest.fixture
def config_file_server(jp_environ, tmp_path):
    """A server configured only through a jupyter_server 2.x style config file."""
    started: list[ServerProcess] = []

    def start(config_py: str, port: int) -> ServerProcess:
        (jp_environ["config"] / "jupyter_server_config.py").write_text(config_py)
        env = dict(os.environ)
        env.pop("JUPYTER_TOKEN", None)
        argv = [sys.executable, "-m", "jupyter_server_core", "--allow-root"]
        proc = ServerProcess(argv, env, tmp_path, port, TOKEN, tmp_path / f"server-{port}.log")
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.stop()


def test_config_file_is_honoured(config_file_server, tmp_path):
    root = tmp_path / "the root"
    root.mkdir()
    port = free_port()
    server = config_file_server(
        "c = get_config()  # noqa\n"
        f"c.ServerApp.port = {port}\n"
        "c.ServerApp.ip = '127.0.0.1'\n"
        "c.ServerApp.open_browser = False\n"
        f"c.ServerApp.root_dir = {str(root)!r}\n"
        "c.ServerApp.base_url = '/prefix/'\n"
        f"c.IdentityProvider.token = {TOKEN!r}\n",
        port,
    )
    server.url = f"http://127.0.0.1:{port}/prefix/"
    server.wait_ready()
    assert get(server.url + "api/status")[0] == 200
    assert get(server.url + "api/status", token="wrong")[0] == 403
    assert get(f"http://127.0.0.1:{port}/api/status")[0] == 404
    info = json.loads(next((Path(os.environ["JUPYTER_RUNTIME_DIR"])).glob("jpserver-*.json")).read_text())
    assert info["root_dir"] == str(root)
    assert info["base_url"] == "/prefix/"
    assert info["port"] == port


def test_deprecated_serverapp_token_forwards_with_warning(config_file_server):
    port = free_port()
    server = config_file_server(
        f"c.ServerApp.port = {port}\nc.ServerApp.ip = '127.0.0.1'\nc.ServerApp.token = {TOKEN!r}\n",
        port,
    )
    server.wait_ready()
    assert get(server.url + "api/status")[0] == 200
    assert get(server.url + "api/status", token=None)[0] == 403
    assert "IdentityProvider.token" in server.log()


def test_deprecated_serverapp_password_forwards(config_file_server):
    from jupyter_server_core.auth import passwd

    port = free_port()
    hashed = passwd("s3cret", algorithm="sha256")
    server = config_file_server(
        f"c.ServerApp.port = {port}\nc.ServerApp.ip = '127.0.0.1'\nc.ServerApp.password = {hashed!r}\n",
        port,
    )
    server.wait_ready()
    assert "PasswordIdentityProvider.hashed_password" in server.log()
    # With a password and no token configured, no token is generated: only the password logs in.
    assert get(server.url + "api/status", token=None)[0] == 403
    info = json.loads(next(Path(os.environ["JUPYTER_RUNTIME_DIR"]).glob("jpserver-*.json")).read_text())
    assert info["password"] is True and info["token"] == ""
    import http.cookiejar

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(server.url + "login", timeout=10).read()
    xsrf = next(c.value for c in jar if c.name == "_xsrf")
    body = f"password=s3cret&_xsrf={xsrf}".encode()
    with opener.open(server.url + "login?next=%2Fapi%2Fme", data=body, timeout=10) as r:
        assert r.url.endswith("/api/me")  # logged in and sent on to `next`
    with opener.open(server.url + "api/status", timeout=10) as r:
        assert r.status == 200


@pytest.mark.parametrize(
    ("filename", "text", "words"),
    [
        ("jupyter_server_config.py", "c.ServerApp.ip = (\n", "SyntaxError"),
        ("jupyter_server_config.py", "c.ServerApp.port = undefined_name\n", "undefined_name"),
        ("jupyter_server_config.py", "c.ServerApp.root_dir = '/no/such/dir'\n", "root_dir"),
        ("jupyter_server_config.json", '{"ServerApp": {"port_retries": "x"}}', "port_retries"),
    ],
)
def test_bad_config_file_stops_with_one_line(jp_environ, filename, text, words):
    # Running without part of the operator's config (a password, say) would be worse.
    (jp_environ["config"] / filename).write_text(text)
    result = run_cli("--allow-root", "--no-browser", "--port=0")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert len([line for line in result.stderr.splitlines() if words in line]) == 1, result.stderr
