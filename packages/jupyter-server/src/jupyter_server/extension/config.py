"""``jupyter_server.extension.config``: extension enablement as the JSON config manager sees it."""

from __future__ import annotations

from typing import Any

from jupyter_server.services.config.manager import ConfigManager

__all__ = ["DEFAULT_SECTION_NAME", "ExtensionConfigManager"]

DEFAULT_SECTION_NAME = "jupyter_server_config"


class ExtensionConfigManager(ConfigManager):
    """Reads ``jupyter_server_config.json`` and its ``jupyter_server_config.d/*.json`` in the
    folders of ``read_config_path`` (here the Jupyter config folders themselves)."""

    def get_jpserver_extensions(self, section_name: str = DEFAULT_SECTION_NAME) -> dict[str, Any]:
        """Every ``ServerApp.jpserver_extensions`` entry of the section, merged."""
        from jupyter_server.config_manager import BaseJSONConfigManager

        merged: dict[str, Any] = {}
        for folder in reversed(self.read_config_path):
            data = BaseJSONConfigManager(config_dir=folder).get(section_name)
            merged.update(data.get("ServerApp", {}).get("jpserver_extensions", {}))
        return merged

    def enabled(self, name: str, section_name: str = DEFAULT_SECTION_NAME, include_root: bool = True) -> bool:
        """Whether ``name`` is enabled in the merged section."""
        return bool(self.get_jpserver_extensions(section_name).get(name, False))
