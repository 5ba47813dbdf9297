"""URL helpers shared by every handler and extension."""

from __future__ import annotations

from urllib.parse import quote, unquote, urlsplit

__all__ = ["url_path_join", "url_escape", "url_unescape", "is_same_origin_path"]


def url_path_join(*pieces: str) -> str:
    """Join URL path pieces with exactly one slash between them.

    A leading slash on the first piece and a trailing slash on the last are kept, so
    ``url_path_join("/base/", "/api/kernels")`` is ``"/base/api/kernels"``.
    """
    initial = pieces[0].startswith("/") if pieces else False
    final = pieces[-1].endswith("/") if pieces else False
    stripped = [s.strip("/") for s in pieces]
    result = "/".join(s for s in stripped if s)
    if initial:
        result = "/" + result
    if final and result != "/":
        result = result + "/"
    if result == "//":
        result = "/"
    return result


def url_escape(path: str) -> str:
    """Escape each segment of an API path, keeping the slashes between them."""
    return "/".join(quote(part, safe="") for part in path.split("/"))


def url_unescape(path: str) -> str:
    """Undo :func:`url_escape`."""
    return "/".join(unquote(part) for part in path.split("/"))


def is_same_origin_path(target: str) -> bool:
    """True when ``target`` is a path on this server and cannot lead a browser elsewhere.

    Browsers treat ``//host``, ``/\\host`` and ``https:host`` as other origins, also after
    percent-decoding, and ignore tabs and newlines inside URLs; all of those are refused.
    """
    if not target:
        return False
    candidate = target
    # Decode a few times: a browser may see through one layer, an attacker may add two.
    for _ in range(3):
        decoded = unquote(candidate)
        if decoded == candidate:
            break
        candidate = decoded
    for text in (target, candidate):
        cleaned = "".join(ch for ch in text if ch not in "\t\r\n").strip()
        cleaned = cleaned.replace("\\", "/")
        if not cleaned.startswith("/") or cleaned.startswith("//"):
            return False
        parts = urlsplit(cleaned)
        if parts.scheme or parts.netloc:
            return False
        if any(ord(ch) < 0x20 for ch in cleaned):
            return False
    return True
