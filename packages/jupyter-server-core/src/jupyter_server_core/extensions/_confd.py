"""Which extensions are enabled: conf.d manifests at each level, then config, then CLI.

Levels are the folders of ``jupyter_config_path()`` (user, sys-prefix, system, in the
order jupyter_core ranks them): an earlier folder overrides a later one. Within one
folder every ``jupyter_server_config.d/*.json`` is read and a disable wins over an enable.
Config files and the command line override every manifest.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jupyter_core.paths import jupyter_config_path

__all__ = ["Decision", "ManifestEntry", "read_level", "resolve_enabled_extensions"]

CONF_D = "jupyter_server_config.d"
log = logging.getLogger(__name__)


@dataclass
class ManifestEntry:
    """One mention of an extension in one manifest file."""

    path: Path
    enabled: bool


@dataclass
class Decision:
    """Whether an extension is enabled, and which place decided it."""

    name: str
    enabled: bool
    decided_by: str
    mentions: list[ManifestEntry] = field(default_factory=list)


def _manifest_extensions(path: Path) -> dict[str, bool]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("Ignoring unreadable extension manifest %s: %s", path, exc)
        return {}
    section = data.get("ServerApp", {}) if isinstance(data, dict) else {}
    found = section.get("jpserver_extensions", {}) if isinstance(section, dict) else {}
    if not isinstance(found, dict):
        log.warning("Ignoring %s: ServerApp.jpserver_extensions is not an object", path)
        return {}
    return {str(k): bool(v) for k, v in found.items()}


def read_level(config_dir: str | os.PathLike[str]) -> dict[str, list[ManifestEntry]]:
    """Every extension mentioned in one level's conf.d, with each manifest's say."""
    folder = Path(config_dir) / CONF_D
    mentions: dict[str, list[ManifestEntry]] = {}
    if not folder.is_dir():
        return mentions
    for path in sorted(folder.glob("*.json")):
        for name, enabled in _manifest_extensions(path).items():
            mentions.setdefault(name, []).append(ManifestEntry(path, enabled))
    return mentions


def resolve_enabled_extensions(
    config_value: dict[str, Any] | None = None,
    config_dirs: list[str] | None = None,
) -> dict[str, Decision]:
    """Decide every known extension. ``config_value`` is ServerApp.jpserver_extensions from
    config files and the command line; ``config_dirs`` defaults to jupyter_config_path()."""
    dirs = jupyter_config_path() if config_dirs is None else config_dirs
    decisions: dict[str, Decision] = {}
    # Walk from the lowest-ranked folder to the highest, so that higher ones override.
    for directory in reversed(dirs):
        for name, entries in read_level(directory).items():
            enabled = all(e.enabled for e in entries)
            decider = next((e for e in entries if e.enabled == enabled), entries[0])
            previous = decisions.get(name)
            mentions = (previous.mentions if previous else []) + entries
            decisions[name] = Decision(name, enabled, str(decider.path), mentions)
    for name, enabled in (config_value or {}).items():
        previous = decisions.get(name)
        decisions[name] = Decision(
            name, bool(enabled), "config (ServerApp.jpserver_extensions)",
            previous.mentions if previous else [],
        )
    return decisions
