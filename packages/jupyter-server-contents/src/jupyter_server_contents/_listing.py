"""Paged and stat-free directory listings (``?page_size=``, ``?cursor=``, ``?stat=0``).

Entries come sorted by name (code point order). A page ends with ``next_cursor``, an opaque
token to pass back as ``cursor`` for the next page (null on the last one). A cursor names the
last entry of the page it came from, so entries added or removed meanwhile neither repeat
nor shift the pages: each entry present throughout is listed exactly once.

``stat=0`` leaves out what needs a ``stat`` per entry: entries carry ``name``, ``path`` and
``type`` only. On the local file system the scan itself needs no ``stat`` either (the types
come with the directory entries), and only the entries of the page are stat-ed.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
from dataclasses import dataclass
from typing import Any

from tornado import web

from ._fsio import is_temp_name
from ._manager import ContentsManager
from ._models import base_model
from ._paths import is_within, normalize_api_path

__all__ = ["MAX_PAGE_SIZE", "ListingQuery", "listing_query", "listing_page", "scan_page"]

MAX_PAGE_SIZE = 10_000
_CURSOR_VERSION = 1


@dataclass(frozen=True)
class ListingQuery:
    """A listing request: at most ``page_size`` entries after the name ``after``."""

    page_size: int | None
    after: str | None
    stat: bool


def encode_cursor(api_dir: str, after: str) -> str:
    raw = json.dumps({"v": _CURSOR_VERSION, "dir": api_dir, "after": after}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(token: str, api_dir: str) -> str:
    """The name a cursor continues after; 400 when it is not one of ours for this folder."""
    bad = web.HTTPError(400, "Invalid cursor: pass back the next_cursor of the previous page of this folder")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise bad from None
    if (not isinstance(data, dict) or data.get("v") != _CURSOR_VERSION or data.get("dir") != api_dir
            or not isinstance(data.get("after"), str)):
        raise bad
    return str(data["after"])


def listing_query(handler: web.RequestHandler, path: str) -> ListingQuery | None:
    """The paging and stat parameters of a GET, validated; None when none is given."""
    size_arg = handler.get_query_argument("page_size", None)
    cursor = handler.get_query_argument("cursor", None)
    stat_arg = handler.get_query_argument("stat", None)
    if size_arg is None and cursor is None and stat_arg is None:
        return None
    page_size = None
    if size_arg is not None:
        if not size_arg.isdigit() or not 1 <= int(size_arg) <= MAX_PAGE_SIZE:
            raise web.HTTPError(400, f"Invalid page_size {size_arg!r}: use a whole number from 1 to {MAX_PAGE_SIZE}")
        page_size = int(size_arg)
    if stat_arg not in (None, "0", "1"):
        raise web.HTTPError(400, f"Invalid stat {stat_arg!r}: use 1 (full entries, the default) or 0 (names and types)")
    if handler.get_query_argument("content", "1") != "1":
        raise web.HTTPError(400, "page_size, cursor and stat list a folder's entries: they need content=1")
    if handler.get_query_argument("type", None) not in (None, "", "directory"):
        raise web.HTTPError(400, "page_size, cursor and stat apply to folders only (type=directory)")
    after = decode_cursor(cursor, normalize_api_path(path)) if cursor is not None else None
    return ListingQuery(page_size=page_size, after=after, stat=stat_arg != "0")


def _short_entry(model: dict[str, Any]) -> dict[str, Any]:
    return {"name": model["name"], "path": model["path"], "type": model["type"]}


def scan_page(os_dir: str, api_dir: str, query: ListingQuery, *, allow_hidden: bool,
              hide_re: re.Pattern[str] | None, real_root: str) -> tuple[list[dict[str, Any]], str | None]:
    """One page of a local folder, and the name the next page starts after (None on the
    last page); the same entries as :func:`~._models.list_directory` shows. Call in a
    worker thread."""
    found: list[tuple[str, str, os.DirEntry[str]]] = []
    with os.scandir(os_dir) as it:
        for entry in it:
            name = entry.name
            if (not allow_hidden and name.startswith(".")) or is_temp_name(name):
                continue
            if (hide_re is not None and hide_re.match(name)) or (query.after is not None and name <= query.after):
                continue
            try:
                if entry.is_symlink() and not is_within(os.path.realpath(entry.path), real_root):
                    continue
                if entry.is_dir():
                    kind = "directory"
                elif entry.is_file():
                    kind = "notebook" if name.endswith(".ipynb") else "file"
                else:
                    continue  # fifos, sockets, broken symlinks
            except OSError:
                continue
            found.append((name, kind, entry))
    found.sort(key=lambda item: item[0])
    more = query.page_size is not None and len(found) > query.page_size
    last = found[query.page_size - 1][0] if more and query.page_size else None
    prefix = api_dir + "/" if api_dir else ""
    models = []
    for name, kind, entry in found[: query.page_size]:
        if not query.stat:
            models.append({"name": name, "path": prefix + name, "type": kind})
            continue
        try:
            st = entry.stat()
        except OSError:  # vanished since the scan
            continue
        models.append(base_model(prefix + name, st, kind))
    return models, last


async def listing_page(cm: ContentsManager, path: str, query: ListingQuery) -> dict[str, Any]:
    """The folder's model with one page of entries as ``content`` and ``next_cursor``.

    Managers with a ``list_directory_page(path, query)`` coroutine (the local one) list
    without a stat per skipped entry; for others the full listing is sorted and cut here.
    """
    api_dir = normalize_api_path(path)
    model: dict[str, Any]
    page = getattr(cm, "list_directory_page", None)
    if page is not None:
        model, last = await page(api_dir, query)
    else:
        model = await cm.get(api_dir, content=True, type="directory")
        entries = sorted(model.get("content") or [], key=lambda m: str(m["name"]))
        if query.after is not None:
            entries = [m for m in entries if str(m["name"]) > query.after]
        more = query.page_size is not None and len(entries) > query.page_size
        entries = entries[: query.page_size]
        last = str(entries[-1]["name"]) if more and entries else None
        model["content"] = entries if query.stat else [_short_entry(m) for m in entries]
    model["next_cursor"] = encode_cursor(api_dir, last) if last is not None else None
    return model
