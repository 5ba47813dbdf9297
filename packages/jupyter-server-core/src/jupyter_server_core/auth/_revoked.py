"""Login sessions ended by logout, kept on disk so they stay ended across restarts.

Each login cookie carries a random session id. Logging out records that id here; a cookie
whose id is recorded is refused, even if someone kept a copy of it. The cookie secret
survives restarts (it lives in the runtime dir), so the list must too: it is a small JSON
file ``{session_id: revoked_at}`` next to the secret, written owner-only. Ids are dropped
once the cookie they belong to would have expired anyway, so the file stays small.
"""

from __future__ import annotations

import json
import os
import time

__all__ = ["RevokedSessions"]


class RevokedSessions:
    """A set of revoked session ids backed by a JSON file (``path``; "" keeps it in memory)."""

    def __init__(self, path: str, max_age_days: float) -> None:
        self.path = path
        self.max_age_seconds = max_age_days * 86400
        self._ids: dict[str, float] = {}
        self._mtime: float | None = None

    def _load(self) -> None:
        # Re-read when another process (a second server on the same runtime dir) changed it.
        if not self.path:
            return
        try:
            mtime = os.stat(self.path).st_mtime
        except FileNotFoundError:
            return
        if mtime == self._mtime:
            return
        try:
            with open(self.path, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError):
            return
        if isinstance(data, dict):
            self._ids.update({str(k): float(v) for k, v in data.items() if isinstance(v, (int, float))})
        self._mtime = mtime

    def _save(self) -> None:
        if not self.path:
            return
        directory = os.path.dirname(self.path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        tmp = f"{self.path}.{os.getpid()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(self._ids, f)
        os.replace(tmp, self.path)
        self._mtime = os.stat(self.path).st_mtime

    def revoke(self, session_id: str) -> None:
        """Refuse ``session_id`` from now on, in this process and after a restart."""
        self._load()
        now = time.time()
        self._ids = {k: v for k, v in self._ids.items() if now - v < self.max_age_seconds}
        self._ids[session_id] = now
        self._save()

    def __contains__(self, session_id: object) -> bool:
        self._load()
        return session_id in self._ids
