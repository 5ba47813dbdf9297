"""Notebook trust as managers built on ours use it, and a signature store that breaks.

The manager is a real FileContentsManager on a temporary folder with nbformat's real
notary and SQLite signature store; "breaking" the store truncates its database file.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import jupyter_server_contents as jsc
import pytest
from nbformat.sign import NotebookNotary
from tornado.web import HTTPError
from traitlets import TraitError


@pytest.fixture
def cm(tmp_path: Path) -> jsc.FileContentsManager:
    (tmp_path / "root").mkdir()
    (tmp_path / "notary").mkdir()
    manager = jsc.FileContentsManager(root_dir=str(tmp_path / "root"))
    manager.notary = NotebookNotary(data_dir=str(tmp_path / "notary"))
    return manager


async def new_notebook(cm: jsc.FileContentsManager) -> tuple[Any, str]:
    path = (await cm.new_untitled(type="notebook"))["path"]
    model = await cm.get(path)
    model["content"].cells.append(__import__("nbformat").v4.new_code_cell("1 + 1"))
    await cm.save(model, path)
    return (await cm.get(path))["content"], path


async def test_marking_and_signing_are_plain_calls(cm: jsc.FileContentsManager) -> None:
    nb, path = await new_notebook(cm)
    assert cm.mark_trusted_cells(nb, path) is None  # not a coroutine: runs now
    assert not nb.cells[0].metadata.trusted
    await cm.trust_notebook(path)
    nb = (await cm.get(path))["content"]
    assert nb.cells[0].metadata.trusted
    cm.check_and_sign(nb, path)
    assert "trusted" not in nb.cells[0].metadata  # the transient mark is never written
    assert cm.notary.check_signature(nb)


def _break(cm: jsc.FileContentsManager) -> None:
    with open(cm.notary.db_file, "r+b") as f:
        f.truncate(100)  # the SQLite header stays, the tables are gone


async def test_a_corrupted_store_is_replaced_and_the_save_succeeds(
    cm: jsc.FileContentsManager, caplog: pytest.LogCaptureFixture,
) -> None:
    nb, path = await new_notebook(cm)
    await cm.trust_notebook(path)
    model = await cm.get(path)
    _break(cm)
    with caplog.at_level(logging.WARNING):
        saved = await cm.save(model, path)
    assert saved["path"] == path
    assert "corrupted or unavailable" in caplog.text
    assert (await cm.get(path))["content"].cells[0].metadata.trusted  # signed in the fresh store


async def test_a_store_that_cannot_be_replaced_fails_the_save_with_500(cm: jsc.FileContentsManager) -> None:
    nb, path = await new_notebook(cm)
    await cm.trust_notebook(path)
    model = await cm.get(path)
    _break(cm)

    class Broken:
        def store_signature(self, *args: Any) -> None:
            raise OSError("disk full")

    cm.notary.store_factory = Broken
    with pytest.raises(HTTPError) as err:
        await cm.save(model, path)
    assert err.value.status_code == 500 and "signature store" in str(err.value.log_message)


async def test_created_is_never_after_last_modified(cm: jsc.FileContentsManager) -> None:
    path = (await cm.new_untitled(type="file", ext=".txt"))["path"]
    for _ in range(3):  # saves replace the file by rename, which moves its ctime on
        model = await cm.get(path)
        assert model["created"] <= model["last_modified"]
        await cm.save({"type": "file", "format": "text", "content": "more"}, path)


def test_a_root_dir_that_is_not_a_folder_is_a_trait_error(tmp_path: Path) -> None:
    (tmp_path / "file.txt").write_text("")
    for root in (tmp_path / "missing", tmp_path / "file.txt"):
        with pytest.raises(TraitError, match="root_dir"):
            jsc.FileContentsManager(root_dir=str(root))


def test_validate_notebook_model_uses_a_given_outcome(cm: jsc.FileContentsManager) -> None:
    bad = {"content": {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "nope"}]}}
    assert "message" in cm.validate_notebook_model(dict(bad))
    assert "message" not in cm.validate_notebook_model(dict(bad), {})  # the caller found it valid
    given = cm.validate_notebook_model({"content": {}}, {"ValidationError": ValueError("cells are wrong")})
    assert given["message"] == "Notebook validation failed: cells are wrong"


async def test_the_mixin_restores_the_copy_an_interrupted_2x_save_left(tmp_path: Path) -> None:
    import nbformat
    from jupyter_server_contents import AsyncFileManagerMixin

    class Mixin(AsyncFileManagerMixin):
        root_dir = str(tmp_path)
        use_atomic_writing = True
        log = logging.getLogger("test")

    broken = tmp_path / "nb.ipynb"
    broken.write_text("{}")  # what a save that died half-way leaves
    mixin = Mixin()
    with pytest.raises(HTTPError):
        await mixin._read_notebook(str(broken))  # no copy to restore yet
    (tmp_path / ".~nb.ipynb").write_text(nbformat.writes(nbformat.v4.new_notebook()))
    nb, raw = await mixin._read_notebook(str(broken), raw=True)
    assert nb.nbformat == 4 and (tmp_path / "nb.ipynb.invalid").read_text() == "{}"
    assert not (tmp_path / ".~nb.ipynb").exists()
    assert mixin._get_hash(raw)["hash_algorithm"] == "sha256"
    with pytest.raises(HTTPError) as err:
        mixin._get_os_path("../elsewhere/secret.txt")
    assert err.value.status_code == 404
    assert mixin._get_os_path("a/b.txt") == str(tmp_path / "a" / "b.txt")
