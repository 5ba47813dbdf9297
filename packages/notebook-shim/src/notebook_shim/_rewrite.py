"""Rewriting one folder's classic config as server config, without writing anything.

``plan_folder(directory)`` returns the new content of every server config file that would
change, and notes for the person running the migration (conflicts, settings left to the
notebook, Python lines that cannot be rewritten safely). The classic files are only read:
the migration copies, it never moves.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._traits import (
    NOTEBOOK_ONLY,
    display_value,
    rename_class_value,
    server_spelling,
    server_spellings_of,
)

__all__ = ["FileChange", "FolderPlan", "plan_folder"]

NB, SERVER = "jupyter_notebook_config", "jupyter_server_config"
_EXPRESSION = object()  # a server setting assigned by an expression: set, value unknown


@dataclass
class FileChange:
    """A server config file to create (``old`` is None) or to rewrite."""

    path: Path
    old: str | None
    new: str
    source: Path | None = None  # the classic file it comes from: a new file gets its mode


@dataclass
class FolderPlan:
    directory: Path
    changes: list[FileChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _entries(data: Any) -> list[tuple[str, str, Any]]:
    """(section, trait, value) of a JSON config document."""
    return [(section, trait, value)
            for section, values in (data.items() if isinstance(data, dict) else [])
            for trait, value in (values.items() if isinstance(values, dict) else [])]


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None


def _literal_assignment(stmt: ast.stmt) -> tuple[str, str, ast.expr] | None:
    """``c.Section.trait = <expr>`` → (section, trait, expr)."""
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1):
        return None
    target = stmt.targets[0]
    if (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Attribute)
            and isinstance(target.value.value, ast.Name) and target.value.value.id == "c"):
        return target.value.attr, target.attr, stmt.value
    return None


def _is_boilerplate(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str):
        return True  # a docstring
    if isinstance(stmt, ast.Pass):
        return True
    return (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
            and stmt.targets[0].id == "c" and isinstance(stmt.value, ast.Call)
            and isinstance(stmt.value.func, ast.Name) and stmt.value.func.id == "get_config")


def _server_py_settings(source: str) -> dict[tuple[str, str], Any]:
    """What an existing jupyter_server_config.py assigns (expressions as ``_EXPRESSION``)."""
    found: dict[tuple[str, str], Any] = {}
    for stmt in ast.walk(ast.parse(source)):
        if isinstance(stmt, ast.stmt) and (hit := _literal_assignment(stmt)):
            section, trait, expr = hit
            try:
                found[(section, trait)] = ast.literal_eval(expr)
            except ValueError:
                found[(section, trait)] = _EXPRESSION
    return found


class _Folder:
    """State shared by the three rewrites of one folder."""

    def __init__(self, directory: Path) -> None:
        self.plan = FolderPlan(directory)
        self.server_json_path = directory / f"{SERVER}.json"
        self.server_py_path = directory / f"{SERVER}.py"
        self.server_py = _read(self.server_py_path)
        self.server_json: dict[str, Any] = {}
        self.server_json_text = _read(self.server_json_path)
        self.py_settings: dict[tuple[str, str], Any] = {}
        self.ok = True
        if self.server_json_text is not None:
            try:
                self.server_json = json.loads(self.server_json_text)
            except ValueError as exc:
                self._error(f"{self.server_json_path} is not valid JSON ({exc}); fix it first")
        if self.server_py is not None:
            try:
                self.py_settings = _server_py_settings(self.server_py)
            except SyntaxError as exc:
                self._error(f"{self.server_py_path}:{exc.lineno}: cannot parse ({exc.msg}); fix it first")

    def _error(self, message: str) -> None:
        self.plan.errors.append(message)
        self.ok = False

    def server_value(self, target: tuple[str, str]) -> tuple[bool, Any, str]:
        for section, trait in server_spellings_of(target):
            if trait in self.server_json.get(section, {}):
                return True, self.server_json[section][trait], f"{section}.{trait} in {self.server_json_path.name}"
            if (section, trait) in self.py_settings:
                return True, self.py_settings[(section, trait)], f"{section}.{trait} in {self.server_py_path.name}"
        return False, None, ""

    def target_for(self, section: str, trait: str, origin: str) -> tuple[str, str] | None:
        target = server_spelling(section, trait)
        if target is None:
            if section != "NotebookApp" or trait in NOTEBOOK_ONLY:
                self.plan.notes.append(f"{origin}: {section}.{trait} is a notebook setting; left in the notebook config")
            else:
                self.plan.notes.append(f"{origin}: NotebookApp.{trait} is not a Jupyter Server option; not migrated")
        return target

    def already_set(self, target: tuple[str, str], value: Any, origin: str, name: str) -> bool:
        """True when the server config decides ``target`` already (noting a conflict)."""
        found, current, where = self.server_value(target)
        if found and current is not _EXPRESSION and current == value:
            return True
        if found:
            trait = target[1]
            shown = "an expression" if current is _EXPRESSION else display_value(trait, current)
            self.plan.notes.append(f"conflict: {origin}: {name} = {display_value(trait, value)}, but {where} is {shown}; "
                                   "kept the server's value")
        return found

    # -- the three rewrites --------------------------------------------------------------

    def rewrite_json(self) -> None:
        path = self.plan.directory / f"{NB}.json"
        text = _read(path)
        if text is None or not self.ok:
            return
        try:
            data = json.loads(text)
        except ValueError as exc:
            self.plan.errors.append(f"{path} is not valid JSON ({exc}); not migrated")
            return
        merged = json.loads(json.dumps(self.server_json))
        for section, trait, value in _entries(data):
            target = self.target_for(section, trait, path.name)
            if target is None:
                continue
            value = rename_class_value(value)
            if self.already_set(target, value, path.name, f"{section}.{trait}"):
                continue
            merged.setdefault(target[0], {})[target[1]] = value
        if merged != self.server_json:
            self.plan.changes.append(FileChange(self.server_json_path, self.server_json_text,
                                                json.dumps(merged, indent=2) + "\n", path))
            self.server_json = merged

    def rewrite_py(self) -> None:
        path = self.plan.directory / f"{NB}.py"
        source = _read(path)
        if source is None or not self.ok:
            return
        try:
            module = ast.parse(source)
        except SyntaxError as exc:
            self.plan.errors.append(f"{path}:{exc.lineno}: cannot parse ({exc.msg}); not migrated")
            return
        lines = source.splitlines()
        wanted: dict[tuple[str, str], tuple[str, str, str, Any]] = {}
        for stmt in module.body:
            if _is_boilerplate(stmt):
                continue
            hit = _literal_assignment(stmt)
            literal: Any = None
            if hit is not None:
                try:
                    literal = ast.literal_eval(hit[2])
                except ValueError:
                    hit = None
            if hit is None:
                first = lines[stmt.lineno - 1].strip()
                span = f"{stmt.lineno}" if stmt.end_lineno in (None, stmt.lineno) else f"{stmt.lineno}-{stmt.end_lineno}"
                self.plan.notes.append(f"{path.name}:{span}: cannot be rewritten safely, migrate it by hand: {first}")
                continue
            section, trait, expr = hit
            target = self.target_for(section, trait, f"{path.name}:{stmt.lineno}")
            if target is None:
                continue
            renamed = rename_class_value(literal)
            value_src = repr(renamed) if renamed != literal else ast.get_source_segment(source, expr) or repr(literal)
            wanted[target] = (f"{path.name}:{stmt.lineno}", f"{section}.{trait}", value_src, renamed)
        new_lines = [f"c.{target[0]}.{target[1]} = {src}" for target, (origin, name, src, value) in wanted.items()
                     if not self.already_set(target, value, origin, name)]
        if not new_lines:
            return
        old = self.server_py
        head = old if old is not None else (
            "# Configuration file for jupyter-server.\n\nc = get_config()  # noqa: F821\n")
        if not head.endswith("\n"):
            head += "\n"
        block = f"\n# Migrated from {path.name} by `jupyter server migrate`.\n" + "\n".join(new_lines) + "\n"
        self.plan.changes.append(FileChange(self.server_py_path, old, head + block, path))

    def rewrite_conf_d(self) -> None:
        folder = self.plan.directory / f"{NB}.d"
        if not folder.is_dir():
            return
        for path in sorted(folder.glob("*.json")):
            dest = self.plan.directory / f"{SERVER}.d" / path.name
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                old_text = _read(dest)
                existing = json.loads(old_text) if old_text is not None else {}
            except (OSError, ValueError) as exc:
                self.plan.errors.append(f"{path} or {dest}: unreadable ({exc}); not migrated")
                continue
            merged = json.loads(json.dumps(existing))
            for section, trait, value in _entries(data):
                target = self.target_for(section, trait, f"{folder.name}/{path.name}")
                if target is None:
                    continue
                into = merged.setdefault(target[0], {})
                if not (isinstance(value, dict) and isinstance(into.get(target[1], {}), dict)):
                    into.setdefault(target[1], rename_class_value(value))
                    continue
                current = into.setdefault(target[1], {})
                for key, item in value.items():  # manifests merge per extension
                    if key in current and current[key] != item:
                        self.plan.notes.append(f"conflict: {folder.name}/{path.name}: {key} is {item} "
                                               f"but {dest.parent.name}/{dest.name} says {current[key]}; kept")
                    current.setdefault(key, item)
            if merged != existing:
                self.plan.changes.append(FileChange(dest, old_text, json.dumps(merged, indent=2) + "\n", path))


def plan_folder(directory: str | Path) -> FolderPlan:
    """What migrating ``directory`` would change; nothing is written."""
    folder = _Folder(Path(directory))
    folder.rewrite_json()
    folder.rewrite_py()
    folder.rewrite_conf_d()
    return folder.plan
