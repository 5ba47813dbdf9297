"""The server info file in the runtime directory: what `jupyter server list` reads."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jupyter_core.paths import jupyter_runtime_dir

__all__ = ["info_file_path", "write_info_file", "remove_info_file", "list_running_servers", "pid_alive"]


def info_file_path(runtime_dir: str | None = None, pid: int | None = None) -> Path:
    return Path(runtime_dir or jupyter_runtime_dir()) / f"jpserver-{pid or os.getpid()}.json"


def browser_open_file_path(runtime_dir: str | None = None, pid: int | None = None) -> Path:
    return Path(runtime_dir or jupyter_runtime_dir()) / f"jpserver-{pid or os.getpid()}-open.html"


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)


def write_info_file(info: dict[str, Any], runtime_dir: str | None = None) -> Path:
    """Write ``info`` (it holds the token, so owner-readable only) and return its path."""
    path = info_file_path(runtime_dir)
    _write_private(path, json.dumps(info, indent=2, sort_keys=True))
    return path


def write_browser_open_file(url: str, runtime_dir: str | None = None) -> Path:
    """A local HTML file that redirects to ``url``, so the token stays out of process lists."""
    from html import escape

    path = browser_open_file_path(runtime_dir)
    html = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<meta http-equiv='refresh' content='1;url={escape(url, quote=True)}' />"
        "<title>Opening Jupyter Server</title></head><body>"
        f"<p>This page should redirect you to a Jupyter Server. If it does not, "
        f"<a href='{escape(url, quote=True)}'>click here to go to Jupyter</a>.</p>"
        "</body></html>"
    )
    _write_private(path, html)
    return path


def remove_info_file(runtime_dir: str | None = None) -> None:
    for path in (info_file_path(runtime_dir), browser_open_file_path(runtime_dir)):
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie, ended but not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            state = f.read().rsplit(")", 1)[-1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc (macOS): kill(0) is all we know
    return state not in ("Z", "X")


def list_running_servers(runtime_dir: str | None = None) -> Iterator[dict[str, Any]]:
    """Info of every server whose process still runs; stale files are removed."""
    directory = Path(runtime_dir or jupyter_runtime_dir())
    if not directory.is_dir():
        return
    for path in sorted(directory.glob("jpserver-*.json")):
        try:
            info = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        pid = info.get("pid")
        if isinstance(pid, int) and pid_alive(pid):
            yield info
        else:
            try:
                path.unlink()
            except OSError:
                pass


def stop_server(info: dict[str, Any]) -> None:
    """Ask a running server to shut down cleanly (SIGTERM)."""
    os.kill(int(info["pid"]), signal.SIGTERM)
