"""Reading the classic notebook configuration, as the notebook server did.

``jupyter_notebook_config.py|json`` in every config folder (an earlier folder of
``jupyter --paths`` wins; in one folder the JSON file wins over the Python one), the
``jupyter_notebook_config.d/*.json`` manifests for ``NotebookApp.nbserver_extensions``, and
``NotebookApp.*`` given to the server on its command line or in its own config files.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from traitlets.config import Config
from traitlets.config.loader import (
    ConfigFileNotFound,
    DeferredConfig,
    JSONFileConfigLoader,
    LazyConfigValue,
    PyFileConfigLoader,
)

__all__ = ["ClassicConfig", "ClassicSetting", "NOTEBOOK_CONFIG", "read_classic_config"]

NOTEBOOK_CONFIG = "jupyter_notebook_config"
NOTEBOOK_CONF_D = "jupyter_notebook_config.d"
COMMAND_LINE = "the command line"


@dataclass
class ClassicSetting:
    """The winning value of one classic ``section.trait`` and where it came from."""

    section: str
    trait: str
    value: Any
    source: str

    @property
    def name(self) -> str:
        return f"{self.section}.{self.trait}"

    @property
    def from_cli(self) -> bool:
        return self.source == COMMAND_LINE


@dataclass
class ClassicConfig:
    """Everything the classic configuration says, apart from the server's own."""

    settings: dict[tuple[str, str], ClassicSetting] = field(default_factory=dict)
    #: extension name → (enabled, where that was said), from nbserver_extensions everywhere
    extensions: dict[str, tuple[bool, str]] = field(default_factory=dict)
    #: NotebookApp traits an ExtensionApp took as its own (NotebookConfigShimMixin)
    claimed: set[str] = field(default_factory=set)

    def set(self, section: str, trait: str, value: Any, source: str) -> None:
        if trait in ("nbserver_extensions", "server_extensions") and section == "NotebookApp":
            self._set_extensions(trait, value, source)
            return
        previous = self.settings.get((section, trait))
        if isinstance(value, LazyConfigValue) and previous is not None and not isinstance(
            previous.value, (LazyConfigValue, DeferredConfig)
        ):
            value = value.get_value(previous.value)  # c.NotebookApp.x.update({...}) on top of a lower file
        self.settings[(section, trait)] = ClassicSetting(section, trait, value, source)

    def _set_extensions(self, trait: str, value: Any, source: str) -> None:
        if isinstance(value, DeferredConfig):
            from jupyter_server_core import ServerApp

            value = value.get_value(ServerApp.class_traits()["jpserver_extensions"])
        elif isinstance(value, LazyConfigValue):
            value = value.get_value({} if trait == "nbserver_extensions" else [])
        if trait == "server_extensions":  # notebook < 5's list spelling
            value = {name: True for name in value or []}
        if not isinstance(value, Mapping):
            return
        for name, enabled in value.items():
            self.extensions[str(name)] = (bool(enabled), source)


def _load_file(loader_class: type, filename: str, directory: str, log: logging.Logger) -> tuple[Config, str] | None:
    loader = loader_class(filename, path=directory, log=log)
    try:
        config = loader.load_config()
    except ConfigFileNotFound:
        return None
    except Exception as exc:  # noqa: BLE001 - a broken user file is reported, not fatal
        log.error("Could not read the classic notebook config %s: %s: %s",
                  os.path.join(directory, filename), type(exc).__name__, exc)
        return None
    return config, loader.full_filename


def _read_manifests(directory: str, log: logging.Logger) -> dict[str, tuple[bool, str]]:
    """One folder's ``jupyter_notebook_config.d``: within a folder, a disable wins."""
    found: dict[str, tuple[bool, str]] = {}
    folder = Path(directory) / NOTEBOOK_CONF_D
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            section = data.get("NotebookApp", {})
            entries = section.get("nbserver_extensions", {})
        except (OSError, ValueError, AttributeError) as exc:
            log.warning("Ignoring unreadable classic extension manifest %s: %s", path, exc)
            continue
        if not isinstance(entries, dict):
            continue
        for name, enabled in entries.items():
            was = found.get(name)
            if was is None or (was[0] and not enabled):
                found[name] = (bool(enabled), str(path))
    return found


def read_classic_config(
    config_dirs: Iterable[str],
    server_config: Config,
    cli_config: Config | None = None,
    log: logging.Logger | None = None,
) -> ClassicConfig:
    """Read the classic config of ``config_dirs`` (highest priority first).

    ``NotebookApp`` settings in ``server_config`` (the server's own config files and command
    line; ``cli_config`` tells which came from the command line) override the files.
    """
    log = log or logging.getLogger("notebook_shim")
    dirs = [d for d in config_dirs if d]
    classic = ClassicConfig()
    for directory in reversed(dirs):  # lowest priority first; later ones override
        for name, (enabled, source) in _read_manifests(directory, log).items():
            classic.extensions[name] = (enabled, source)
    for directory in reversed(dirs):
        for loader_class, suffix in ((PyFileConfigLoader, ".py"), (JSONFileConfigLoader, ".json")):
            loaded = _load_file(loader_class, NOTEBOOK_CONFIG + suffix, directory, log)
            if loaded is None:
                continue
            config, filename = loaded
            for section, values in config.items():
                if isinstance(values, Mapping):
                    for trait, value in values.items():
                        classic.set(section, trait, value, filename)
    cli_section = (cli_config or Config()).get("NotebookApp", {})
    if "NotebookApp" in server_config:
        for trait, value in server_config["NotebookApp"].items():
            source = COMMAND_LINE if trait in cli_section else "the server's config files"
            classic.set("NotebookApp", trait, value, source)
    return classic
