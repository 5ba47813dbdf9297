"""The frontend config service: ``/api/config/<section>`` backed by JSON files.

Sections (``notebook``, ``tree``, ...) are read from ``serverconfig`` folders on the
jupyter config path, later folders overridden by earlier ones, and written to the user's
folder. JupyterLab and Notebook keep small settings there.
"""

from __future__ import annotations

import copy
import json
import os
import re
from typing import Any

from jupyter_core.paths import jupyter_config_dir, jupyter_config_path
from tornado import web
from traitlets import List, Unicode, default
from traitlets.config import LoggingConfigurable

from ._base_handlers import APIHandler
from ._urls import url_path_join

__all__ = ["ConfigManager", "ConfigHandler", "config_routes", "recursive_update"]

# jupyter_server routes only word characters here; anything else is no section at all.
_SECTION = re.compile(r"^\w+$", re.ASCII)


def recursive_update(target: dict[str, Any], new: dict[str, Any]) -> None:
    """Update ``target`` in place with ``new``; a None value deletes the key."""
    for key, value in new.items():
        if isinstance(value, dict):
            existing = target.setdefault(key, {})
            if not isinstance(existing, dict):
                existing = target[key] = {}
            recursive_update(existing, value)
            if not existing:
                del target[key]
        elif value is None:
            target.pop(key, None)
        else:
            target[key] = value


class ConfigManager(LoggingConfigurable):
    """Reads config sections from every folder of ``read_config_path``; writes to ``write_config_dir``."""

    read_config_path = List(Unicode(), help="Folders to read config sections from, highest priority first.").tag(config=True)
    write_config_dir = Unicode(help="The folder config sections are written to.").tag(config=True)

    @default("read_config_path")
    def _default_read_path(self) -> list[str]:
        return [os.path.join(p, "serverconfig") for p in jupyter_config_path()]

    @default("write_config_dir")
    def _default_write_dir(self) -> str:
        return os.path.join(jupyter_config_dir(), "serverconfig")

    def _path(self, directory: str, section: str) -> str:
        if not _SECTION.match(section):
            raise web.HTTPError(404, f"No such config section: {section!r} (names are letters, digits and _)")
        return os.path.join(directory, section + ".json")

    def _read(self, path: str) -> dict[str, Any]:
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            self.log.warning("Ignoring unreadable config section %s: %s", path, exc)
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, section: str) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for directory in reversed(self.read_config_path):
            recursive_update(merged, self._read(self._path(directory, section)))
        return merged

    def set(self, section: str, data: dict[str, Any]) -> None:
        path = self._path(self.write_config_dir, section)
        os.makedirs(self.write_config_dir, exist_ok=True)
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2, sort_keys=True)
        os.replace(tmp, path)

    def update(self, section: str, new: dict[str, Any]) -> dict[str, Any]:
        data = self._read(self._path(self.write_config_dir, section))
        recursive_update(data, copy.deepcopy(new))
        self.set(section, data)
        return self.get(section)


class ConfigHandler(APIHandler):
    """GET the merged section; PUT replaces the user's section; PATCH merges into it."""

    auth_resource = "config"

    def initialize(self, config_manager: ConfigManager) -> None:
        self.config_manager = config_manager

    def _body(self) -> dict[str, Any]:
        body = self.get_json_body()
        if not isinstance(body, dict):
            raise web.HTTPError(400, "The request body must be a JSON object")
        return body

    def get(self, section: str) -> None:
        self.write_json(self.config_manager.get(section))

    def put(self, section: str) -> None:
        self.config_manager.set(section, self._body())
        self.set_status(204)
        self.finish()

    def patch(self, section: str) -> None:
        self.write_json(self.config_manager.update(section, self._body()))


def config_routes(base_url: str, config_manager: ConfigManager) -> list[Any]:
    return [
        (url_path_join(base_url, r"/api/config/([^/]+)"), ConfigHandler, {"config_manager": config_manager}),
    ]
