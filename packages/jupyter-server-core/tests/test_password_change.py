"""A new password ends the logins made with the old one (CVE-2026-40934's lesson).

Real ``jupyter server`` subprocesses and the real ``jupyter server password`` command (on
a pseudo-terminal, as an operator types it). The login cookie is signed with a key derived
from the password hash, so a cookie captured before the change opens nothing once the
server runs with the new password. Like jupyter_server, a running server reads its
password at start: the change takes effect with the restart.
"""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from jupyter_server_core.auth import passwd

COOKIE = "test-login"


def run_password_command(new_password: str) -> str:
    """``jupyter server password``, typing ``new_password`` twice at its prompts."""
    master, slave = pty.openpty()
    # A new session has no controlling terminal: getpass reads the pseudo-terminal we hold.
    proc = subprocess.Popen([sys.executable, "-m", "jupyter_server_core", "password"],
                            stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
    os.close(slave)
    output = b""

    def read_until(marker: bytes) -> None:
        nonlocal output
        deadline = time.monotonic() + 60
        while marker not in output:
            assert time.monotonic() < deadline, output
            ready, _, _ = select.select([master], [], [], 1)
            if ready:
                try:
                    output += os.read(master, 1024)
                except OSError:  # the command exited and closed its end
                    break

    try:
        read_until(b"Enter password")
        os.write(master, new_password.encode() + b"\n")
        read_until(b"Verify password")
        os.write(master, new_password.encode() + b"\n")
        read_until(b"Wrote hashed password")
        assert proc.wait(60) == 0, output
    finally:
        os.close(master)
    return output.decode(errors="replace")


def login(url: str, password: str) -> str:
    """Log in through the form; return the login cookie's ``name=value``."""
    import http.cookiejar

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(url + "login", timeout=10).read()
    xsrf = next(c.value for c in jar if c.name == "_xsrf")
    opener.open(url + "login?next=%2Fapi%2Fstatus", timeout=10,
                data=f"password={password}&_xsrf={xsrf}".encode()).read()
    return next(f"{c.name}={c.value}" for c in jar if c.name == COOKIE)


def status(url: str, cookie: str) -> int:
    request = urllib.request.Request(url + "api/status", headers={"Cookie": cookie})
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return int(r.status)
    except urllib.error.HTTPError as e:
        return e.code


def test_an_old_cookie_is_refused_after_a_password_change(jp_server_process, jp_environ):
    config_dir = Path(jp_environ["config"])
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / "jupyter_server_config.json").write_text(
        json.dumps({"IdentityProvider": {"hashed_password": passwd("first", "sha256")}}))
    args = (f"--IdentityProvider.cookie_name={COOKIE}",)  # one name whatever the port

    server = jp_server_process(*args)
    captured = login(server.url, "first")
    assert status(server.url, captured) == 200
    server.stop()

    # A restart alone keeps the login (the cookie secret stays in the runtime dir) ...
    server = jp_server_process(*args)
    assert status(server.url, captured) == 200
    server.stop()

    # ... a new password does not.
    run_password_command("second")
    server = jp_server_process(*args)
    assert status(server.url, captured) == 403
    fresh = login(server.url, "second")
    assert status(server.url, fresh) == 200
