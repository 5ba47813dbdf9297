"""Fixtures of the integration suite: one build per session, one fresh venv per scenario.

The wheels are built once per session (and cached under ``.work/`` by a hash of packages/),
then each scenario gets its own venv: third-party packages from the package index, our
wheels only from the built dist/ with no index at all. A scenario whose wheel is not in the
repository yet skips with that reason; a wheel that is there but broken fails.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

# The suite's helpers sit beside this file; pytest's importlib mode does not put it on sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import PACKAGES, Dist, Venv, build_example_extension  # noqa: E402

META = "jupyter-server"
EXTENSIONAPP = "jupyter-server-extensionapp"


@pytest.fixture(scope="session")
def dist() -> Dist:
    """Every wheel and sdist of packages/, built once."""
    return Dist.build()


@pytest.fixture(scope="session")
def make_venv(dist: Dist, tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Venv]:
    """``make_venv("name", *wheel_folders, extra=("ipykernel",))``: a fresh venv with those installed."""

    def make(name: str, *folders: str, extra: tuple[str, ...] = ()) -> Venv:
        for folder in folders:
            dist.require(folder)
        venv = Venv(tmp_path_factory.mktemp("venvs") / name, dist)
        venv.install(*folders, extra=extra)
        return venv

    return make


@pytest.fixture(scope="session")
def full_venv(make_venv: Callable[..., Venv], tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """The meta-package (every wheel) and ipykernel: the full install; with the example
    ExtensionApp (tests-integration/example_extension) once ExtensionApp is in the repository."""
    venv = make_venv("full", META, extra=("ipykernel",))
    if (PACKAGES / EXTENSIONAPP).is_dir():
        wheel = build_example_extension(tmp_path_factory.mktemp("example"))
        venv.pip("install", "-q", "--no-index", "--no-deps", wheel)
    return venv


@pytest.fixture(scope="session")
def frontends_venv(make_venv: Callable[..., Venv]) -> Venv:
    """Our full install, then the one command docs/frontends.md documents:
    ``pip install jupyterlab notebook`` (shared by the modules that run the frontends)."""
    venv = make_venv("frontends", META, extra=("ipykernel",))
    venv.pip("install", "-q", "jupyterlab", "notebook")
    return venv
