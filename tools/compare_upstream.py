#!/usr/bin/env python3
"""Side by side: the same HTTP requests against jupyter_server 2.21.1 and against ours.

    python3 tools/compare_upstream.py [--upstream-venv PATH] [--ours-venv PATH] [--verbose]

Without options it builds two scratch environments (under ~/.cache/jupyter-server-compare,
or $JUPYTER_COMPARE_HOME): upstream ``jupyter_server==2.21.1`` with
``jupyter_server_terminals==0.5.4`` and ipykernel from PyPI, and ours, the full install from
wheels built out of packages/. ``--upstream-venv``/``--ours-venv`` reuse existing
environments instead (an upstream one with JupyterLab or Notebook in it is fine: only
jupyter_server and its terminals are enabled).

Both servers get the same files and the same token. Every scenario of
``compare_scenarios.py`` runs against each, with its own ids (kernels, sessions,
terminals). For every request it compares the status, the media type, the JSON fields (the
keys, two levels deep, and the values of the fields clients branch on) and the headers
clients read. A difference listed in ``DELIBERATE`` (each also in docs/compatibility.md,
with its reason) is reported as known; any other fails the run (exit 1).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from compare_scenarios import DELIBERATE, SCENARIOS, Step, make_tree  # noqa: E402

TOKEN = "compare-token-3d9a1b"
CACHE = Path(os.environ.get("JUPYTER_COMPARE_HOME", Path.home() / ".cache" / "jupyter-server-compare"))
UPSTREAM_SPEC = ["jupyter_server==2.21.1", "jupyter_server_terminals==0.5.4", "ipykernel"]
# Upstream extensions that a reused environment may hold; the comparison is with jupyter_server.
UPSTREAM_OFF = {"jupyterlab": False, "notebook": False, "jupyter_lsp": False, "notebook_shim": False,
                "nbclassic": False, "jupyter_server_fileid": False, "jupyter_server_ydoc": False}
HEADERS_COMPARED = ("Content-Range", "Accept-Ranges", "Cache-Control", "Content-Disposition",
                    "Content-Security-Policy")
# Values clients branch on; messages and versions are free text.
VALUES_COMPARED = {"reason", "type", "format", "mimetype", "writable", "scope"}


# -- environments ------------------------------------------------------------------------


def build_upstream() -> Path:
    from bench.run import _make_env, _pip

    env = CACHE / "upstream-2.21.1"
    stamp = env / ".compare-installed"
    if not stamp.exists() or stamp.read_text() != " ".join(UPSTREAM_SPEC):
        _make_env(env)
        _pip(env, "install", *UPSTREAM_SPEC)
        stamp.write_text(" ".join(UPSTREAM_SPEC))
    return env


def build_ours() -> Path:
    from bench.run import _make_env, _pip, build_wheels

    dist = build_wheels()
    env = CACHE / "ours-full"
    stamp = env / ".compare-installed"
    if not stamp.exists() or stamp.read_text() != dist.name:
        shutil.rmtree(env, ignore_errors=True)
        _make_env(env)
        _pip(env, "install", "--find-links", str(dist), "jupyter-server", "ipykernel")
        stamp.write_text(dist.name)
    return env


# -- servers -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``jupyter server`` from one environment, with its own home, config and file tree."""

    def __init__(self, label: str, env: Path) -> None:
        self.label, self.env = label, env
        self.home = Path(tempfile.mkdtemp(prefix=f"compare-{label}-"))
        self.root = self.home / "root"
        make_tree(self.root)
        config = self.home / "config"
        config.mkdir()
        if label == "upstream":
            (config / "jupyter_server_config.json").write_text(
                json.dumps({"ServerApp": {"jpserver_extensions": UPSTREAM_OFF}}))
        self.port = free_port()
        env_vars = dict(os.environ, HOME=str(self.home), JUPYTER_CONFIG_DIR=str(config),
                        JUPYTER_DATA_DIR=str(self.home / "data"), JUPYTER_RUNTIME_DIR=str(self.home / "runtime"),
                        XDG_DATA_HOME=str(self.home / "xdg"), JUPYTER_PLATFORM_DIRS="1")
        env_vars.pop("JUPYTER_TOKEN", None)
        argv = [str(env / "bin" / "jupyter-server"), "--no-browser", "--allow-root", f"--port={self.port}",
                "--ip=127.0.0.1", "--ServerApp.port_retries=0", f"--IdentityProvider.token={TOKEN}",
                f"--ServerApp.root_dir={self.root}"]
        self.log_path = self.home / "server.log"
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(argv, env=env_vars, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{label} server exited:\n{self.log_path.read_text()[-3000:]}")
            try:
                if self.request(Step("probe", "GET", "/api/status")).status == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise TimeoutError(f"{label} server did not answer in 90 s")

    def request(self, step: Step, variables: dict[str, str] | None = None) -> Answer:
        path = step.path.format(**(variables or {}))
        headers = {"Authorization": f"token {TOKEN}"} if step.auth else {}
        headers.update({k: v.format(port=self.port, **(variables or {})) for k, v in step.headers.items()})
        body = step.body if isinstance(step.body, (str, bytes)) or step.body is None else json.dumps(step.body)
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        conn.request(step.method, path, body=body, headers=headers)
        response = conn.getresponse()
        answer = Answer(response.status, {k.title(): v for k, v in response.getheaders()}, response.read())
        conn.close()
        return answer

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.home, ignore_errors=True)


class Answer:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    @property
    def media_type(self) -> str:
        return self.headers.get("Content-Type", "").split(";")[0].strip().lower()

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None


# -- comparing ---------------------------------------------------------------------------


def shape(value: Any, depth: int = 2) -> Any:
    """The keys of a JSON value, ``depth`` levels deep (a list shows its first item)."""
    if isinstance(value, dict):
        if depth == 0:
            return "{...}"
        return {k: shape(v, depth - 1) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [shape(value[0], depth)] if value else []
    return type(value).__name__ if value is not None else "null"


def compared_values(value: Any) -> dict[str, Any]:
    if isinstance(value, list):
        value = value[0] if value else {}
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if k in VALUES_COMPARED and not isinstance(v, (dict, list))}


def location(answer: Answer, server: Server) -> str:
    return answer.headers.get("Location", "").replace(f"127.0.0.1:{server.port}", "HOST")


def differences(step: Step, up: Answer, ours: Answer, servers: tuple[Server, Server]) -> dict[str, str]:
    found: dict[str, str] = {}
    if up.status != ours.status:
        found["status"] = f"{up.status} vs {ours.status}"
    if up.media_type != ours.media_type and (up.body or ours.body):
        found["content-type"] = f"{up.media_type!r} vs {ours.media_type!r}"
    if up.media_type == ours.media_type == "application/json":
        a, b = up.json(), ours.json()
        if shape(a) != shape(b):
            found["fields"] = f"{json.dumps(shape(a))} vs {json.dumps(shape(b))}"
        va, vb = compared_values(a), compared_values(b)
        for key in sorted(set(va) | set(vb)):
            if va.get(key) != vb.get(key):
                found[f"value:{key}"] = f"{va.get(key)!r} vs {vb.get(key)!r}"
    names = HEADERS_COMPARED + (("Location",) if up.status in (301, 302) else ())
    for name in names:
        hu = location(up, servers[0]) if name == "Location" else up.headers.get(name)
        ho = location(ours, servers[1]) if name == "Location" else ours.headers.get(name)
        if name == "Cache-Control" and not any(step.path.startswith(p) for p in ("/files/", "/kernelspecs/")):
            continue  # pages and APIs: ours adds no-store everywhere, which no client reads
        if name == "Content-Security-Policy" and not 200 <= up.status < 300:
            continue  # what counts is the policy of what a browser renders
        if hu != ho:
            found[f"header:{name}"] = f"{hu!r} vs {ho!r}"
    return found


def until_met(step: Step, answer: Answer) -> bool:
    body = answer.json()
    if step.until is None:
        return True
    key, wanted = step.until
    return isinstance(body, dict) and body.get(key) == wanted


def capture(step: Step, answer: Answer, variables: dict[str, str]) -> None:
    if step.capture and answer.json() is not None:
        for name, key in step.capture.items():
            value = answer.json()
            for part in key.split("."):
                value = value.get(part) if isinstance(value, dict) else None
            if value is not None:
                variables[name] = str(value)


def run(upstream_env: Path, ours_env: Path, verbose: bool) -> int:
    print(f"upstream: {upstream_env}\nours:     {ours_env}")
    servers = (Server("upstream", upstream_env), Server("ours", ours_env))
    unexpected: list[str] = []
    known: list[str] = []
    seen_known: set[tuple[str, str]] = set()
    requests = 0
    try:
        for scenario, steps in SCENARIOS.items():
            variables: tuple[dict[str, str], dict[str, str]] = ({}, {})
            for step in steps:
                answers = []
                for server, names in zip(servers, variables, strict=True):
                    answer = server.request(step, names)
                    deadline = time.monotonic() + 60
                    while step.until and not until_met(step, answer) and time.monotonic() < deadline:
                        time.sleep(0.2)
                        answer = server.request(step, names)
                    capture(step, answer, names)
                    answers.append(answer)
                requests += 1
                shown = step.name if step.name.startswith(step.method) else f"{step.method} {step.name}"
                label = f"{scenario}: {shown}"
                for aspect, detail in differences(step, answers[0], answers[1], servers).items():
                    reason = DELIBERATE.get((step.name, aspect))
                    line = f"{label} [{aspect}] upstream {detail.replace(' vs ', ', ours ', 1)}"
                    if reason is None:
                        unexpected.append(line)
                    else:
                        seen_known.add((step.name, aspect))
                        known.append(f"{line}\n      why: {reason}")
                if verbose:
                    print(f"  {label}: {answers[0].status} / {answers[1].status}")
    finally:
        for server in servers:
            server.stop()
    print(f"\n{requests} requests compared in {len(SCENARIOS)} scenarios.")
    print(f"Deliberate differences seen ({len(known)}):")
    for line in known:
        print("  " + line)
    stale = sorted(set(DELIBERATE) - seen_known)
    if stale:
        print(f"Listed as deliberate but not seen this run ({len(stale)}): " + ", ".join(f"{n} [{a}]" for n, a in stale))
    print(f"Unexpected differences ({len(unexpected)}):")
    for line in unexpected:
        print("  " + line)
    print("RESULT: " + ("same answers outside the documented list" if not unexpected else "DIFFERENT"))
    return 1 if unexpected else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--upstream-venv", type=Path, help="reuse this environment for upstream jupyter_server")
    parser.add_argument("--ours-venv", type=Path, help="reuse this environment (ours, full install)")
    parser.add_argument("--verbose", action="store_true", help="print every request's statuses")
    args = parser.parse_args()
    upstream_env = args.upstream_venv or build_upstream()
    ours_env = args.ours_venv or build_ours()
    return run(upstream_env.resolve(), ours_env.resolve(), args.verbose)


if __name__ == "__main__":
    sys.exit(main())
