"""Running `jupyter server` as a real subprocess: banner, info file, list/stop/password,
signals, port retries, UNIX socket and TLS."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import ssl
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from jupyter_server_core.pytest_plugin import ServerProcess, free_port, self_signed_cert

TOKEN = "serverapp-test-token-8c1e"

# A test-only extension that starts a kernel through the server's kernel manager once the
# server listens, and writes the kernel's process id where the test can read it.
KERNEL_STARTER = '''
import os

def _jupyter_server_extension_points():
    return [{"module": "kernel_starter"}]

def _load_jupyter_server_extension(serverapp):
    pass

async def _start_jupyter_server_extension(serverapp):
    km = serverapp.kernel_manager
    kid = await km.start_kernel(kernel_name="python3")
    kernel = km.get_kernel(kid)
    provisioner = getattr(kernel, "provisioner", None)
    pid = getattr(provisioner, "pid", None) or kernel.provisioner.process.pid
    client = kernel.client()
    client.start_channels()
    await client.wait_for_ready(timeout=60)  # interrupting a kernel mid-import prints noise
    client.stop_channels()
    with open(os.environ["KERNEL_PID_FILE"], "w") as f:
        f.write(str(pid))
'''


def run_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "jupyter_server_core", *args],
                          capture_output=True, text=True, timeout=timeout, env=dict(os.environ))


def wait_for(predicate, timeout: float = 60, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise TimeoutError(f"timed out waiting for {what}")


def pid_gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] in ("Z", "X")  # a zombie has ended
    except FileNotFoundError:
        return True


@pytest.fixture
def launch(tmp_path, jp_environ):
    """Start `jupyter server ARGS` (--no-browser unless open_browser is given); stopped at teardown."""
    started: list[ServerProcess] = []

    def start(*args: str, env: dict[str, str] | None = None, port: int = 0) -> ServerProcess:
        full_env = {**os.environ, "JUPYTER_TOKEN": TOKEN, **(env or {})}
        if not any(a.startswith("--ServerApp.open_browser") for a in args):
            args = ("--no-browser", *args)
        argv = [sys.executable, "-m", "jupyter_server_core", *args]
        proc = ServerProcess(argv, full_env, tmp_path, port, TOKEN,
                             tmp_path / f"server-{len(started)}.log")
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.stop()


def info_of(server: ServerProcess, runtime: Path) -> dict:
    """The server's info file, once it exists."""
    path = runtime / f"jpserver-{server.proc.pid}.json"

    def ready():
        if server.proc.poll() is not None:
            raise RuntimeError(f"server exited with {server.proc.returncode}:\n{server.log()}")
        return path.exists() and path.stat().st_size > 0

    wait_for(ready, what="the info file")
    return json.loads(path.read_text())


def test_banner_info_file_list_and_stop(launch, jp_environ):
    port = free_port()
    server = launch("--allow-root", "--ip=127.0.0.1", f"--port={port}")
    info = info_of(server, jp_environ["runtime"])
    path = jp_environ["runtime"] / f"jpserver-{server.proc.pid}.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # it holds the token
    assert info["port"] == port and info["token"] == TOKEN and info["pid"] == server.proc.pid
    assert info["url"] == f"http://127.0.0.1:{port}/"
    server.url = info["url"]
    server.wait_ready()
    # The banner shows where to connect; a configured token is not repeated into the log.
    wait_for(lambda: f"http://127.0.0.1:{port}/?token=..." in server.log(), what="the banner")

    listed = run_cli("list", "--json")
    assert [json.loads(line)["port"] for line in listed.stdout.splitlines()] == [port]
    jsonlist = json.loads(run_cli("list", "--jsonlist").stdout)
    assert [s["pid"] for s in jsonlist] == [server.proc.pid]
    plain = run_cli("list").stdout
    assert f"http://127.0.0.1:{port}/?token={TOKEN} :: " in plain

    missing = run_cli("stop", str(free_port()))
    assert missing.returncode == 1 and str(port) in missing.stderr
    stopped = run_cli("stop", str(port))
    assert stopped.returncode == 0, stopped.stderr
    assert server.proc.wait(30) == 0
    assert not path.exists()
    assert json.loads(run_cli("list", "--jsonlist").stdout) == []


def children_of(pid: int) -> set[int]:
    """Process ids whose parent is ``pid`` (Linux /proc)."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[-1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] not in ("Z", "X"):
                found.add(int(entry))
    return found


def start_kernel_over_rest(server: ServerProcess) -> None:
    """POST /api/kernels and wait until the kernel reports idle (it is fully up)."""
    headers = {"Authorization": f"token {TOKEN}", "Content-Type": "application/json"}
    request = urllib.request.Request(server.url + "api/kernels", data=b'{"name": "python3"}',
                                     headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=60) as r:
        assert r.status == 201
        kid = json.load(r)["id"]

    def idle():
        req = urllib.request.Request(server.url + f"api/kernels/{kid}", headers=headers)
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.load(r)["execution_state"] == "idle"

    wait_for(idle, what="the kernel to be idle")


@pytest.mark.parametrize(("sig", "how"), [(signal.SIGINT, "rest"), (signal.SIGTERM, "manager")])
def test_signal_shuts_down_cleanly_with_kernels(launch, jp_environ, tmp_path, sig, how):
    ext_dir = tmp_path / "ext"
    ext_dir.mkdir()
    (ext_dir / "kernel_starter.py").write_text(KERNEL_STARTER)
    pid_file = tmp_path / "kernel.pid"
    env = {"PYTHONPATH": os.pathsep.join([str(ext_dir), os.environ.get("PYTHONPATH", "")]),
           "KERNEL_PID_FILE": str(pid_file)}
    extension = ["--ServerApp.jpserver_extensions=kernel_starter=True"] if how == "manager" else []
    server = launch("--allow-root", "--ip=127.0.0.1", f"--port={free_port()}", *extension, env=env)
    server.url = info_of(server, jp_environ["runtime"])["url"]
    if how == "manager":
        kernel_pid = int(wait_for(lambda: pid_file.exists() and pid_file.read_text(), what="the kernel"))
        assert kernel_pid in children_of(server.proc.pid)
    else:
        server.wait_ready()
        start_kernel_over_rest(server)
    kernels = children_of(server.proc.pid)
    assert kernels, "no kernel process runs"
    server.proc.send_signal(sig)
    assert server.proc.wait(60) == 0, server.log()
    assert not list(jp_environ["runtime"].glob("jpserver-*.json"))
    assert wait_for(lambda: all(pid_gone(k) for k in kernels), timeout=10, what="the kernel to end")
    assert "Traceback" not in server.log()
    assert "Shutting down the server" in server.log()


def test_post_api_shutdown_answers_then_stops_kernels_and_server(launch, jp_environ):
    server = launch("--allow-root", "--ip=127.0.0.1", f"--port={free_port()}")
    server.url = info_of(server, jp_environ["runtime"])["url"]
    server.wait_ready()
    start_kernel_over_rest(server)
    kernels = children_of(server.proc.pid)
    assert kernels, "no kernel process runs"
    # Without the token, or with GET, nothing stops.
    refused = urllib.request.Request(server.url + "api/shutdown", data=b"", method="POST")
    with pytest.raises(urllib.error.HTTPError) as denied:
        urllib.request.urlopen(refused, timeout=10)
    assert denied.value.code == 403
    headers = {"Authorization": f"token {TOKEN}"}
    with pytest.raises(urllib.error.HTTPError) as wrong_method:
        urllib.request.urlopen(urllib.request.Request(server.url + "api/shutdown", headers=headers), timeout=10)
    assert wrong_method.value.code == 405
    assert server.proc.poll() is None
    request = urllib.request.Request(server.url + "api/shutdown", data=b"", headers=headers, method="POST")
    with urllib.request.urlopen(request, timeout=30) as r:
        assert (r.status, r.read()) == (200, b"")
        assert r.headers["Content-Type"].startswith("text/html")
    assert server.proc.wait(60) == 0, server.log()
    assert wait_for(lambda: all(pid_gone(k) for k in kernels), timeout=10, what="the kernel to end")
    assert not list(jp_environ["runtime"].glob("jpserver-*.json"))
    assert "Traceback" not in server.log()


@pytest.fixture
def busy_port():
    """A loopback port some other program listens on."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        yield busy.getsockname()[1]


def test_port_retries_take_the_next_free_port(launch, jp_environ, busy_port):
    server = launch("--allow-root", "--ip=127.0.0.1", f"--port={busy_port}", "--ServerApp.port_retries=20")
    info = info_of(server, jp_environ["runtime"])
    assert busy_port < info["port"] <= busy_port + 20
    assert f"Port {busy_port} is taken" in server.log()


def test_no_free_port_is_one_line(launch, busy_port):
    server = launch("--allow-root", "--ip=127.0.0.1", f"--port={busy_port}", "--ServerApp.port_retries=0")
    assert server.proc.wait(60) == 1
    log = server.log()
    assert "Traceback" not in log and "--port" in log


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: str) -> None:
        super().__init__("localhost")
        self.unix_path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.unix_path)


def test_unix_socket(launch, jp_environ, tmp_path):
    sock = str(tmp_path / "jp.sock")
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(sock)  # left behind by a server that was killed: nobody listens on it
    stale.close()
    server = launch("--allow-root", f"--sock={sock}", "--ServerApp.sock_mode=0660")
    info = info_of(server, jp_environ["runtime"])
    assert info["sock"] == sock
    assert stat.S_IMODE(os.stat(sock).st_mode) == 0o660

    conn = UnixHTTPConnection(sock)
    conn.request("GET", "/api/status", headers={"Authorization": f"token {TOKEN}"})
    response = conn.getresponse()
    assert response.status == 200
    assert set(json.loads(response.read())) >= {"started", "last_activity"}
    conn.request("GET", "/api/status")
    assert conn.getresponse().status == 403
    conn.close()

    second = launch("--allow-root", f"--sock={sock}")  # in use: refused, the first unharmed
    assert second.proc.wait(60) == 1
    assert "in use" in second.log() and "Traceback" not in second.log()
    assert os.path.exists(sock)

    assert "jp.sock" in run_cli("list").stdout
    assert run_cli("stop", sock).returncode == 0
    assert server.proc.wait(30) == 0
    assert not os.path.exists(sock)


def test_https_with_certfile_and_keyfile(launch, jp_environ, tmp_path):
    certfile, keyfile = self_signed_cert(tmp_path)
    port = free_port()
    server = launch("--allow-root", "--ip=localhost", f"--port={port}",
                    f"--certfile={certfile}", f"--keyfile={keyfile}")
    info = info_of(server, jp_environ["runtime"])
    assert info["secure"] is True and info["url"].startswith("https://localhost:")
    context = ssl.create_default_context(cafile=str(certfile))
    request = urllib.request.Request(f"https://localhost:{port}/api/status",
                                     headers={"Authorization": f"token {TOKEN}"})
    with urllib.request.urlopen(request, context=context, timeout=10) as r:
        assert r.status == 200
    with pytest.raises(OSError):  # plain HTTP on a TLS port gets no HTTP answer
        urllib.request.urlopen(f"http://localhost:{port}/api", timeout=10).read()


def test_password_subcommand_reads_a_tty(jp_environ, launch):
    import pexpect

    path = jp_environ["config"] / "jupyter_server_config.json"
    path.write_text(json.dumps({"ServerApp": {"port": 1234, "password": "sha1:old:old"}}))
    path.chmod(0o644)
    child = pexpect.spawn(sys.executable, ["-m", "jupyter_server_core", "password"],
                          env=dict(os.environ), encoding="utf-8", timeout=60)
    child.expect("Enter password:")
    child.sendline("first")
    child.expect("Verify password:")
    child.sendline("other")  # a mismatch asks again
    child.expect("entries differ")
    child.expect("Enter password:")
    child.sendline("hunter2")
    child.expect("Verify password:")
    child.sendline("hunter2")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    written = json.loads(path.read_text())
    assert written["ServerApp"] == {"port": 1234}  # other settings kept, the old spelling gone
    hashed = written["IdentityProvider"]["hashed_password"]
    from jupyter_server_core.auth import passwd_check

    assert passwd_check(hashed, "hunter2") and not passwd_check(hashed, "first")
    assert "hunter2" not in path.read_text()


def test_browser_gets_a_redirect_file_not_the_token(launch, jp_environ, tmp_path):
    seen = tmp_path / "browser-args.txt"
    fake = tmp_path / "fake_browser.py"
    fake.write_text(f"import sys\nopen({str(seen)!r}, 'w').write(sys.argv[1])\n")
    server = launch("--allow-root", "--ip=127.0.0.1", f"--port={free_port()}",
                    "--ServerApp.open_browser=True", f"--ServerApp.browser={sys.executable} {fake} %s")
    info = info_of(server, jp_environ["runtime"])
    url = wait_for(lambda: seen.exists() and seen.read_text(), what="the browser")
    assert url.startswith("file://") and TOKEN not in url  # process lists show no token
    page = Path(url[len("file://"):]).read_text()
    assert f"{info['url']}?token={TOKEN}" in page
    assert stat.S_IMODE(Path(url[len("file://"):]).stat().st_mode) == 0o600


def test_list_forgets_servers_that_died(jp_environ):
    # A server killed with SIGKILL leaves its info file behind; `list` must not show it.
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    stale = jp_environ["runtime"] / f"jpserver-{dead.stdout.strip()}.json"
    stale.write_text(json.dumps({"pid": int(dead.stdout), "port": 1, "url": "http://x:1/",
                                 "token": "t", "root_dir": "/", "sock": ""}))
    assert json.loads(run_cli("list", "--jsonlist").stdout) == []
    assert not stale.exists()
    result = run_cli("stop", "1")
    assert result.returncode == 1 and "no running servers" in (result.stderr + result.stdout).lower()


def test_generated_token_is_shown_in_the_banner(launch, jp_environ):
    server = launch("--allow-root", "--ip=127.0.0.1", f"--port={free_port()}", env={"JUPYTER_TOKEN": ""})
    info = info_of(server, jp_environ["runtime"])
    token = info["token"]
    assert len(token) >= 32 and token != TOKEN
    wait_for(lambda: f"{info['url']}?token={token}" in server.log(), what="the banner")
    lines = [line for line in server.log().splitlines() if token in line]
    assert all(line.strip().startswith("http://") for line in lines)  # only the URLs carry it
