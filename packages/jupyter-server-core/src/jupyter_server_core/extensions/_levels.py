"""The config levels of extension enablement and the manifests each one holds.

A level is one folder of ``jupyter_core.paths.jupyter_config_path()``: a
``JUPYTER_CONFIG_PATH`` entry, the user's folder, the environment's (sys-prefix) or a
system folder. jupyter_core ranks them (``JUPYTER_PREFER_ENV_PATH`` included); rank 0 is
the highest. Each level's ``jupyter_server_config.d/*.json`` files are its manifests.
"""

from __future__ import annotations

import json
import os
import site
from dataclasses import dataclass
from pathlib import Path

import jupyter_core.paths as jpaths

__all__ = [
    "CONF_D",
    "ConfigLevel",
    "ManifestError",
    "config_levels",
    "level_dir",
    "parse_enabled",
    "read_manifest",
]

CONF_D = "jupyter_server_config.d"

USER = "user"
SYS_PREFIX = "sys-prefix"
SYSTEM = "system"
CONFIG_PATH_ENTRY = "JUPYTER_CONFIG_PATH"


class ManifestError(ValueError):
    """A manifest that cannot be read or has the wrong shape; the message names the file."""


@dataclass(frozen=True)
class ConfigLevel:
    """One config folder, its kind and its rank (0 overrides every other)."""

    kind: str
    path: Path
    rank: int

    @property
    def conf_d(self) -> Path:
        return self.path / CONF_D

    def __str__(self) -> str:
        return f"{self.kind} ({self.path})"


def _norm(path: str | os.PathLike[str]) -> str:
    return os.path.normpath(os.path.abspath(os.path.expanduser(str(path))))


def _user_dirs() -> set[str]:
    dirs = {_norm(jpaths.jupyter_config_dir())}
    if site.ENABLE_USER_SITE:
        base = site.getuserbase() if hasattr(site, "getuserbase") else site.USER_BASE
        if base:
            dirs.add(_norm(Path(base, "etc", "jupyter")))
    return dirs


def config_levels() -> list[ConfigLevel]:
    """Every config folder as a level, highest precedence first, in jupyter_core's order."""
    from_env = {_norm(p) for p in os.environ.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep) if p}
    users = _user_dirs()
    env = {_norm(p) for p in jpaths.ENV_CONFIG_PATH}
    system = {_norm(p) for p in jpaths.SYSTEM_CONFIG_PATH}
    levels: list[ConfigLevel] = []
    seen: set[str] = set()
    for raw in jpaths.jupyter_config_path():
        path = _norm(raw)
        if path in seen:  # a folder listed twice keeps its highest rank only
            continue
        seen.add(path)
        if path in from_env:
            kind = CONFIG_PATH_ENTRY
        elif path in users:
            kind = USER
        elif path in env:
            kind = SYS_PREFIX
        elif path in system:
            kind = SYSTEM
        else:
            kind = "other"
        levels.append(ConfigLevel(kind, Path(path), len(levels)))
    return levels


def level_dir(kind: str) -> Path:
    """The folder ``enable``/``disable`` write to for ``--user``, ``--sys-prefix`` or ``--system``."""
    if kind == USER:
        return Path(jpaths.jupyter_config_dir())
    if kind == SYS_PREFIX:
        return Path(jpaths.ENV_CONFIG_PATH[0])
    if kind == SYSTEM:
        if not jpaths.SYSTEM_CONFIG_PATH:
            raise ManifestError("This platform has no system-wide Jupyter config folder; use --user or --sys-prefix")
        return Path(jpaths.SYSTEM_CONFIG_PATH[0])
    raise ValueError(f"Unknown level {kind!r}: expected user, sys-prefix or system")


_FALSE = {"false", "0", "no", "off", ""}


def parse_enabled(value: object) -> bool:
    """A manifest or command-line value as a bool; the strings 'False', '0', 'no' are False."""
    if isinstance(value, str):
        return value.strip().lower() not in _FALSE
    return bool(value)


def read_manifest(path: Path) -> dict[str, bool]:
    """The ``ServerApp.jpserver_extensions`` of one manifest; ManifestError if unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ManifestError(f"Cannot read {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise ManifestError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ManifestError(f"{path} must hold a JSON object, not {type(data).__name__}")
    section = data.get("ServerApp", {})
    found = section.get("jpserver_extensions", {}) if isinstance(section, dict) else None
    if not isinstance(found, dict):
        raise ManifestError(f"{path}: ServerApp.jpserver_extensions must be an object of name: true|false")
    return {str(name): parse_enabled(value) for name, value in found.items()}
