"""A fresh virtual environment with our full install plus JupyterLab and Notebook 7.

Built once per content of packages/ (the sources that go into the wheels; the tests do not
count) and kept under ``tests/.work/venv-<hash>`` for the next session:

1. every wheel folder under packages/ is built with hatchling into ``.work/wheels-<hash>``;
2. ``pip install --find-links <wheels> jupyter-server==<ours> ipykernel``: the full install;
3. ``pip install jupyterlab notebook``: the one command docs/frontends.md documents;
4. ``pip install jupyterhub``, for its single-user server.

The pip output of step 3 is kept in ``.work/venv-<hash>/frontends-install.log``.
``JUPYTER_FRONTENDS_VENV=/path/to/venv`` runs the tests against an existing venv instead.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
PACKAGES = HERE.parent.parent
WORK = HERE / ".work"
_SKIP_PARTS = {"tests", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", "dist", "build", ".work"}
ONE_COMMAND = ("install", "jupyterlab", "notebook")


def sources_hash() -> str:
    """A digest of what goes into the wheels: every file under packages/ but tests and caches."""
    digest = hashlib.sha256()
    version_file = PACKAGES.parent / "_version.py"
    files = [version_file] if version_file.is_file() else []
    files += sorted(p for p in PACKAGES.rglob("*") if p.is_file())
    for path in files:
        rel = path.relative_to(PACKAGES.parent)
        if _SKIP_PARTS.intersection(rel.parts) or path.suffix == ".pyc" or any(
            part.endswith(".egg-info") for part in rel.parts
        ):
            continue
        digest.update(str(rel).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _clean_env() -> dict[str, str]:
    drop = ("JUPYTER", "PYTHON", "IPYTHON", "VIRTUAL_ENV", "PIP_REQUIRE_VIRTUALENV")
    return {k: v for k, v in os.environ.items() if not k.startswith(drop)}


def _run(argv: list[str | Path], cwd: Path | None = None) -> str:
    result = subprocess.run([str(a) for a in argv], cwd=cwd, env=_clean_env(), capture_output=True,
                            text=True, timeout=900)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, argv))} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result.stdout + result.stderr


def _our_version() -> str:
    import jupyter_server

    return jupyter_server.__version__


def build_venv(target: Path) -> None:
    """Build the wheels and the venv in ``target`` (a venv's scripts name its folder, so it
    is built where it lives); ``.complete`` marks it done."""
    shutil.rmtree(target, ignore_errors=True)
    wheels = target / "wheels"
    for folder in sorted(p for p in PACKAGES.iterdir() if (p / "pyproject.toml").is_file()):
        _run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", wheels], cwd=folder)
    venv = target / "venv"
    _run([sys.executable, "-m", "venv", venv])
    pip = [venv / "bin" / "python", "-m", "pip", "--disable-pip-version-check"]
    _run([*pip, "install", "-q", "--find-links", wheels, f"jupyter-server=={_our_version()}", "ipykernel"])
    (target / "frontends-install.log").write_text(_run([*pip, *ONE_COMMAND]))
    # JupyterHub's single-user server, for test_jupyterhub.py (not part of the one command).
    _run([*pip, "install", "-q", "jupyterhub"])
    (target / ".complete").write_text("ok")


@pytest.fixture(scope="session")
def frontends_venv() -> Path:
    """The venv (its folder): our full install, then ``pip install jupyterlab notebook``."""
    given = os.environ.get("JUPYTER_FRONTENDS_VENV")
    if given:
        return Path(given)
    WORK.mkdir(exist_ok=True)
    target = WORK / f"venv-{sources_hash()}"
    with open(WORK / ".lock", "w") as lock:  # concurrent sessions build one at a time
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / ".complete").is_file():
            for stale in WORK.glob("venv-*"):
                with contextlib.suppress(OSError):  # 400 MB each: keep only those in recent use
                    if time.time() - stale.stat().st_mtime > 1800:
                        shutil.rmtree(stale, ignore_errors=True)
            build_venv(target)
        os.utime(target)
    return target / "venv"
