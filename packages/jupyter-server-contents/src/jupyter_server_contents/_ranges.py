"""HTTP ``Range`` requests on ``/files/``: which bytes of a file to send.

One ``bytes=`` range is served (``first-last``, ``first-`` or the suffix ``-count``), as
jupyter_server's static file handling does; several ranges, another unit or a header that
does not parse are ignored and the whole file goes out with a 200 (RFC 9110 lets a server
do that). A range that starts past the end is unsatisfiable: a 416.
"""

from __future__ import annotations

__all__ = ["UnsatisfiableRange", "requested_range"]


class UnsatisfiableRange(Exception):
    """The range asks for no byte the file has: answer 416 with ``bytes */<size>``."""


def _position(text: str) -> int | None:
    text = text.strip()
    return int(text) if text else None


def requested_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The ``(start, stop)`` slice of a ``size``-byte file that ``header`` asks for.

    None means the whole file (no header, one we ignore, or a range that covers every
    byte, which is sent as a plain 200 so media players are not confused by a 206).
    """
    if not header:
        return None
    unit, _, spec = header.partition("=")
    if unit.strip() != "bytes" or "," in spec:
        return None
    first_text, _, last_text = spec.strip().partition("-")
    try:
        first, last = _position(first_text), _position(last_text)
    except ValueError:
        return None
    if first is None:
        if last is None:
            return None
        if last == 0:
            raise UnsatisfiableRange
        start, stop = max(size - last, 0), size
    else:
        stop = size if last is None else last + 1
        if first >= size or first >= stop:
            raise UnsatisfiableRange
        start = first
    stop = min(stop, size)
    if (start, stop) == (0, size):
        return None
    return start, stop
