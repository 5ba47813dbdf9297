"""Ending what runs in a terminal: its process group, down to the last live member."""

from __future__ import annotations

import asyncio
import os
import signal

__all__ = ["kill_process_group"]


async def kill_process_group(pgid: int, wait: float = 2.0) -> None:
    """SIGKILL what is left of a terminal's process group once its shell has exited.

    The shell leads its own session and group (the pty child calls setsid), so the group
    id is the shell's pid; the id cannot be reused while any member lives. Members that
    ignored the hangup (``trap '' HUP``, nohup in the foreground) would otherwise outlive
    the terminal. Waits (up to ``wait`` seconds) until the group is gone, so that callers
    can rely on it.
    """
    if os.name != "posix":
        return
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        return
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while loop.time() < deadline:
        await asyncio.sleep(0.02)
        if not _group_has_live_members(pgid):
            return


def _group_has_live_members(pgid: int) -> bool:
    """Whether a process of group ``pgid`` still runs; zombies (dead, not yet reaped by
    whichever process adopted them) do not count."""
    if not os.path.isdir("/proc"):
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                state, _ppid, pgrp = f.read().rsplit(")", 1)[1].split()[:3]
        except (OSError, ValueError):
            continue
        if int(pgrp) == pgid and state != "Z":
            return True
    return False
