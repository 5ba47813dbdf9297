"""``jupyter_server.utils``: URL and async helpers extensions import.

The URL helpers are the core's own; the rest are small conveniences that jupyter_server 2.x
offered its extensions (our own code is async only and does not use ``ensure_async``).
"""

from __future__ import annotations

import errno
import importlib.util
import inspect
import os
import re
import socket
import warnings
from collections.abc import Awaitable, Sequence
from typing import Any, TypeVar
from urllib.parse import quote, unquote, urljoin, urlparse
from urllib.parse import quote as _quote
from urllib.parse import unquote as _unquote
from urllib.request import pathname2url

from jupyter_core.utils import ensure_async, run_sync
from jupyter_server_core import (
    JupyterServerAuthWarning,
    pid_alive,
    url_escape,
    url_path_join,
    url_unescape,
)
from traitlets.utils.importstring import import_item

__all__ = [
    "JupyterServerAuthWarning",
    "async_fetch",
    "check_pid",
    "check_version",
    "filefind",
    "is_namespace_package",
    "origin_matches_pat",
    "samefile_simple",
    "to_api_path",
    "to_os_path",
    "unix_socket_in_use",
    "urldecode_unix_socket_path",
    "urlencode_unix_socket",
    "urlencode_unix_socket_path",
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



def check_version(v: str, check: str) -> bool:
    """Whether version ``v`` is at least ``check`` (True when either is not a version string)."""
    from packaging.version import InvalidVersion, Version

    try:
        return Version(v) >= Version(check)
    except (InvalidVersion, TypeError):
        return True


def samefile_simple(path: str, other_path: str) -> bool:
    """Whether two paths name the same file (same device and inode, names equal ignoring case)."""
    return path.lower() == other_path.lower() and os.path.samestat(os.stat(path), os.stat(other_path))


def to_os_path(path: str, root: str = "") -> str:
    """An API path (``a/b.txt``) as an OS path under ``root``."""
    parts = path.strip("/").split("/")
    return os.path.normpath(os.path.join(root, *[p for p in parts if p]))


def to_api_path(os_path: str, root: str = "") -> str:
    """An OS path as an API path relative to ``root`` (``/``-separated, no leading slash)."""
    if os_path.startswith(root):
        os_path = os_path[len(root):]
    return "/".join(p for p in os_path.strip(os.sep).split(os.sep) if p)


def filefind(filename: str, path_dirs: Sequence[str] | str | None = None) -> str:
    """The absolute path of ``filename`` in the first of ``path_dirs`` holding it.

    Only names inside those folders count: an absolute name or one that climbs out with
    ``..`` raises OSError, as does a name found nowhere.
    """
    filename = filename.strip('"').strip("'")
    if os.path.isabs(filename) or filename.startswith("\\"):
        raise OSError(f"{filename!r} must be relative to one of the search folders")
    dirs = [path_dirs] if isinstance(path_dirs, str) else list(path_dirs or [os.getcwd()])
    for folder in dirs:
        base = os.path.abspath(expand_path(folder))
        candidate = os.path.abspath(os.path.join(base, filename))
        if os.path.commonpath([base, candidate]) != base:
            raise OSError(f"{filename!r} is outside {folder}")
        if os.path.isfile(candidate):
            return candidate
    raise OSError(f"No file {filename!r} in any of the folders {dirs!r}")


def is_namespace_package(namespace: str) -> bool | None:
    """True for an implicit namespace package, False for a regular module or package, None
    when ``namespace`` cannot be found."""
    try:
        spec = importlib.util.find_spec(namespace)
    except ValueError:
        return None
    if spec is None:
        return None
    return spec.origin in (None, "namespace") and spec.submodule_search_locations is not None


def origin_matches_pat(allow_origin_pat: str, origin: str) -> bool:
    """Whether ``origin`` matches the whole of ``allow_origin_pat`` (a regex).

    A pattern matching only the start of the origin is refused with a UserWarning, since
    ``https://trusted.example.com.evil.com`` would otherwise pass a pattern meant for
    ``https://trusted.example.com``.
    """
    if not allow_origin_pat:
        return False
    if re.fullmatch(allow_origin_pat, origin):
        return True
    if re.match(allow_origin_pat, origin):
        warnings.warn(
            f"allow_origin_pat {allow_origin_pat!r} only matched the request origin as a prefix; "
            "the whole origin must match, so the request is refused",
            UserWarning,
            stacklevel=2,
        )
    return False


def urlencode_unix_socket_path(socket_path: str) -> str:
    """A socket path as one URL host component (``/`` escaped)."""
    return _quote(socket_path, safe="")


def urldecode_unix_socket_path(socket_path: str) -> str:
    """The reverse of :func:`urlencode_unix_socket_path`."""
    return _unquote(socket_path)


def urlencode_unix_socket(socket_path: str) -> str:
    """A ``http+unix://`` URL for a server listening on ``socket_path``."""
    return "http+unix://" + urlencode_unix_socket_path(socket_path)


def unix_socket_in_use(socket_path: str) -> bool:
    """Whether something accepts connections on the Unix socket (False when nothing is there)."""
    if not os.path.exists(socket_path):
        return False
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(socket_path)
    except OSError as exc:
        if exc.errno in (errno.ECONNREFUSED, errno.ENOENT):
            return False
        raise
    finally:
        probe.close()
    return True


async def async_fetch(urlstring: str, method: str = "GET", body: Any = None,
                      headers: dict[str, str] | None = None, io_loop: Any = None) -> Any:
    """Fetch ``http://``, ``https://`` or ``http+unix://<encoded socket>/path`` with tornado."""
    from tornado.httpclient import AsyncHTTPClient, HTTPRequest
    from tornado.netutil import Resolver

    url = urlstring
    client: Any = AsyncHTTPClient()
    if urlstring.startswith("http+unix://"):
        rest = urlstring[len("http+unix://"):]
        encoded, _, path = rest.partition("/")
        sock = urldecode_unix_socket_path(encoded)

        class _UnixResolver(Resolver):
            async def resolve(self, host: str, port: int, family: int = 0) -> list[tuple[int, Any]]:
                return [(socket.AF_UNIX, sock)]

        client = AsyncHTTPClient(force_instance=True, resolver=_UnixResolver())
        url = "http://unix-socket/" + path
    request = HTTPRequest(url, method=method, body=body, headers=headers, allow_nonstandard_methods=True)
    return await client.fetch(request, raise_error=True)
