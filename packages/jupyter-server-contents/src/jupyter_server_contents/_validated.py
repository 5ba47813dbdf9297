"""Digests of notebook files known to pass schema validation in this process.

Validating a 21 MB notebook costs about as much as parsing it, and opening a notebook
right after saving it used to validate the very bytes the save had just validated and
written. The result of validation depends only on the file's bytes (the schema is fixed
for the process), so a digest of bytes that validated cleanly stands in for running it
again. Only clean results are kept: an invalid notebook is validated, and its error
logged, every time it is read. Small files are not kept at all: validating them costs
less than the digest.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable

__all__ = ["MIN_BYTES", "file_digest", "is_known_valid", "remember_valid"]

#: Files smaller than this are validated every time.
MIN_BYTES = 1 << 20
_KEEP = 32

_lock = threading.Lock()
_valid: OrderedDict[bytes, None] = OrderedDict()


def file_digest(pieces: Iterable[bytes]) -> bytes:
    """SHA-256 of the concatenated ``pieces`` (hashlib lets go of the GIL on big buffers)."""
    digest = hashlib.sha256()
    for piece in pieces:
        digest.update(piece)
    return digest.digest()


def remember_valid(digest: bytes) -> None:
    """Note that the file with ``digest`` validated without error (keeps the last 32)."""
    with _lock:
        _valid[digest] = None
        _valid.move_to_end(digest)
        while len(_valid) > _KEEP:
            _valid.popitem(last=False)


def is_known_valid(digest: bytes) -> bool:
    """Whether a file with ``digest`` validated cleanly before, in this process."""
    with _lock:
        return digest in _valid
