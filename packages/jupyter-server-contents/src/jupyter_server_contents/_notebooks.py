"""Reading and writing notebook files (called from a worker thread)."""

from __future__ import annotations

import hashlib
from typing import Any

from tornado.web import HTTPError

from . import _fsio
from ._nbjson import parse_constant
from ._schema_check import ids_need_no_repair, validate_notebook
from ._validated import MIN_BYTES, file_digest, is_known_valid, remember_valid

__all__ = ["read_notebook", "write_notebook", "to_notebook_node"]


def _validation_message(error: Any) -> str | None:
    if not error:
        return None
    return f"Notebook validation failed: {error.get('ValidationError', error)}"


def read_notebook(os_path: str, api_path: str, require_hash: bool,
                  algorithm: str = "sha256") -> tuple[Any, str | None, str | None]:
    """(notebook as nbformat v4, digest of the file or None, validation message or None).

    A file that is not UTF-8 JSON in the notebook format is a 400 naming the path.
    """
    import nbformat

    with open(os_path, "rb") as f:
        data = f.read()
    digest = hashlib.new(algorithm, data).hexdigest() if require_hash else None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPError(400, f"Unreadable Notebook: {api_path} is not UTF-8 encoded") from None
    captured: dict[str, Any] = {}
    digest_of_file = file_digest((data,)) if len(data) >= MIN_BYTES else None
    try:
        nb = _reads_v4(text, captured, digest_of_file)
        if nb is None:
            nb = nbformat.reads(text, as_version=4, capture_validation_error=captured,  # type: ignore[no-untyped-call]
                                parse_constant=parse_constant)
    except Exception as exc:  # noqa: BLE001 - NotJSONError, version errors...: a bad file, not a bug
        raise HTTPError(400, f"Unreadable Notebook: {api_path} {exc!r}") from None
    return nb, digest, _validation_message(captured)


def _reads_v4(text: str, captured: dict[str, Any], digest_of_file: bytes | None = None) -> Any:
    """``nbformat.reads(text, as_version=4, capture_validation_error=captured)`` for a
    version 4 notebook, with a faster ``from_dict``; None for anything else (unparsable
    JSON, other versions), which nbformat's own path reads with its own errors."""
    import json

    import nbformat
    from nbformat.v4.rwbase import rejoin_lines, strip_transient

    from ._nbjson import from_dict

    try:
        nb_dict = json.loads(text, parse_constant=parse_constant)
    except ValueError:
        return None
    if not isinstance(nb_dict, dict) or nb_dict.get("nbformat", 1) != 4:
        return None
    try:
        nb = strip_transient(rejoin_lines(from_dict(nb_dict)))  # type: ignore[no-untyped-call]
    except AttributeError as exc:  # as nbformat's reader words it
        raise nbformat.ValidationError(f"The notebook is invalid and is missing an expected key: {exc}") from None
    if digest_of_file is not None and is_known_valid(digest_of_file):
        return nb  # these bytes validated cleanly before (see _validated.py)
    keep = digest_of_file is not None and ids_need_no_repair(nb)
    try:
        validate_notebook(nb)
    except nbformat.ValidationError as exc:
        from traitlets.log import get_logger  # what nbformat logs with

        get_logger().error("Notebook JSON is invalid: %s", exc)
        captured["ValidationError"] = exc
    else:
        if keep:
            remember_valid(digest_of_file)  # type: ignore[arg-type]
    return nb


def to_notebook_node(content: dict[str, Any]) -> Any:
    """The client's notebook JSON as an nbformat NotebookNode; 400 when it cannot be one."""
    import nbformat

    try:
        return nbformat.from_dict(content)  # type: ignore[no-untyped-call]
    except Exception as exc:  # noqa: BLE001 - any malformed structure is the client's error
        raise HTTPError(400, f"Invalid notebook: {exc}") from None


def _serialize_v4(nb: Any) -> tuple[bytes, str | None]:
    """nbformat's v4 JSON of ``nb`` as UTF-8 (and the validation message), changing ``nb`` in place.

    Same bytes as ``nbformat.writes`` (without its defensive deep copy: the notebook was
    built from this request's body and is not used after it is written), through the fast
    encoder of :mod:`._nbjson` when the notebook holds only plain JSON values.
    """
    import json

    import nbformat
    from nbformat.v4.nbjson import BytesEncoder
    from nbformat.v4.rwbase import split_lines, strip_transient

    from ._nbjson import Unsupported, dumps_v4, mark_lines

    message = None
    try:
        validate_notebook(nb)
    except nbformat.ValidationError as exc:
        message = _validation_message({"ValidationError": exc})
    mark_lines(nb)  # nbformat's split_lines, done by the encoder
    strip_transient(nb)  # type: ignore[no-untyped-call]
    try:
        return dumps_v4(nb), message
    except Unsupported:
        pass
    split_lines(nb)  # type: ignore[no-untyped-call]
    text = json.dumps(nb, cls=BytesEncoder, indent=1, sort_keys=True, separators=(",", ": "), ensure_ascii=False)
    return _utf8(text), message


def _utf8(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:  # lone surrogates from \ud800-style escapes in the body
        raise HTTPError(400, f"Invalid notebook: text that UTF-8 cannot encode ({exc.reason})") from None


def write_notebook(os_path: str, api_path: str, nb: Any, atomic: bool) -> str | None:
    """Serialize and write a notebook; return the validation message, if it is not valid.

    A notebook that cannot be serialized at all (missing ``nbformat``, wrong structure) is a
    400; one that serializes but breaks the schema is saved, as jupyter_server does, with a
    message in the returned model.
    """
    import os

    import nbformat

    try:
        if nb.get("nbformat") == 4:
            data, message = _serialize_v4(nb)
        else:
            captured: dict[str, Any] = {}
            text = nbformat.writes(nb, version=nbformat.NO_CONVERT, capture_validation_error=captured)  # type: ignore[no-untyped-call]
            message = _validation_message(captured)
            data = _utf8(text)
    except HTTPError:
        raise
    except Exception as exc:  # noqa: BLE001 - malformed content from the client
        raise HTTPError(400, f"Invalid notebook {api_path}: {type(exc).__name__}: {exc}") from None
    if os.path.isdir(os_path):
        raise HTTPError(400, f"{api_path} is a directory, not a notebook", reason="bad type")
    # nbformat's text never ends with a newline; the file does, as jupyter_server writes it.
    pieces = [data, b"\n"] if not data.endswith(b"\n") else [data]
    _fsio.write_file(os_path, iter(pieces) if len(pieces) > 1 else data, atomic=atomic)
    if message is None and len(data) >= MIN_BYTES:
        # Validated above (ids repaired before encoding): reading these bytes back is valid.
        remember_valid(file_digest(pieces))
    return message
