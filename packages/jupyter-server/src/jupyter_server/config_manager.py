"""``jupyter_server.config_manager``: JSON config files in one folder, read and written whole.

``BaseJSONConfigManager`` is the file-level helper jupyter_server 2.x extensions use for
``<config_dir>/<section>.json``. With ``read_directory`` the files of ``<section>.d/`` are
read first, in name order, and the section file itself applies last; writing touches only
``<section>.json``.
"""

from __future__ import annotations

import copy
import glob
import json
import os
from typing import Any

from jupyter_server_core.config import recursive_update
from traitlets import Bool, Unicode
from traitlets.config import LoggingConfigurable

__all__ = ["BaseJSONConfigManager", "recursive_update", "remove_defaults"]


def remove_defaults(data: dict[str, Any], defaults: dict[str, Any]) -> None:
    """Drop from ``data`` (in place) every value equal to the one in ``defaults``."""
    for key, default_value in defaults.items():
        if key not in data:
            continue
        if isinstance(data[key], dict) and isinstance(default_value, dict):
            remove_defaults(data[key], default_value)
            if not data[key]:
                del data[key]
        elif data[key] == default_value:
            del data[key]


class BaseJSONConfigManager(LoggingConfigurable):
    """Sections stored as ``<config_dir>/<section>.json`` (and optionally ``<section>.d/``)."""

    config_dir = Unicode(".", help="The folder holding the section files.")
    read_directory = Bool(True, help="Also read <section>.d/*.json, before <section>.json.")

    def ensure_config_dir_exists(self) -> None:
        os.makedirs(self.config_dir, 0o755, exist_ok=True)

    def file_name(self, section_name: str) -> str:
        return os.path.join(self.config_dir, section_name + ".json")

    def directory(self, section_name: str) -> str:
        return os.path.join(self.config_dir, section_name + ".d")

    def get(self, section_name: str, include_root: bool = True) -> dict[str, Any]:
        """The merged section: ``.d`` files in name order, then the section file itself."""
        paths = sorted(glob.glob(os.path.join(self.directory(section_name), "*.json"))) if self.read_directory else []
        if include_root:
            paths.append(self.file_name(section_name))
        data: dict[str, Any] = {}
        for path in paths:
            if os.path.isfile(path):
                with open(path, encoding="utf-8") as f:
                    recursive_update(data, json.load(f))
        return data

    def set(self, section_name: str, data: Any) -> None:
        """Write ``data`` as the section file, leaving out what ``<section>.d`` already says."""
        if self.read_directory:
            data = copy.deepcopy(data)
            remove_defaults(data, self.get(section_name, include_root=False))
        self.ensure_config_dir_exists()
        with open(self.file_name(section_name), "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2)

    def update(self, section_name: str, new_data: Any) -> dict[str, Any]:
        """Merge ``new_data`` into the section file (None deletes a key); return the result."""
        data = self.get(section_name)
        recursive_update(data, new_data)
        self.set(section_name, data)
        return data
