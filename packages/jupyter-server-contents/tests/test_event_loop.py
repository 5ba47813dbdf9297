"""No file I/O under root_dir happens on the event loop's thread: it all runs in workers."""

from __future__ import annotations

import builtins
import json
import os
import threading

import pytest


@pytest.fixture
def loop_io(monkeypatch, jp_root_dir):
    """Record file-system calls on paths under root_dir made from the loop's (this) thread."""
    loop_thread = threading.current_thread()
    root = str(jp_root_dir)
    seen: list[tuple[str, str]] = []
    active = {"on": False}

    def spy(name, original):
        def wrapper(*args, **kwargs):
            target = args[0] if args else ""
            if active["on"] and threading.current_thread() is loop_thread and isinstance(target, (str, os.PathLike)):
                if os.fspath(target).startswith(root):
                    seen.append((name, os.fspath(target)))
            return original(*args, **kwargs)

        return wrapper

    for name in ("stat", "lstat", "scandir", "replace", "rename", "unlink", "mkdir", "access", "listdir", "open"):
        monkeypatch.setattr(os, name, spy(f"os.{name}", getattr(os, name)))
    monkeypatch.setattr(builtins, "open", spy("open", builtins.open))
    return seen, active


async def test_requests_do_no_file_io_on_the_loop(jp_fetch, jp_root_dir, loop_io, make_notebook):
    seen, active = loop_io
    (jp_root_dir / "d").mkdir()
    for i in range(20):
        (jp_root_dir / "d" / f"f{i}.txt").write_text("x")
    (jp_root_dir / "nb.ipynb").write_text(json.dumps(make_notebook()))
    active["on"] = True
    await jp_fetch("api", "contents", "d")
    await jp_fetch("api", "contents", "d", params={"content": "0"})
    await jp_fetch("api", "contents", "d/f1.txt", params={"hash": "1"})
    await jp_fetch("api", "contents", "nb.ipynb")
    await jp_fetch("api", "contents", "nb.ipynb", method="PUT", body={"type": "notebook", "content": make_notebook("2")})
    await jp_fetch("api", "contents", "new.txt", method="PUT", body={"type": "file", "format": "text", "content": "y"})
    await jp_fetch("api", "contents", "up.bin", method="PUT",
                   body={"type": "file", "format": "base64", "content": "eA==", "chunk": 1})
    await jp_fetch("api", "contents", "up.bin", method="PUT",
                   body={"type": "file", "format": "base64", "content": "eA==", "chunk": -1})
    await jp_fetch("api", "contents", "d", method="POST", body={"type": "notebook"})
    await jp_fetch("api", "contents", "", method="POST", body={"copy_from": "d"})
    await jp_fetch("api", "contents", "new.txt", method="PATCH", body={"path": "d/renamed.txt"})
    await jp_fetch("api", "contents", "nb.ipynb", "checkpoints", method="POST")
    await jp_fetch("api", "contents", "nb.ipynb", "checkpoints")
    await jp_fetch("api", "contents", "nb.ipynb", "checkpoints", "checkpoint", method="POST")
    await jp_fetch("api", "contents", "nb.ipynb", "trust", method="POST")
    await jp_fetch("files", "d/f2.txt")
    await jp_fetch("files", "d/f2.txt", method="HEAD")
    await jp_fetch("api", "contents", "d/renamed.txt", method="DELETE")
    active["on"] = False
    assert seen == []
