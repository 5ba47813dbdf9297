"""``nbformat.validate(nb)`` for version 4 notebooks, cell by cell.

The notebook schema says a cell is ``oneOf`` its three kinds and an output ``oneOf`` its
four. nbformat's default validator (fastjsonschema) tries each branch in turn, and every
branch that does not match raises and formats an exception: for a notebook of 2,000 code
cells with one stream output each that is 14,000 exceptions, most of the validation's time.

Each branch requires its ``cell_type`` (or ``output_type``) and allows a single value for
it, so at most one branch can match an item and the one to try is the item's own type.
Here the schema is compiled in pieces: the notebook with its cells left open, and each
kind of cell and of output on its own; a cell is checked against its kind's piece only.
That answers exactly what the whole schema answers. Only the answer "valid" is used:
anything else (an invalid notebook, cells whose ids nbformat would repair, a schema this
split does not fit, another validator chosen with ``NBFORMAT_VALIDATOR``) goes through
``nbformat.validate`` itself, which repairs, raises and words the error as it always did.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["ids_need_no_repair", "validate_notebook"]

Check = Callable[[Any], Any]
_NOTEBOOK = "jupyter_server_notebook"


class _SplitSchema:
    """One notebook schema compiled as a notebook part and one part per cell and output kind."""

    def __init__(self, schema: dict[str, Any]) -> None:
        import fastjsonschema

        definitions = schema["definitions"]
        cell_kinds = _kinds(definitions["cell"], "cell_type", definitions)
        output_kinds = _kinds(definitions["output"], "output_type", definitions)
        # The notebook with any list of cells, code cells with any list of outputs.
        parts = copy.deepcopy(schema)
        parts["properties"]["cells"]["items"] = {}
        parts["definitions"]["code_cell"]["properties"]["outputs"]["items"] = {}
        if _refers_to(parts, "cell") or _refers_to(parts, "output"):
            raise LookupError("the schema uses cells or outputs in other places")
        _stop_at_first_type(parts)
        # One compilation for every part: a schema whose definitions are the parts (the
        # notebook itself one of them); fastjsonschema makes a function per definition.
        notebook = {key: value for key, value in parts.items() if key not in ("definitions", "$schema")}
        names = [_NOTEBOOK, *cell_kinds.values(), *output_kinds.values()]
        combined = {"$schema": schema.get("$schema"),
                    "definitions": {**parts["definitions"], _NOTEBOOK: notebook},
                    "anyOf": [{"$ref": f"#/definitions/{name}"} for name in names]}
        namespace: dict[str, Any] = {}
        exec(fastjsonschema.compile_to_code(combined, detailed_exceptions=False), namespace)  # noqa: S102 - fastjsonschema's own way to compile

        def part(name: str) -> Check:
            function = namespace.get(f"validate___definitions_{name}")
            if not callable(function):
                raise LookupError(f"no function for {name}")
            return function  # type: ignore[no-any-return]

        self.notebook = part(_NOTEBOOK)
        self.cells: dict[Any, Check] = {kind: part(name) for kind, name in cell_kinds.items()}
        self.outputs: dict[Any, Check] = {kind: part(name) for kind, name in output_kinds.items()}

    def is_valid(self, nb: Any) -> bool:
        from fastjsonschema import JsonSchemaException

        cells, outputs = self.cells, self.outputs
        try:
            self.notebook(nb)
            for cell in nb["cells"]:
                check = cells.get(cell.get("cell_type")) if isinstance(cell, dict) else None
                if check is None:
                    return False
                check(cell)
                if cell["cell_type"] == "code":
                    for output in cell["outputs"]:
                        check = outputs.get(output.get("output_type")) if isinstance(output, dict) else None
                        if check is None:
                            return False
                        check(output)
        except (JsonSchemaException, TypeError):
            return False
        return True


def _kinds(union: dict[str, Any], field: str, definitions: dict[str, Any]) -> dict[str, str]:
    """``{"code": "code_cell", ...}`` for a ``oneOf`` whose branches each fix ``field`` to one value."""
    kinds: dict[str, str] = {}
    if set(union) - {"type", "oneOf", "description"} or union.get("type") != "object":
        raise LookupError("unexpected union")
    for branch in union["oneOf"]:
        name = branch.get("$ref", "").removeprefix("#/definitions/")
        definition = definitions.get(name, {})
        values = definition.get("properties", {}).get(field, {}).get("enum")
        if set(branch) != {"$ref"} or field not in definition.get("required", ()) \
                or not isinstance(values, list) or len(values) != 1 or values[0] in kinds:
            raise LookupError(f"{name} is not told apart by {field}")
        kinds[values[0]] = name
    return kinds


def _stop_at_first_type(schema: Any) -> None:
    """Turn each ``oneOf`` of plain JSON types that cannot overlap (a multiline string is
    a string or a list of strings) into ``anyOf``: the same answer, without trying, and
    failing, the other branch once the first has matched."""
    if isinstance(schema, dict):
        union = schema.get("oneOf")
        if isinstance(union, list) and "anyOf" not in schema:
            types = [branch.get("type") if isinstance(branch, dict) else None for branch in union]
            if all(isinstance(t, str) for t in types) and len(set(types)) == len(types) \
                    and not {"integer", "number"} <= set(types):
                schema["anyOf"] = schema.pop("oneOf")
        for value in schema.values():
            _stop_at_first_type(value)
    elif isinstance(schema, list):
        for value in schema:
            _stop_at_first_type(value)


def _refers_to(schema: dict[str, Any], name: str) -> bool:
    return f'"#/definitions/{name}"' in json.dumps(schema)


_lock = threading.Lock()
_split: dict[int, _SplitSchema | None] = {}


def _split_schema(minor: int) -> _SplitSchema | None:
    """The split schema for v4.``minor`` as nbformat would choose it; None to use nbformat."""
    with _lock:
        if minor not in _split:
            _split[minor] = _build(minor)
        return _split[minor]


def _build(minor: int) -> _SplitSchema | None:
    from nbformat import v4
    from nbformat.json_compat import get_current_validator

    # Notebooks from a newer minor version get a relaxed schema from nbformat: its path.
    validator = get_current_validator()  # type: ignore[no-untyped-call]
    if validator.name != "fastjsonschema" or minor > v4.nbformat_minor:
        return None
    name = v4.nbformat_schema.get((4, minor))
    if name is None:
        return None
    try:
        schema = json.loads((Path(v4.__file__).parent / name).read_text(encoding="utf-8"))
        return _SplitSchema(schema)
    except (LookupError, OSError, ValueError, TypeError, AttributeError):
        return None


def ids_need_no_repair(nb: Any) -> bool:
    """Whether ``nbformat.validate`` would leave the cell ids of ``nb`` alone: from v4.5 on
    it gives cells missing or repeating an id new random ones (with a warning)."""
    minor, cells = nb.get("nbformat_minor", 0), nb.get("cells")
    if type(minor) is not int or not isinstance(cells, list):
        return False  # nbformat's own path says what is wrong
    if (nb.get("nbformat"), minor) < (4, 5):
        return True
    ids = [cell.get("id") if isinstance(cell, dict) else None for cell in cells]
    try:
        return None not in ids and len(set(ids)) == len(ids)
    except TypeError:  # an unhashable id: nbformat's own path decides what happens
        return False


def validate_notebook(nb: Any) -> None:
    """``nbformat.validate(nb)``: raise ``nbformat.ValidationError`` when ``nb`` breaks
    its schema (repairing cell ids as nbformat does); faster for valid v4 notebooks."""
    import nbformat
    import nbformat.validator

    # A replaced nbformat.validate (a wrapper an extension installed, a test's patch) is
    # called as it would be on jupyter_server 2.x: the fast path is for nbformat's own.
    replaced = nbformat.validate is not nbformat.validator.validate
    if not replaced and isinstance(nb, dict) and nb.get("nbformat") == 4 and ids_need_no_repair(nb):
        split = _split_schema(nb.get("nbformat_minor", 0))
        if split is not None and split.is_valid(nb):
            return
    nbformat.validate(nb)
