"""``jupyter server list``, ``stop`` and ``password``."""

from __future__ import annotations

import difflib
import json
import os
import sys
import time

from jupyter_core.application import JupyterApp
from jupyter_core.paths import jupyter_config_dir
from traitlets import Bool, Integer, Unicode

from ._serverinfo import list_running_servers, pid_alive, stop_server

__all__ = ["ListApp", "StopApp", "PasswordApp", "SUBCOMMANDS_GROUP", "contributed_subcommands", "unknown_subcommand"]

SUBCOMMANDS_GROUP = "jupyter_server.subcommands"


def contributed_subcommands() -> dict[str, tuple[str, str]]:
    """Subcommands that installed wheels add to ``jupyter server``.

    A wheel declares ``[project.entry-points."jupyter_server.subcommands"]``
    ``migrate = "notebook_shim.migrate:MigrateApp"``; the class is imported only when its
    subcommand runs; ``--help`` names the wheel that provides it.
    """
    from importlib.metadata import entry_points

    found: dict[str, tuple[str, str]] = {}
    for ep in entry_points(group=SUBCOMMANDS_GROUP):
        target = ep.value.replace(":", ".")
        found[ep.name] = (target, f"Provided by {ep.dist.name if ep.dist else ep.module}.")
    return found


# Subcommands that other wheels provide, for the error when one is missing.
_PROVIDED_ELSEWHERE = {"migrate": "notebook-shim"}


def unknown_subcommand(word: str, known: list[str]) -> str:
    """The one-line error for ``jupyter server WORD`` when WORD is no subcommand."""
    if word in _PROVIDED_ELSEWHERE:
        hint = f"; it comes with {_PROVIDED_ELSEWHERE[word]} (pip install {_PROVIDED_ELSEWHERE[word]})"
    else:
        close = difflib.get_close_matches(word, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown subcommand {word!r}{hint} Subcommands: {', '.join(sorted(known))}."


class ListApp(JupyterApp):
    """List the servers running for this user."""

    name = "jupyter server list"
    description = "Show the servers this user runs."
    json = Bool(False, help="Print one JSON object per server, a line each.").tag(config=True)
    jsonlist = Bool(False, help="Produce machine-readable JSON list output.").tag(config=True)
    flags = {
        "json": ({"ListApp": {"json": True}}, "Print one JSON object per server, a line each."),
        "jsonlist": ({"ListApp": {"jsonlist": True}}, "Produce machine-readable JSON list output."),
    }

    def start(self) -> None:
        servers = list(list_running_servers(self.runtime_dir))
        if self.jsonlist:
            print(json.dumps(servers))
            return
        if self.json:
            for info in servers:
                print(json.dumps(info))
            return
        print("Currently running servers:")
        for info in servers:
            url = info["url"]
            if info.get("token"):
                url += f"?token={info['token']}"
            adopted = info.get("kernels_adopted")
            note = f" ({adopted} kernel(s) adopted at start)" if adopted else ""
            print(f"{url} :: {info['root_dir']}{note}")


class StopApp(JupyterApp):
    """Stop the server on a port (or UNIX socket) cleanly."""

    name = "jupyter server stop"
    description = "Stop the server on a port or UNIX socket."
    port = Integer(8888, help="Port of the server to be killed. Default 8888").tag(config=True)
    sock = Unicode("", help="Stop the server listening on this UNIX socket instead.").tag(config=True)

    def parse_command_line(self, argv: list[str] | None = None) -> None:
        super().parse_command_line(argv)
        if self.extra_args:
            target = self.extra_args[0]
            if target.isdigit() and 0 < int(target) < 65536:
                self.port = int(target)
            elif os.sep in target or os.path.exists(target):
                self.sock = target
            else:
                self.exit(f"jupyter server stop: {target!r} is neither a port (1-65535) nor a UNIX socket path")

    def start(self) -> None:
        servers = list(list_running_servers())
        if not servers:
            self.exit("There are no running servers (per the runtime directory)")
        for info in servers:
            if (self.sock and info.get("sock") == self.sock) or (not self.sock and info.get("port") == self.port):
                print(f"Shutting down server on {self.sock or self.port}...")
                stop_server(info)
                for _ in range(100):
                    if not pid_alive(int(info["pid"])):
                        return
                    time.sleep(0.1)
                self.exit(f"Server with pid {info['pid']} did not stop within 10 seconds")
        print(f"No server of yours listens on {self.sock or self.port}.", file=sys.stderr)
        print("Ports currently in use:", file=sys.stderr)
        for info in servers:
            print(f"  - {info.get('sock') or info['port']}", file=sys.stderr)
        self.exit(1)


class PasswordApp(JupyterApp):
    """Ask for a password and store its hash in jupyter_server_config.json."""

    name = "jupyter server password"
    description = "Set a password for the Jupyter server."

    def start(self) -> None:
        from .auth import passwd
        from .auth._password import persist_hashed_password

        try:
            # Piped in (`echo secret | jupyter server password`): one line, no prompt.
            interactive = sys.stdin is not None and sys.stdin.isatty()
            piped = None if interactive else _password_from_pipe()
            hashed = passwd(piped) if piped is not None else passwd()
            path = persist_hashed_password(hashed, self.config_dir or jupyter_config_dir())
        except ValueError as exc:
            self.exit(f"jupyter server password: error: {exc}")
        print(f"[JupyterPasswordApp] Wrote hashed password to {path}")


def _password_from_pipe() -> str | None:
    """The line piped in; None when standard input cannot be read at all (closed, or held
    by a test runner): the password is then asked for on the terminal."""
    try:
        line = sys.stdin.readline() if sys.stdin is not None else ""
    except OSError:
        return None
    password = line.rstrip("\r\n")
    if not password:
        raise ValueError("no password on standard input: run it in a terminal, or pipe one line in")
    return password
