"""``jupyter server migrate``: copy classic notebook config to server config.

For each Jupyter config folder (user, sys-prefix, system; or the one given with
``--config-dir``), ``jupyter_notebook_config.py|json`` is copied to
``jupyter_server_config.py|json`` with the server spellings, and
``jupyter_notebook_config.d/*.json`` to ``jupyter_server_config.d/``. The classic files are
never changed. An existing server file is merged (its own values win; conflicts are
reported) after a backup copy is made. A second run changes nothing.
"""

from __future__ import annotations

import difflib
import os
import shutil
import sys
from pathlib import Path
from typing import TextIO

from jupyter_core.application import JupyterApp
from jupyter_core.paths import (
    ENV_CONFIG_PATH,
    SYSTEM_CONFIG_PATH,
    jupyter_config_dir,
    jupyter_config_path,
)
from traitlets import Bool, Unicode

from ._rewrite import FileChange, FolderPlan, plan_folder

__all__ = ["MigrateApp", "backup_path", "migrate_folders"]


def backup_path(path: Path, old: str) -> Path:
    """A free ``<name>.bak`` (``.bak.1``, ...) beside ``path``, or one that already holds ``old``."""
    candidate = path.with_name(path.name + ".bak")
    n = 0
    while candidate.exists():
        if candidate.read_text(encoding="utf-8", errors="replace") == old:
            return candidate
        n += 1
        candidate = path.with_name(f"{path.name}.bak.{n}")
    return candidate


def _write(change: FileChange) -> str:
    change.path.parent.mkdir(parents=True, exist_ok=True)
    if change.old is None:
        change.path.write_text(change.new, encoding="utf-8")
        if change.source is not None:  # a token or password hash is no more readable than before
            shutil.copymode(change.source, change.path)
        return f"Created {change.path}"
    backup = backup_path(change.path, change.old)
    if not backup.exists():
        shutil.copy2(change.path, backup)
    change.path.write_text(change.new, encoding="utf-8")
    return f"Updated {change.path} (backup: {backup.name})"


def _diff(change: FileChange) -> str:
    old = (change.old or "").splitlines(keepends=True)
    fromfile = str(change.path) if change.old is not None else "/dev/null"
    return "".join(difflib.unified_diff(old, change.new.splitlines(keepends=True), fromfile, str(change.path)))


def migrate_folders(folders: list[str], dry_run: bool = False, out: TextIO | None = None) -> list[FolderPlan]:
    """Migrate (or with ``dry_run`` only print the diff for) each folder; returns the plans."""
    stream = out or sys.stdout
    plans = []
    for folder in folders:
        plan = plan_folder(folder)
        plans.append(plan)
        if not (plan.changes or plan.notes or plan.errors):
            continue
        print(f"{folder}:", file=stream)
        for change in plan.changes:
            if dry_run:
                print(_diff(change), end="", file=stream)
                continue
            try:
                print("  " + _write(change), file=stream)
            except OSError as exc:
                plan.errors.append(f"cannot write {change.path}: {exc.strerror or exc}")
        if not plan.changes:
            print("  Nothing to change: the server config already has these settings.", file=stream)
        for note in plan.notes:
            print(f"  ! {note}", file=stream)
        for error in plan.errors:
            print(f"  ERROR: {error}", file=stream)
    return plans


class MigrateApp(JupyterApp):
    """Copy classic notebook config (jupyter_notebook_config) to Jupyter Server config."""

    name = "jupyter server migrate"
    description = __doc__
    examples = (
        "jupyter server migrate --dry-run          # show what would change\n"
        "jupyter server migrate                    # every config folder\n"
        "jupyter server migrate --user             # only ~/.jupyter (or JUPYTER_CONFIG_DIR)\n"
        "jupyter server migrate --config-dir=/etc/jupyter\n"
    )

    dry_run = Bool(False, help="Print a unified diff of what would change; write nothing.").tag(config=True)
    target_dir = Unicode("", help="Migrate only this config folder.").tag(config=True)
    user = Bool(False, help="Migrate only the user config folder.").tag(config=True)
    sys_prefix = Bool(False, help="Migrate only the environment's config folder (sys.prefix/etc/jupyter).").tag(config=True)
    system = Bool(False, help="Migrate only the system-wide config folders.").tag(config=True)

    aliases = {"config-dir": "MigrateApp.target_dir", "log-level": "Application.log_level"}
    flags = {
        "dry-run": ({"MigrateApp": {"dry_run": True}}, "Print a unified diff of what would change; write nothing."),
        "user": ({"MigrateApp": {"user": True}}, "Migrate only the user config folder."),
        "sys-prefix": ({"MigrateApp": {"sys_prefix": True}}, "Migrate only the sys.prefix config folder."),
        "system": ({"MigrateApp": {"system": True}}, "Migrate only the system config folders."),
    }

    def folders(self) -> list[str]:
        if self.target_dir:
            return [self.target_dir]
        chosen: list[str] = []
        if self.user:
            chosen.append(jupyter_config_dir())
        if self.sys_prefix:
            chosen += ENV_CONFIG_PATH
        if self.system:
            chosen += SYSTEM_CONFIG_PATH
        if not chosen:
            chosen = jupyter_config_path()
        return list(dict.fromkeys(os.path.abspath(d) for d in chosen))

    def start(self) -> None:
        if self.extra_args:
            self.exit(f"Unexpected argument {self.extra_args[0]!r}; use --config-dir=DIR to name a folder")
        if self.target_dir and not os.path.isdir(self.target_dir):
            self.exit(f"No such config folder: {self.target_dir}")
        plans = migrate_folders(self.folders(), dry_run=self.dry_run)
        if not any(p.changes or p.notes or p.errors for p in plans):
            print("No classic notebook config found to migrate in: " + ", ".join(self.folders()))
        elif self.dry_run:
            print("Dry run: nothing was written.")
        if any(p.errors for p in plans):
            self.exit(1)


main = launch_new_instance = MigrateApp.launch_instance
