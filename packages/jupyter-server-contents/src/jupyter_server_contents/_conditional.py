"""Conditional requests on /api/contents: the content-hash ETag and conflict-safe saves.

A file or notebook's entity tag is its content hash (the ``hash`` field of its model,
quoted), so what a client read with ``GET`` is what it names in ``If-Match`` when it saves.
A ``PUT`` carrying ``If-Match`` (or, for clients that cannot set headers, the model's
``hash``) saves only while the file on disk still has that hash; otherwise the handler
answers 409 with the current hash. Saves to one path run one at a time in this server, so
the check and the write cannot interleave with another save through it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from tornado import web

from ._manager import ContentsManager
from ._paths import normalize_api_path

__all__ = ["SaveCondition", "content_etag", "current_hash", "save_condition", "save_lock"]


def content_etag(model: dict[str, Any]) -> str | None:
    """``"<hash>"`` for a file or notebook model that carries its hash, else None."""
    digest = model.get("hash")
    if model.get("type") in ("file", "notebook") and isinstance(digest, str) and digest:
        return f'"{digest}"'
    return None


@dataclass(frozen=True)
class SaveCondition:
    """What a save requires of the file on disk: one of ``hashes``, or (``any_version``)
    only that it exists."""

    hashes: tuple[str, ...]
    any_version: bool = False
    algorithm: str | None = None

    def holds(self, current: str | None) -> bool:
        if current is None:
            return False
        return self.any_version or current in self.hashes


def _strong_tags(header: str) -> tuple[str, ...]:
    """The opaque values of the strong tags in an ``If-Match`` list (weak ones never match)."""
    tags = []
    for item in header.split(","):
        item = item.strip()
        if len(item) >= 2 and item[0] == item[-1] == '"':
            tags.append(item[1:-1])
        elif item and not item.startswith("W/"):
            raise web.HTTPError(400, f"Invalid If-Match value {item!r}: use a quoted entity tag such as \"<hash>\" or *")
    return tuple(tags)


def save_condition(handler: web.RequestHandler, model: dict[str, Any]) -> SaveCondition | None:
    """The condition a PUT states, from ``If-Match`` (first) or the model's ``hash``; None for an
    unconditional save (the header absent and ``hash`` absent or null)."""
    header = handler.request.headers.get("If-Match")
    if header is not None:
        if header.strip() == "*":
            return SaveCondition((), any_version=True)
        return SaveCondition(_strong_tags(header))
    digest = model.get("hash")
    if digest is None:
        return None
    if not isinstance(digest, str) or not digest:
        raise web.HTTPError(400, "The model's hash must be the hex string a GET with hash=1 returned, or null")
    algorithm = model.get("hash_algorithm")
    if algorithm is not None and not isinstance(algorithm, str):
        raise web.HTTPError(400, "The model's hash_algorithm must be a string such as 'sha256', or null")
    return SaveCondition((digest,), algorithm=algorithm)


async def current_hash(cm: ContentsManager, path: str) -> tuple[str | None, str | None]:
    """(hash, algorithm) of the file or notebook at ``path`` now; (None, None) when there is
    none (missing, or a directory)."""
    try:
        model = await cm.get(path, content=False, require_hash=True)
    except web.HTTPError as exc:
        if exc.status_code == 404:
            return None, None
        raise
    if model.get("type") not in ("file", "notebook"):
        return None, None
    return model.get("hash"), model.get("hash_algorithm")


class _PathLocks:
    """One asyncio lock per path, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


_LOCKS: WeakKeyDictionary[ContentsManager, _PathLocks] = WeakKeyDictionary()


def save_lock(cm: ContentsManager, path: str) -> Any:
    """``async with save_lock(cm, path):`` serializes saves of one path through ``cm``."""
    locks = _LOCKS.get(cm)
    if locks is None:
        locks = _LOCKS[cm] = _PathLocks()
    return locks.hold(normalize_api_path(path))
