"""Writing conf.d manifests for ``jupyter server extension enable|disable|install``."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

from ._levels import CONF_D, ManifestError, level_dir, read_manifest

__all__ = ["find_shipped_manifest", "set_enabled", "write_manifest"]


def _write_json(path: Path, data: dict[str, Any]) -> None:
    """Write atomically; an OSError becomes a ManifestError naming the file and the fix."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2, sort_keys=True)
            f.write("\n")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except PermissionError:
        raise ManifestError(
            f"Cannot write {path}: permission denied; use --user, or run as a user who may change {path.parent}"
        ) from None
    except OSError as exc:
        raise ManifestError(f"Cannot write {path}: {exc.strerror or exc}") from None


def manifest_path(name: str, kind: str) -> Path:
    return level_dir(kind) / CONF_D / f"{name}.json"


def set_enabled(name: str, enabled: bool, kind: str) -> Path:
    """Set ``name`` in ``<level>/jupyter_server_config.d/<name>.json``, keeping its other keys."""
    path = manifest_path(name, kind)
    data: dict[str, Any] = {}
    if path.exists():
        read_manifest(path)  # refuse to rewrite a file we cannot understand
        data = json.loads(path.read_text(encoding="utf-8"))
    section = data.setdefault("ServerApp", {})
    section.setdefault("jpserver_extensions", {})[name] = enabled
    _write_json(path, data)
    return path


def find_shipped_manifest(module: ModuleType) -> Path | None:
    """The ``jupyter-config/<name>.json`` of a development checkout of ``module``, if any."""
    name = module.__name__
    origin = getattr(module, "__file__", None)
    if not origin:
        return None
    for folder in list(Path(origin).resolve().parents)[:4]:
        for candidate in (
            folder / "jupyter-config" / f"{name}.json",
            folder / "jupyter-config" / CONF_D / f"{name}.json",
        ):
            if candidate.is_file():
                return candidate
    return None


def write_manifest(name: str, kind: str, source: Path | None) -> Path:
    """Place the manifest of package ``name`` at a level: its shipped one, or one enabling it."""
    data: dict[str, Any] = {"ServerApp": {"jpserver_extensions": {name: True}}}
    if source is not None:
        if name not in read_manifest(source):
            raise ManifestError(f"{source} does not mention {name}: not installing it")
        data = json.loads(source.read_text(encoding="utf-8"))
    path = manifest_path(name, kind)
    _write_json(path, data)
    return path
