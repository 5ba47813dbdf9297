"""Which extensions are enabled, and what decided it.

The rules, from the lowest to the highest precedence:

0. Built-in parts of the server: an installed package that declares itself in the entry-point
   group ``jupyter_server.builtin_extensions`` (core, contents, nbconvert: what a monolithic
   server had built in) is enabled when nothing below mentions it. Any manifest or config
   that says ``false`` still disables it; the manifests these wheels ship stay the
   ordinary, visible way they are enabled.
1. conf.d manifests, level by level (see :mod:`._levels`): a level ranked earlier by
   jupyter_core overrides a later one, whether it enables or disables. Within one level
   every manifest is read and a disable wins over an enable, whatever the file names.
2. Config files (``jupyter_server_config.py|json``, ``ServerApp.jpserver_extensions``)
   override every manifest, extension by extension: the highest-ranked file naming it.
3. The command line overrides the config files (again extension by extension: naming one
   extension there does not drop what the files say of the others).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._levels import ConfigLevel, ManifestError, config_levels, parse_enabled, read_manifest

__all__ = [
    "Decision",
    "LevelVerdict",
    "Mention",
    "ResolvedExtensions",
    "builtin_extensions",
    "config_file_mentions",
    "extensions_in_config",
    "read_levels",
    "resolve_enabled_extensions",
]

MANIFEST = "manifest"
CONFIG_FILE = "config file"
COMMAND_LINE = "command line"
LAUNCHED = "launched"
BUILTIN = "installed package"
BUILTIN_GROUP = "jupyter_server.builtin_extensions"


def builtin_extensions() -> list[str]:
    """Extensions installed packages declare part of the server itself (see rule 0)."""
    from importlib.metadata import entry_points

    return sorted({ep.value for ep in entry_points(group=BUILTIN_GROUP)})


@dataclass(frozen=True)
class Mention:
    """One place that says whether an extension is enabled."""

    enabled: bool
    source: str  # manifest | config file | config | command line | launched
    path: Path | None = None
    level: ConfigLevel | None = None

    def where(self) -> str:
        """Readable origin: ``sys-prefix manifest /.../x.json``, ``command line``..."""
        if self.source == MANIFEST and self.level is not None:
            return f"{self.level.kind} manifest {self.path}"
        if self.path is not None:
            return f"{self.source} {self.path}"
        return self.source


@dataclass
class LevelVerdict:
    """What one level says about an extension: disabled if any of its manifests disables it."""

    level: ConfigLevel
    mentions: list[Mention]

    @property
    def enabled(self) -> bool:
        return all(m.enabled for m in self.mentions)

    @property
    def decider(self) -> Mention:
        return next(m for m in self.mentions if m.enabled == self.enabled)


@dataclass
class Decision:
    """Whether an extension is enabled, which place decided it and why."""

    name: str
    enabled: bool
    source: Mention
    reason: str
    levels: list[LevelVerdict] = field(default_factory=list)  # highest rank first
    config_files: list[Mention] = field(default_factory=list)  # highest precedence first
    command_line: Mention | None = None

    @property
    def decided_by(self) -> str:
        return self.source.where()

    @property
    def mentions(self) -> list[Mention]:
        found = [self.command_line] if self.command_line else []
        found += self.config_files
        for verdict in self.levels:
            found += verdict.mentions
        return found


@dataclass
class ResolvedExtensions:
    """Every decision, plus manifests that could not be read (they are ignored)."""

    decisions: dict[str, Decision]
    levels: list[ConfigLevel]
    problems: list[str] = field(default_factory=list)


def read_levels(levels: list[ConfigLevel]) -> tuple[dict[str, list[LevelVerdict]], list[str]]:
    """Each extension's verdict at each level that mentions it (highest first), and problems."""
    verdicts: dict[str, list[LevelVerdict]] = {}
    problems: list[str] = []
    for level in levels:
        if not level.conf_d.is_dir():
            continue
        found: dict[str, list[Mention]] = {}
        for path in sorted(level.conf_d.glob("*.json")):
            try:
                manifest = read_manifest(path)
            except ManifestError as exc:
                problems.append(str(exc))
                continue
            for name, enabled in manifest.items():
                found.setdefault(name, []).append(Mention(enabled, MANIFEST, path, level))
        for name, mentions in found.items():
            verdicts.setdefault(name, []).append(LevelVerdict(level, mentions))
    return verdicts, problems


def extensions_in_config(config: Any) -> dict[str, bool]:
    """``ServerApp.jpserver_extensions`` of one loaded traitlets Config, if it sets it."""
    section = config.get("ServerApp") if hasattr(config, "get") else None
    if not section or "jpserver_extensions" not in section:
        return {}
    value = section["jpserver_extensions"]
    if hasattr(value, "get_value"):  # c.ServerApp.jpserver_extensions.update({...}) in a .py file
        value = value.get_value({})
    if not isinstance(value, Mapping):
        return {}
    return {str(k): parse_enabled(v) for k, v in value.items()}


def config_file_mentions(loaded: Iterable[tuple[Any, str]]) -> dict[str, list[Mention]]:
    """Mentions in config files, from ``(config, filename)`` pairs in load order; the
    result lists the last loaded (highest precedence) first."""
    mentions: dict[str, list[Mention]] = {}
    for config, filename in reversed(list(loaded)):
        for name, enabled in extensions_in_config(config).items():
            mentions.setdefault(name, []).append(Mention(enabled, CONFIG_FILE, Path(filename)))
    return mentions


def _level_reason(name: str, top: LevelVerdict, below: list[LevelVerdict]) -> str:
    state = "enabled" if top.enabled else "disabled"
    if len(top.mentions) > 1 and not top.enabled and any(m.enabled for m in top.mentions):
        reason = f"{top.level.kind} level ({top.level.path}) has manifests both ways and a disable wins within a level"
    else:
        reason = f"{top.level.kind} level ({top.level.path}) is the highest-ranked level that mentions {name}"
    overridden = [v.level.kind for v in below if v.enabled != top.enabled]
    if overridden:
        reason += f"; it overrides {', '.join(overridden)}"
    return f"{state}: {reason}"


def resolve_enabled_extensions(
    config_value: Mapping[str, Any] | None = None,
    *,
    command_line: Mapping[str, Any] | None = None,
    config_files: Iterable[tuple[Any, str]] = (),
    levels: list[ConfigLevel] | None = None,
    use_manifests: bool = True,
    launched: str | None = None,
    builtin: Iterable[str] | None = None,
) -> ResolvedExtensions:
    """Decide every known extension.

    ``config_value`` is ServerApp.jpserver_extensions as the app holds it (config files
    merged with the command line); ``command_line`` the part given on the command line;
    ``config_files`` the ``(config, filename)`` pairs loaded, to name which file decided;
    ``use_manifests=False`` ignores conf.d (an ExtensionApp launched without the others);
    ``launched`` names a package enabled whatever the rest says (``jupyter <name>``);
    ``builtin`` the built-in extensions (rule 0; read from the installed packages' entry
    points when manifests are used and the levels are jupyter_core's own).
    """
    ranked = config_levels() if levels is None else levels
    verdicts, problems = read_levels(ranked) if use_manifests else ({}, [])
    from_files = config_file_mentions(config_files)
    cli = {str(k): parse_enabled(v) for k, v in (command_line or {}).items()}
    merged = {str(k): parse_enabled(v) for k, v in (config_value or {}).items()}
    for name, enabled in cli.items():
        merged.setdefault(name, enabled)
    if builtin is None:
        builtin = builtin_extensions() if use_manifests and levels is None else []
    builtin = list(builtin)
    names = list(dict.fromkeys([*verdicts, *from_files, *merged, *([launched] if launched else []), *builtin]))
    decisions: dict[str, Decision] = {}
    for name in names:
        levels_of = verdicts.get(name, [])
        files = from_files.get(name, [])
        cli_mention = Mention(cli[name], COMMAND_LINE) if name in cli else None
        decision = Decision(name, False, Mention(False, MANIFEST), "", levels_of, files, cli_mention)
        if name == launched:
            decision.enabled, decision.source = True, Mention(True, LAUNCHED)
            decision.reason = f"enabled: launched as its own application, which always loads {name}"
        elif cli_mention is not None:
            decision.enabled, decision.source = cli_mention.enabled, cli_mention
            decision.reason = f"{'enabled' if cli_mention.enabled else 'disabled'}: the command line overrides config files and every manifest"
        elif files:
            # Per extension, the highest-ranked config file that names it (traitlets would
            # let a whole dict from the command line or a higher file drop the others).
            decision.enabled, decision.source = files[0].enabled, files[0]
            decision.reason = f"{'enabled' if files[0].enabled else 'disabled'}: config files (ServerApp.jpserver_extensions) override every manifest"
        elif name in merged:
            enabled = merged[name]
            decision.enabled, decision.source = enabled, Mention(enabled, "config")
            decision.reason = f"{'enabled' if enabled else 'disabled'}: config (ServerApp.jpserver_extensions) overrides every manifest"
        elif not levels_of:  # only rule 0 names it
            decision.enabled, decision.source = True, Mention(True, BUILTIN)
            decision.reason = f"enabled: {name} is a built-in part of the server and no manifest or config disables it"
        else:
            top = levels_of[0]
            decision.enabled, decision.source = top.enabled, top.decider
            decision.reason = _level_reason(name, top, levels_of[1:])
        decisions[name] = decision
    return ResolvedExtensions(decisions, ranked, problems)
