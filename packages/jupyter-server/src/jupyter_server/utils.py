"""``jupyter_server.utils``: URL and async helpers extensions import.

The URL helpers are the core's own; the rest are small conveniences that jupyter_server 2.x
offered its extensions (our own code is async only and does not use ``ensure_async``).
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Awaitable
from typing import TypeVar
from urllib.parse import quote, unquote, urljoin, urlparse
from urllib.request import pathname2url

from jupyter_core.utils import ensure_async, run_sync
from jupyter_server_core import JupyterServerAuthWarning, url_escape, url_path_join, url_unescape
from jupyter_server_core._serverinfo import pid_alive
from traitlets.utils.importstring import import_item

__all__ = [
    "JupyterServerAuthWarning",
    "check_pid",
    "ensure_async",
    "expand_path",
    "import_item",
    "path2url",
    "pathname2url",
    "run_sync",
    "run_sync_in_loop",
    "url2path",
    "url_escape",
    "url_is_absolute",
    "url_path_join",
    "url_unescape",
    "urljoin",
]

T = TypeVar("T")


def url_is_absolute(url: str) -> bool:
    """True for a URL with a scheme or that starts at the root (``/x``, ``https://h/x``)."""
    return bool(urlparse(url).scheme) or url.startswith("/")


def path2url(path: str) -> str:
    """A local API path (``a b/c.ipynb``) as a URL path (``a%20b/c.ipynb``)."""
    pieces = [quote(p) for p in path.split(os.sep)]
    return url_path_join(*pieces) if pieces else ""


def url2path(url: str) -> str:
    """A URL path back to a local path with the OS separator."""
    return os.path.join(*[unquote(p) for p in url.split("/")]) if url else ""


def expand_path(path: str) -> str:
    """``~`` and environment variables expanded."""
    return os.path.expandvars(os.path.expanduser(path))


def check_pid(pid: int) -> bool:
    """Whether a process with this id is alive (the core's check)."""
    return pid_alive(pid)


async def run_sync_in_loop(maybe_async: Awaitable[T] | T) -> T:
    """Await ``maybe_async`` if it is awaitable, else return it."""
    if inspect.isawaitable(maybe_async):
        return await maybe_async
    return maybe_async

