"""Starting and measuring a server process for the benchmarks (ours or the reference)."""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

TOKEN = "bench-token-5f2c9e"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_bytes(pid: int) -> int:
    """Resident memory of one process (not its children), from /proc."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


class Server:
    """One ``jupyter server`` process with isolated Jupyter folders and a shared root."""

    def __init__(self, label: str, env: Path, root: Path, command: str = "jupyter-server",
                 ready_path: str = "/api/status", extra_argv: list[str] | None = None) -> None:
        self.label, self.env, self.root = label, env, root
        self.command, self.ready_path = command, ready_path
        self.extra_argv = list(extra_argv or [])
        self.home = Path(tempfile.mkdtemp(prefix=f"bench-{label}-"))
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        """Spawn and wait for ``GET <ready_path>`` 200; return the seconds it took."""
        self.port = free_port()
        env = dict(os.environ)
        for key in ("HOME", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR"):
            env[key] = str(self.home / key.lower())
        env.pop("JUPYTER_TOKEN", None)
        argv = [str(self.env / "bin" / self.command), "--no-browser", "--allow-root",
                f"--port={self.port}", "--ip=127.0.0.1", "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={self.root}",
                "--ServerApp.log_level=WARN", *self.extra_argv]
        started = time.perf_counter()
        self.proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = started + 60
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.label} exited: {self.proc.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
                conn.request("GET", self.ready_path, headers={"Authorization": f"token {TOKEN}"})
                if conn.getresponse().status == 200:
                    return time.perf_counter() - started
            except OSError:
                time.sleep(0.005)
        raise TimeoutError(f"{self.label} did not answer within 60 s")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rss(self) -> int:
        assert self.proc is not None
        return rss_bytes(self.proc.pid)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.home, ignore_errors=True)
