"""Notebook signatures as nbformat's ``NotebookNotary`` computes them, with one buffer.

``NotebookNotary.compute_signature`` feeds the HMAC one small piece at a time (a generator
step per key and per line). The signature only depends on the concatenation of the
pieces, so it is built once (:func:`._nbjson.signature_bytes`) and hashed in one call.
A notary whose class overrides any of these methods is called as it is.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any, TypeVar

from ._nbjson import Unsupported, signature_bytes

__all__ = ["SignatureStoreError", "check_signature", "open_notary", "share_store", "sign"]

T = TypeVar("T")


def _stock(notary: Any, *names: str) -> bool:
    from nbformat.sign import NotebookNotary

    cls = type(notary)
    return isinstance(notary, NotebookNotary) and all(
        getattr(cls, name) is getattr(NotebookNotary, name) for name in names)


def _signature(notary: Any, nb: Any) -> str:
    from nbformat.sign import signature_removed

    with signature_removed(nb):
        try:
            data = signature_bytes(nb)
        except Unsupported:
            data = None
    if data is None:
        return notary.compute_signature(nb)  # type: ignore[no-any-return]
    return hmac.new(notary.secret, data, digestmod=notary.digestmod).hexdigest()


class SignatureStoreError(RuntimeError):
    """The signature store failed, and a fresh one failed too."""


def _in_store(notary: Any, log: Any, action: str, op: Callable[[Any], T]) -> T:
    """``op(notary.store)``; a store that fails (a corrupted database file, a full disk) is
    replaced once by a fresh one from ``notary.store_factory`` (nbformat moves a corrupted
    SQLite file aside) and ``op`` tried again. A second failure is the caller's to handle."""
    try:
        return op(notary.store)
    except Exception as exc:  # noqa: BLE001 - whatever broke the store, try a fresh one
        where = getattr(notary.store, "db_file", None) or type(notary.store).__name__
        log.warning("Cannot %s: the signature store %s is corrupted or unavailable (%s: %s); "
                    "opening a fresh one", action, where, type(exc).__name__, exc)
    try:
        notary.store = notary.store_factory()
        share_store(notary)
        return op(notary.store)
    except Exception as exc:  # noqa: BLE001 - reported as one error the caller maps
        raise SignatureStoreError(f"{type(exc).__name__}: {exc}") from exc


def check_signature(notary: Any, nb: Any, log: Any) -> bool:
    """``notary.check_signature(nb)``: whether the notebook's signature is in the store."""
    if not _stock(notary, "check_signature", "compute_signature"):
        return bool(notary.check_signature(nb))
    if nb.nbformat < 3:
        return False
    signature = _signature(notary, nb)
    return bool(_in_store(notary, log, "check a notebook signature",
                          lambda store: store.check_signature(signature, notary.algorithm)))


def sign(notary: Any, nb: Any, log: Any) -> None:
    """``notary.sign(nb)``: store the notebook's signature as trusted."""
    if not _stock(notary, "sign", "compute_signature"):
        notary.sign(nb)
        return
    if nb.nbformat < 3:
        return
    signature = _signature(notary, nb)
    _in_store(notary, log, "sign a notebook", lambda store: store.store_signature(signature, notary.algorithm))


def open_notary(parent: Any) -> Any:
    """A ``NotebookNotary`` for ``parent`` whose SQLite store answers on any thread."""
    from nbformat.sign import NotebookNotary

    return share_store(NotebookNotary(parent=parent))  # type: ignore[no-untyped-call]


def share_store(notary: Any) -> Any:
    """Let any thread use ``notary``'s SQLite signature store; return the notary.

    nbformat opens its signature database bound to the opening thread; the contents
    manager signs on its own worker thread while extensions and tests build notaries and
    read ``contents_manager.notary`` on others. The store's connection is reopened on the
    same file without that binding (the tables already exist, or are made again).
    """
    import sqlite3

    from nbformat.sign import SQLiteSignatureStore

    store = getattr(notary, "store", None)
    if not isinstance(store, SQLiteSignatureStore) or store.db is None:
        return notary
    try:
        shared = sqlite3.connect(store.db_file, check_same_thread=False,
                                 detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES)
        store.init_db(shared)  # type: ignore[no-untyped-call]
    except sqlite3.Error:
        return notary  # nbformat fell back to memory for a broken file: keep its choice
    store.db.close()
    store.db = shared
    return notary
