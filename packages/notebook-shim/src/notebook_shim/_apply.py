"""Applying the classic configuration to a ServerApp at link time.

The shim links before the server builds its managers and web application and before it
binds its port, so every setting applied here takes effect as if it had been written in
``jupyter_server_config``. Rules:

- the server's own spelling wins over a classic one set at the same place (config files, or
  the command line); the command line wins over files, as always;
- every classic setting used, or overridden, is named in one warning with its new spelling;
- ``NotebookApp.nbserver_extensions`` enable extensions the server has not decided about.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from traitlets import TraitError
from traitlets.config import Config
from traitlets.config.loader import DeferredConfig, LazyConfigValue

from ._classic import NOTEBOOK_CONFIG, ClassicConfig, ClassicSetting, read_classic_config
from ._traits import (
    NOTEBOOK_ONLY,
    SECRET_TRAITS,
    Spelling,
    display_value,
    rename_class_value,
    server_spelling,
    server_spellings_of,
)

__all__ = ["apply_classic_config", "apply_classic_extensions", "prepare_ipython_dir", "warn_once", "warn_unclaimed"]

_MIGRATE_HINT = "(`jupyter server migrate` rewrites the classic config files for you)"


def warn_once(owner: Any, log: Any, message: str, *args: Any) -> None:
    """Log a warning once per ``owner`` (the serverapp), however many shims see the setting."""
    seen: set[str] | None = getattr(owner, "_notebook_shim_warned", None)
    if seen is None:
        seen = set()
        try:
            owner._notebook_shim_warned = seen
        except AttributeError:
            pass
    text = message % args if args else message
    if text not in seen:
        seen.add(text)
        log.warning("%s", text)


def _trait_of(target: Spelling) -> Any:
    section, name = target
    if section == "ServerApp":
        from jupyter_server_core import ServerApp

        return ServerApp.class_traits().get(name)
    if section in ("IdentityProvider", "PasswordIdentityProvider"):
        from jupyter_server_core.auth import PasswordIdentityProvider

        return PasswordIdentityProvider.class_traits().get(name)
    return None


def resolve_value(value: Any, target: Spelling, current: Any = None) -> Any:
    """A concrete value for ``target``: command-line strings parsed by the target's trait."""
    trait = _trait_of(target)
    if isinstance(value, DeferredConfig) and trait is not None:
        value = value.get_value(trait)
    elif isinstance(value, LazyConfigValue) and trait is not None:
        value = value.get_value(current if current is not None else trait.default())
    return rename_class_value(value)


def _server_setting(config: Config, target: Spelling) -> tuple[Spelling, Any] | None:
    for section, name in server_spellings_of(target):
        if section in config and name in config[section]:
            return (section, name), config[section][name]
    return None


def _same(a: Any, b: Any, target: Spelling) -> bool:
    try:
        return bool(resolve_value(a, target) == resolve_value(b, target))
    except Exception:  # noqa: BLE001 - unparsable: treat as different
        return False


def _server_setting_in_files(classic: ClassicConfig, target: Spelling, notebook_app: bool) -> ClassicSetting | None:
    """The server spelling of ``target`` written in the classic files themselves
    (``c.ServerApp.port`` beside ``c.NotebookApp.port`` in jupyter_notebook_config), when
    something applies it: Notebook 7's app, or the shim for the server class sections."""
    for section, name in server_spellings_of(target):
        found = classic.settings.get((section, name))
        if section == "NotebookApp" or found is None or found.from_cli:
            continue
        if notebook_app or server_spelling(section, name) is not None:
            return found
    return None


def _apply_one(serverapp: Any, setting: ClassicSetting, target: Spelling, classic: ClassicConfig,
               notebook_app: bool) -> None:
    log, config = serverapp.log, serverapp.config
    new = f"{target[0]}.{target[1]}"
    found = _server_setting(config, target)
    beside = _server_setting_in_files(classic, target, notebook_app) if setting.section == "NotebookApp" else None
    if found is None and beside is not None and not setting.from_cli:
        # The server's spelling wins at the same place, as it does in the server's files.
        if not _same(beside.value, setting.value, target):
            warn_once(serverapp, log, "Conflict: %s = %s and %s = %s (in %s); %s wins, remove the %s spelling",
                      setting.name, _show(setting, setting.value), beside.name, _show(beside, beside.value),
                      beside.source, beside.name, setting.section)
        return
    if found is not None:
        spelling, current = found
        server_cli = spelling[1] in getattr(serverapp, "cli_config", Config()).get(spelling[0], {})
        if not (setting.from_cli and not server_cli):
            if _same(current, setting.value, target):
                warn_once(serverapp, log, "%s (in %s) is deprecated and also set as %s in the server config: remove the %s spelling",
                          setting.name, setting.source, new, setting.section)
            else:
                warn_once(serverapp, log, "Conflict: %s = %s (in %s) and %s.%s = %s in the server config; "
                          "the server config wins, use %s only", setting.name, _show(setting, setting.value),
                          setting.source, spelling[0], spelling[1], _show(setting, current), new)
            return
        warn_once(serverapp, log, "Conflict: %s = %s on the command line overrides %s.%s = %s of the server's config files",
                  setting.name, _show(setting, setting.value), spelling[0], spelling[1], _show(setting, current))
    try:
        value = resolve_value(setting.value, target, getattr(serverapp, target[1], None) if target[0] == "ServerApp" else None)
        if target[0] == "ServerApp":
            setattr(serverapp, target[1], value)
            value = getattr(serverapp, target[1])
        config[target[0]][target[1]] = value
    except (TraitError, ValueError, TypeError) as exc:
        reason = type(exc).__name__ if setting.trait in SECRET_TRAITS else exc
        warn_once(serverapp, log, "%s = %s (in %s) cannot be used as %s: %s; ignored",
                  setting.name, _show(setting, setting.value), setting.source, new, reason)
        return
    warn_once(serverapp, log, "%s (in %s) is deprecated: use %s in jupyter_server_config %s",
              setting.name, setting.source, new, _MIGRATE_HINT)


def _show(setting: ClassicSetting, value: Any) -> str:
    return display_value(setting.trait, value)


def apply_classic_config(serverapp: Any) -> ClassicConfig:
    """Read the classic configuration and apply it to ``serverapp`` (before its managers exist)."""
    if getattr(serverapp, "_notebook_shim_applied", None) is not None:
        return serverapp._notebook_shim_applied  # type: ignore[no-any-return]
    classic = read_classic_config(
        serverapp.config_file_paths, serverapp.config, getattr(serverapp, "cli_config", None), serverapp.log
    )
    notebook_app = _notebook_app_reads_the_files(serverapp)
    for setting in classic.settings.values():
        if notebook_app and setting.section != "NotebookApp":
            continue  # jupyter_notebook_config is Notebook 7's own config: its app applies these
        target = server_spelling(setting.section, setting.trait)
        if target is None:
            continue  # a frontend's setting, or unknown: see warn_unclaimed()
        _apply_one(serverapp, setting, target, classic, notebook_app)
    serverapp._notebook_shim_applied = classic
    apply_classic_extensions(serverapp, classic)
    return classic


def _notebook_app_reads_the_files(serverapp: Any) -> bool:
    """Whether an ExtensionApp whose config file is jupyter_notebook_config (Notebook 7's
    ``notebook`` app) is among the server's extensions: it applies that file's server
    sections itself, as jupyter_<name>_config, with jupyter_server_config winning."""
    manager = getattr(serverapp, "extension_manager", None)
    points = getattr(manager, "extension_points", None) or {}
    return any(getattr(p.app, "config_file_name", None) == NOTEBOOK_CONFIG for p in points.values())


def warn_unclaimed(serverapp: Any) -> None:
    """Once every extension is linked: name the NotebookApp settings nobody took."""
    classic: ClassicConfig | None = getattr(serverapp, "_notebook_shim_applied", None)
    if classic is None:
        return
    for (section, trait), setting in classic.settings.items():
        if (section == "NotebookApp" and trait not in NOTEBOOK_ONLY and trait not in classic.claimed
                and server_spelling(section, trait) is None):
            warn_once(serverapp, serverapp.log, "%s (in %s) is not a Jupyter Server option: the server ignores it",
                      setting.name, setting.source)


def apply_classic_extensions(serverapp: Any, classic: ClassicConfig) -> None:
    """Enable and link the classic ``nbserver_extensions`` the server has not decided about."""
    manager = getattr(serverapp, "extension_manager", None)
    if manager is None or not classic.extensions:
        return
    from jupyter_server_core.extensions import Decision, Mention

    log = serverapp.log
    for name, (enabled, source) in classic.extensions.items():
        decided = manager.decisions.get(name)
        if decided is not None:
            if decided.enabled != enabled:
                warn_once(serverapp, log, "Conflict: NotebookApp.nbserver_extensions[%r] = %s (in %s) but the server "
                          "config (%s) says %s; the server config wins", name, enabled, source,
                          decided.decided_by, decided.enabled)
            else:
                # Packages such as JupyterLab ship a manifest for each server; when both
                # agree there is nothing for the user to do, so no warning on every start.
                log.debug("NotebookApp.nbserver_extensions[%r] (in %s) agrees with the server config",
                          name, source)
            continue
        if not enabled:
            continue
        warn_once(serverapp, log, "NotebookApp.nbserver_extensions[%r] (in %s) is deprecated: use "
                  "ServerApp.jpserver_extensions %s", name, source, _MIGRATE_HINT)
        where = Path(source) if os.path.isabs(source) else None
        mention = Mention(True, "classic notebook config (NotebookApp.nbserver_extensions)", where)
        manager.link_extension(name, Decision(name, True, mention, f"enabled in {source} by NotebookApp.nbserver_extensions"))


def prepare_ipython_dir(log: Any) -> None:
    """Make the IPython directory (``$IPYTHONDIR`` or ``~/.ipython``) exist when IPython is
    installed, as a fresh start of jupyter_server 2.x with notebook-shim does (the classic
    nbextensions path looks there; kernels keep their profile there). A failure is one
    warning naming it."""
    import importlib.util

    if importlib.util.find_spec("IPython") is None:
        return
    path = os.environ.get("IPYTHONDIR") or os.path.join(os.path.expanduser("~"), ".ipython")
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as exc:
        log.warning("Could not create the IPython directory %s: %s", path, exc.strerror or exc)
