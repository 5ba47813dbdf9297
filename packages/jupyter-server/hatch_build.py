"""Pin the meta-package to every sibling wheel at its own version.

The siblings are the folders beside this one under ``packages/``: each folder holding a
``pyproject.toml`` is a wheel, and its ``[project] name`` is what we depend on. Adding a
wheel to the repository therefore adds it to the full install with no list to edit, and
``tools/check_wheels.py`` checks the built wheel names every sibling.

An sdist has no siblings beside it: there the dependencies are read back from the sdist's
own ``PKG-INFO``, written when the sdist was built inside the repository.
"""

from __future__ import annotations

import sys
from email.parser import Parser
from pathlib import Path
from typing import Any

from hatchling.metadata.plugin.interface import MetadataHookInterface

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


def sibling_wheels(packages_dir: Path, own_name: str) -> dict[str, str | None]:
    """``{name: static version or None}`` of every wheel folder under ``packages_dir`` but ours.

    A sibling normally takes the shared version (``None`` here); notebook-shim writes its
    own (``0.2.x``), because the frontends require ``notebook_shim<0.3``.
    """
    wheels: dict[str, str | None] = {}
    for pyproject in sorted(packages_dir.glob("*/pyproject.toml")):
        with pyproject.open("rb") as f:
            project = tomllib.load(f).get("project", {})
        name = project.get("name")
        if name and name != own_name:
            wheels[name] = project.get("version")
    return wheels


def requirements_from_pkg_info(pkg_info: Path) -> list[str]:
    """The ``Requires-Dist`` lines of a PKG-INFO file (an unpacked sdist)."""
    message = Parser().parsestr(pkg_info.read_text(encoding="utf-8"))
    return list(message.get_all("Requires-Dist") or [])


class SiblingPinsHook(MetadataHookInterface):
    """``dependencies = ["<sibling>==<its version>", ...]`` for every sibling wheel."""

    PLUGIN_NAME = "custom"

    def update(self, metadata: dict[str, Any]) -> None:
        root = Path(self.root)
        packages_dir = root.parent
        if (root / "PKG-INFO").is_file() and not (packages_dir / "jupyter-server-core").is_dir():
            metadata["dependencies"] = requirements_from_pkg_info(root / "PKG-INFO")
            return
        wheels = sibling_wheels(packages_dir, metadata["name"])
        if not wheels:
            raise RuntimeError(f"no sibling wheels found under {packages_dir}")
        metadata["dependencies"] = [f"{name}=={version or metadata['version']}" for name, version in wheels.items()]
