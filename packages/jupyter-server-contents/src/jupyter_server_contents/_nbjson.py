"""Fast paths for big notebooks, each giving exactly what nbformat's own code gives.

- :func:`dumps_v4`: nbformat's on-disk JSON text (``json.dumps`` with ``indent=1``,
  ``sort_keys=True``, ``ensure_ascii=False``), byte for byte. The standard library's C
  encoder does not indent, so ``json`` falls back to its pure-Python encoder, one generator
  step per string; here whole lists of strings (a notebook's split lines) are joined at once
  by the C string escaper.
- :func:`signature_bytes`: the bytes nbformat's ``NotebookNotary.compute_signature`` feeds
  to its HMAC piece by piece (``yield_everything``), as one buffer.

Anything outside plain JSON types (bytes, non-string keys, ...) raises :class:`Unsupported`
and the caller uses nbformat's path, so the result never differs.
"""

from __future__ import annotations

from collections.abc import Callable
from json.encoder import encode_basestring  # the C escaper when available, as json uses
from typing import Any

__all__ = ["JSConstant", "parse_constant", "Unsupported", "dumps_v4", "from_dict", "mark_lines", "signature_bytes"]

_INF = float("inf")
_ONLY_STR = {str}


def _stdlib_escape(text: str) -> bytes:
    return encode_basestring(text).encode("utf-8")


def _escaper() -> Any:
    """A str -> JSON string literal (UTF-8 bytes) function, as ``json`` escapes with ``ensure_ascii=False``.

    orjson's escaping is the same, code point for code point (tested), and several times
    faster than ``json``'s C escaper in this mode; it refuses lone surrogates (Unsupported).
    """
    try:
        import orjson
    except ImportError:  # pragma: no cover - orjson is a dependency; stay correct without it
        return _stdlib_escape
    return orjson.dumps


class JSConstant(float):
    """NaN, Infinity or -Infinity read from a notebook file (not JSON, but json reads them).

    A float like any other; the type tells the response encoder to write the same token
    back, as ``json`` does (orjson alone would write ``null``).
    """


def parse_constant(name: str) -> float:
    """``json.loads(..., parse_constant=)``: NaN and the infinities as :class:`JSConstant`."""
    return JSConstant(name)


class Unsupported(Exception):
    """The value holds something only the general (slow) path handles exactly."""


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == _INF:
        return "Infinity"
    if value == -_INF:
        return "-Infinity"
    return float.__repr__(value)


def _scalar(value: Any) -> bytes:
    if value is None:
        return b"null"
    if value is True:
        return b"true"
    if value is False:
        return b"false"
    if isinstance(value, int):
        return int.__repr__(value).encode()
    if isinstance(value, float):
        return _float(value).encode()
    raise Unsupported(type(value).__name__)


# A character json leaves as it is and notebooks practically never hold (DEL); lists whose
# items contain it take the item-by-item path.
_MARK = "\x7f"


def from_dict(value: Any) -> Any:
    """nbformat's ``from_dict``: dicts become NotebookNodes, lists and tuples new lists,
    the rest as it is; lists of strings (a file's lines) are copied in one step."""
    from nbformat.notebooknode import NotebookNode

    def convert(value: Any) -> Any:
        if isinstance(value, dict):
            return NotebookNode({key: convert(item) for key, item in value.items()})  # type: ignore[no-untyped-call]
        if isinstance(value, (list, tuple)):
            # The types of a file's lines gathered in C (a generator step per line cost more
            # than the rest of the conversion); str subclasses take the item-by-item path,
            # which leaves them as they are too.
            if value and type(value[0]) is str and set(map(type, value)) == _ONLY_STR:
                return list(value)
            return [convert(item) for item in value]
        return value

    return convert(value)


class Lines(str):
    """A string that the file holds as its list of lines (``str.splitlines(True)``)."""


_NON_TEXT_SPLIT = {"application/javascript", "image/svg+xml"}


def _mark_bundle(data: Any) -> None:
    for key, value in list(data.items()):
        if isinstance(value, str) and (key.startswith("text/") or key in _NON_TEXT_SPLIT):
            data[key] = Lines(value)


def mark_lines(nb: Any) -> None:
    """nbformat's ``split_lines(nb)``, marking the strings it would split as :class:`Lines`
    (same fields, same attribute access and so the same errors on a malformed notebook);
    :func:`dumps_v4` writes them as lists of lines, and nbformat's ``split_lines`` still
    splits them (they are strings) on the general path."""
    for cell in nb.cells:
        source = cell.get("source", None)
        if isinstance(source, str):
            cell["source"] = Lines(source)
        for attachment in cell.get("attachments", {}).values():
            _mark_bundle(attachment)
        if cell.cell_type == "code":
            for output in cell.outputs:
                if output.output_type in {"execute_result", "display_data"}:
                    _mark_bundle(output.get("data", {}))
                elif output.output_type == "stream" and isinstance(output.text, str):
                    output.text = Lines(output.text)


# Characters other than "\n" at which str.splitlines splits, and the backslash (whose
# escape could be mistaken for an escaped newline).
_ASCII_SPECIAL = ("\\", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e")
_OTHER_BREAKS = ("\x85", "\u2028", "\u2029")


def _only_newlines(text: str) -> bool:
    """Whether "\n" is the only line break in ``text`` and it has no backslash."""
    if any(c in text for c in _ASCII_SPECIAL):
        return False
    return text.isascii() or not any(c in text for c in _OTHER_BREAKS)


def _make_encoder(out: list[bytes]) -> Callable[[Any, int], None]:
    """A recursive encoder appending to ``out`` (closures and a key cache: this runs per node)."""
    escape = _escaper()
    keys: dict[str, bytes] = {}
    append = out.append

    def string(text: str) -> bytes:
        try:
            return escape(text)  # type: ignore[no-any-return]
        except (TypeError, ValueError) as exc:  # orjson: lone surrogates
            raise Unsupported("string") from exc

    def string_list(value: list[Any] | tuple[Any, ...], inner: bytes) -> bytes | None:
        # One escaping call for the whole list instead of one per line: the items are
        # joined by a marker none of them contains, escaped at once, then the markers
        # become the separators.
        if not isinstance(value[0], str):
            return None
        try:
            joined = _MARK.join(value)
        except TypeError:
            return None
        if joined.count(_MARK) != len(value) - 1:
            return None
        return string(joined).replace(b"\x7f", b'",' + inner + b'"')

    def lines(text: str, level: int) -> bytes:
        """``text.splitlines(True)`` as JSON: one escape, the newlines' escapes become the
        separators (when "\n" is the only line break), else the list of lines."""
        inner = b"\n" + b" " * (level + 1)
        if not text:
            return b"[]"
        if _only_newlines(text) and _MARK not in text:
            # The newlines become the marker before escaping: replacing a one-byte marker
            # afterwards is several times faster than replacing the two-byte escape.
            escaped = string(text.replace("\n", _MARK))
            separator = b'\\n",' + inner + b'"'
            if text.endswith("\n"):
                body = escaped[:-2].replace(b"\x7f", separator) + b'\\n"'
            else:
                body = escaped.replace(b"\x7f", separator)
            return b"[" + inner + body + b"\n" + b" " * level + b"]"
        parts = text.splitlines(True)
        joined = string_list(parts, inner)
        if joined is None:
            joined = (b"," + inner).join(map(string, parts))
        return b"[" + inner + joined + b"\n" + b" " * level + b"]"

    def encode(value: Any, level: int) -> None:
        if type(value) is Lines:
            append(lines(value, level))
        elif isinstance(value, str):
            append(string(value))
        elif isinstance(value, dict):
            if not value:
                append(b"{}")
                return
            inner = b"\n" + b" " * (level + 1)
            separator = b"{" + inner
            for key in sorted(value):
                if not isinstance(key, str):
                    raise Unsupported("key")
                encoded = keys.get(key)
                if encoded is None:
                    encoded = keys[key] = string(key) + b": "
                append(separator)
                separator = b"," + inner
                append(encoded)
                encode(value[key], level + 1)
            append(b"\n" + b" " * level + b"}")
        elif isinstance(value, (list, tuple)):
            if not value:
                append(b"[]")
                return
            inner = b"\n" + b" " * (level + 1)
            strings = string_list(value, inner)
            if strings is not None:
                append(b"[" + inner + strings + b"\n" + b" " * level + b"]")
                return
            separator = b"[" + inner
            for item in value:
                append(separator)
                separator = b"," + inner
                encode(item, level + 1)
            append(b"\n" + b" " * level + b"]")
        else:
            append(_scalar(value))

    return encode


def dumps_v4(nb: Any) -> bytes:
    """``json.dumps(nb, indent=1, sort_keys=True, separators=(",", ": "), ensure_ascii=False)``
    encoded as UTF-8.

    Raises :class:`Unsupported` for anything but str, int, float, bool, None, lists, tuples
    and dicts with string keys (nbformat's encoder also takes bytes), and for strings that
    UTF-8 cannot encode: the caller falls back to nbformat's path. Circular structures
    cannot come from JSON; a too deep one raises RecursionError as json does.
    """
    out: list[bytes] = []
    _make_encoder(out)(nb, 0)
    return b"".join(out)


def _sign_walk(value: Any, out: list[str]) -> None:
    if isinstance(value, dict):
        for key in sorted(value):
            if not isinstance(key, str):
                raise Unsupported("key")
            out.append(key)
            _sign_walk(value[key], out)
    elif isinstance(value, (list, tuple)):
        if all(isinstance(item, str) for item in value):
            out.append("".join(value))
            return
        for item in value:
            _sign_walk(item, out)
    elif isinstance(value, str):
        out.append(value)
    else:
        out.append(str(value))


def signature_bytes(nb: Any) -> bytes:
    """The concatenation of nbformat's ``yield_everything(nb)`` (the signature already removed)."""
    out: list[str] = []
    _sign_walk(nb, out)
    return "".join(out).encode("utf8")
