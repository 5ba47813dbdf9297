"""The split-schema validator answers as nbformat.validate does, valid or not."""

from __future__ import annotations

import copy
import json
import warnings
from collections.abc import Callable
from typing import Any

import nbformat
import pytest
from jupyter_server_contents._schema_check import _split_schema, validate_notebook
from nbformat import v4


def _sample() -> Any:
    outputs = [
        v4.new_output("stream", text="a\nb\n"),
        v4.new_output("display_data", data={"text/plain": "x", "image/png": "AAA"}),
        v4.new_output("execute_result", data={"text/plain": "x"}, execution_count=1),
        v4.new_output("error", ename="E", evalue="v", traceback=["t"]),
    ]
    return v4.new_notebook(cells=[
        v4.new_code_cell("1", outputs=outputs),
        v4.new_markdown_cell("m", attachments={"a.png": {"image/png": "AA"}}),
        v4.new_raw_cell("r", metadata={"format": "text/html"}),
    ])


def _set(key: str, value: Any, cell: int | None = None, output: int | None = None) -> Callable[[Any], None]:
    def change(nb: Any) -> None:
        target = nb if cell is None else nb.cells[cell]
        if output is not None:
            target = target.outputs[output]
        target[key] = value
    return change


CHANGES: dict[str, Callable[[Any], None]] = {
    "unchanged": lambda nb: None,
    "unknown output type": lambda nb: nb.cells[0].outputs.append({"output_type": "nope"}),
    "output not an object": lambda nb: nb.cells[0].outputs.append("text"),
    "extra key in a stream": _set("extra", 1, 0, 0),
    "stream name not a string": _set("name", 5, 0, 0),
    "application/json as a string": lambda nb: nb.cells[0].outputs[1].data.update({"application/json": "x"}),
    "extra key in a cell": _set("foo", 1, 1),
    "unknown cell type": _set("cell_type", "weird", 1),
    "cell not an object": lambda nb: nb.cells.append(5),
    "outputs on a markdown cell": _set("outputs", [], 1),
    "code cell without outputs": lambda nb: nb.cells[0].pop("outputs"),
    "execution count a string": _set("execution_count", "1", 0),
    "id with a space": _set("id", "a b", 1),
    "source a list of lines": _set("source", ["a\n", "b"], 0),
    "source list with a number": _set("source", ["a", 1], 0),
    "source a number": _set("source", 1, 0),
    "kernelspec name a number": lambda nb: nb.metadata.update(kernelspec={"name": 1}),
    "codemirror mode an object": lambda nb: nb.metadata.update(
        language_info={"name": "python", "codemirror_mode": {"name": "ipython"}}),
    "codemirror mode a number": lambda nb: nb.metadata.update(
        language_info={"name": "python", "codemirror_mode": 3}),
    "extra top-level key": _set("extra", 1),
    "cells not a list": _set("cells", {}),
    "minor version 4 without ids": lambda nb: (nb.update(nbformat_minor=4), [c.pop("id") for c in nb.cells]),
    "minor version 4 with ids": _set("nbformat_minor", 4),
    "minor version from the future": _set("nbformat_minor", 9),
}


def _outcome(validate: Callable[[Any], None], nb: Any) -> tuple[str, str]:
    try:
        validate(nb)
    except Exception as exc:  # noqa: BLE001 - the outcome, whatever it is, is compared
        return type(exc).__name__, str(exc)
    return "valid", json.dumps(nb, sort_keys=True)


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_same_outcome_as_nbformat(name: str) -> None:
    nb = _sample()
    CHANGES[name](nb)
    assert _outcome(validate_notebook, copy.deepcopy(nb)) == _outcome(nbformat.validate, copy.deepcopy(nb))


@pytest.mark.parametrize("change", ["missing", "repeated"])
def test_ids_are_repaired_as_nbformat_does(change: str) -> None:
    nb = _sample()
    if change == "missing":
        nb.cells[1].pop("id")
    else:
        nb.cells[1]["id"] = nb.cells[0]["id"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        validate_notebook(nb)
    ids = [cell["id"] for cell in nb.cells]
    assert len(set(ids)) == 3


def test_the_split_applies_to_the_installed_schemas() -> None:
    # Every minor version nbformat ships is served by the split schema (else the fast path
    # would silently be nbformat's, which is correct but slow).
    for minor in range(v4.nbformat_minor + 1):
        assert _split_schema(minor) is not None, minor


def test_a_replaced_nbformat_validate_is_called(monkeypatch: pytest.MonkeyPatch) -> None:
    """An nbformat.validate an extension wrapped keeps seeing every notebook (2.x called it)."""
    seen: list[Any] = []
    original = nbformat.validate

    def wrapper(nb: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(nb)
        return original(nb, *args, **kwargs)

    nb = _sample()
    validate_notebook(nb)
    assert seen == []  # nbformat's own: the fast path
    monkeypatch.setattr(nbformat, "validate", wrapper)
    validate_notebook(nb)
    assert seen == [nb]
