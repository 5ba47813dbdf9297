"""What ``jupyter server extension list`` and ``explain`` print, and extension validation."""

from __future__ import annotations

import importlib
from typing import Any

from jupyter_core.paths import jupyter_config_path
from traitlets.config import Application, Config

from ._confd import Decision, ResolvedExtensions, extensions_in_config, resolve_enabled_extensions
from ._levels import ConfigLevel
from ._manager import extension_points_of

__all__ = ["explain_lines", "extension_config_classes", "list_lines", "resolve_for_cli", "validate_extension"]


def server_config_files() -> tuple[list[tuple[Any, str]], list[str]]:
    """The config files ``jupyter server`` would load, in load order, and load problems."""
    loaded: list[tuple[Any, str]] = []
    problems: list[str] = []
    paths = jupyter_config_path()
    for base in ("jupyter_config", "jupyter_server_config"):
        try:
            loaded += list(Application._load_config_files(base, path=paths, raise_config_file_errors=True))
        except Exception as exc:  # noqa: BLE001 - a broken user config file is reported, not fatal
            problems.append(f"Cannot load config file {base}: {type(exc).__name__}: {exc}")
    return loaded, problems


def resolve_for_cli() -> ResolvedExtensions:
    """Resolve as the server would with no command line: manifests, then config files."""
    loaded, problems = server_config_files()
    merged = Config()
    for config, _ in loaded:
        merged.merge(config)
    resolved = resolve_enabled_extensions(extensions_in_config(merged), config_files=loaded)
    resolved.problems += problems
    return resolved


def extension_config_classes() -> list[type]:
    """The configurable classes enabled extensions name in ``_jupyter_server_config_classes()``,
    for ``jupyter server --help-all`` and ``--generate-config``."""
    found: list[type] = []
    for name, decision in sorted(resolve_for_cli().decisions.items()):
        if not decision.enabled:
            continue
        try:
            hook = getattr(importlib.import_module(name), "_jupyter_server_config_classes", None)
            classes = list(hook()) if hook is not None else []
        except Exception:  # noqa: BLE001, S112 - `extension list` reports a broken extension
            continue
        found += [cls for cls in classes if cls not in found]
    return found


def validate_extension(name: str) -> tuple[bool, str]:
    """Import ``name`` and its points: (True, version) or (False, why it is not usable)."""
    try:
        module = importlib.import_module(name)
        for point in extension_points_of(module):
            importlib.import_module(point["module"])
    except Exception as exc:  # noqa: BLE001 - any failure makes the extension invalid
        return False, f"{type(exc).__name__}: {exc}"
    return True, str(getattr(module, "__version__", ""))


def _levels_lines(levels: list[ConfigLevel]) -> list[str]:
    width = max((len(level.kind) for level in levels), default=0)
    lines = ["Config levels, highest precedence first (config files, then the command line, override them all):"]
    lines += [f"    {level.rank + 1}. {level.kind:<{width}}  {level.path}" for level in levels]
    return lines


def list_lines(resolved: ResolvedExtensions) -> list[str]:
    """Every known extension: enabled or not, valid or not, and what decided it."""
    lines = _levels_lines(resolved.levels) + [""]
    decisions = sorted(resolved.decisions.values(), key=lambda d: d.name)
    if not decisions:
        return lines + ["No server extension is mentioned in any manifest or config file."]
    lines.append("Server extensions:")
    width = max(len(d.name) for d in decisions)
    for decision in decisions:
        ok, detail = validate_extension(decision.name)
        validity = f"OK {detail}".rstrip() if ok else f"INVALID ({detail})"
        state = "enabled" if decision.enabled else "disabled"
        lines.append(f"    {decision.name:<{width}}  {state:<8}  {validity}")
        lines.append(f"    {'':<{width}}  decided by {decision.decided_by}")
    return lines


def _mark(enabled: bool) -> str:
    return "enabled " if enabled else "disabled"


def explain_lines(name: str, resolved: ResolvedExtensions) -> list[str]:
    """Every file at every level that mentions ``name``, and how the decision was reached."""
    decision: Decision | None = resolved.decisions.get(name)
    if decision is None:
        return [
            f"{name}: disabled (not loaded)",
            f"No manifest at any level, no config file and no command line mentions {name}.",
            "", *_levels_lines(resolved.levels),
        ]
    lines = [
        f"{name}: {'enabled' if decision.enabled else 'disabled'}",
        f"Decided by: {decision.decided_by}",
        f"Why: {decision.reason}",
        "",
        f"Every place that mentions {name}, highest precedence first:",
        "  command line: " + (_mark(decision.command_line.enabled).strip() if decision.command_line else "not mentioned"),
    ]
    if decision.config_files:
        lines.append("  config files (jupyter_server_config.py|json):")
        lines += [f"      {_mark(m.enabled)}  {m.path}" for m in decision.config_files]
    else:
        lines.append("  config files (jupyter_server_config.py|json): not mentioned")
    by_level = {verdict.level: verdict for verdict in decision.levels}
    for level in resolved.levels:
        verdict = by_level.get(level)
        head = f"  {level.rank + 1}. {level.kind} level {level.path}"
        if verdict is None:
            lines.append(head + ": no manifest mentions it")
            continue
        lines.append(head + ":")
        lines += [f"      {_mark(m.enabled)}  {m.path}" for m in verdict.mentions]
        rule = " (a disable wins within a level)" if len({m.enabled for m in verdict.mentions}) > 1 else ""
        taken = "" if decision.source in verdict.mentions else "  [overridden]"
        lines.append(f"      -> this level says {_mark(verdict.enabled).strip()}{rule}{taken}")
    return lines
