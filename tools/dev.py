#!/usr/bin/env python3
"""The two quick-start commands, ``serve`` and ``test``, and ``lint``.

Each creates ``.venv/`` at the repository root on first use (only Python 3.10+ and pip
needed), installs every wheel under packages/ editable with its test extras and ipykernel,
then runs. Nothing outside the repository is touched.

    python3 tools/dev.py serve [jupyter server args]   # e.g. --port=9999
    python3 tools/dev.py serve --lab [args]            # JupyterLab, from .venv-lab/
    python3 tools/dev.py test  [pytest args]
    python3 tools/dev.py lint                           # ruff and mypy strict on packages/*/src
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("JUPYTER_DEV_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".installed"
EXTRA = ["ipykernel>=6.20", "pytest>=8", "pytest-asyncio>=0.23", "pytest-timeout", "hatchling>=1.27", "build",
         "ruff>=0.6", "mypy>=1.10"]
# `serve --lab` adds JupyterLab in a venv of its own, so its server extensions never reach
# the tests' venv.
LAB_VENV = ROOT / ".venv-lab"
LAB_EXTRA = ["jupyterlab>=4"]


def use_venv(path: Path) -> None:
    global VENV, BIN, PY, STAMP
    VENV = path
    BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
    PY = BIN / ("python.exe" if os.name == "nt" else "python")
    STAMP = VENV / ".installed"


def packages() -> list[Path]:
    return sorted(p for p in (ROOT / "packages").iterdir() if (p / "pyproject.toml").is_file())


def fingerprint(extra: list[str]) -> str:
    digest = hashlib.sha256()
    for pkg in packages():
        digest.update((pkg / "pyproject.toml").read_bytes())
        manifest = pkg / "jupyter-config"
        if manifest.is_dir():
            for f in sorted(manifest.iterdir()):
                digest.update(f.read_bytes())
    digest.update(" ".join(extra).encode())
    return digest.hexdigest()


def ensure_env(extra: list[str] = EXTRA) -> None:
    """Create the venv and (re)install the wheels when their metadata changed."""
    if not PY.exists():
        print(f"Creating {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = fingerprint(extra)
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    pip = [str(PY), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", "--upgrade", "pip"], check=True)
    args = []
    for pkg in packages():
        has_test = "test =" in (pkg / "pyproject.toml").read_text()
        args += ["-e", f"{pkg}[test]" if has_test else str(pkg)]
    print("Installing the wheels (editable) and test tools: about a minute the first time ...", flush=True)
    subprocess.run([*pip, "install", *args, *extra], check=True)
    STAMP.write_text(wanted)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("serve", "test", "env", "lint"):
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    lab = command == "serve" and "--lab" in rest
    if lab:
        rest = [arg for arg in rest if arg != "--lab"]
        use_venv(LAB_VENV)
    ensure_env([*EXTRA, *LAB_EXTRA] if lab else EXTRA)
    if command == "env":
        print(PY)
        return 0
    if command == "lint":
        return lint()
    if command == "serve":
        cmd = [str(BIN / "jupyter"), "lab" if lab else "server", *rest]
        if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in rest:
            print("Running as root: adding --allow-root", flush=True)
            cmd.append("--allow-root")
        os.execv(cmd[0], cmd)
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    return subprocess.call([str(PY), "-m", "pytest", *rest], cwd=ROOT, env=env)


def lint() -> int:
    """ruff with the root pyproject.toml's rules, then mypy strict, on every wheel's sources."""
    sources = [str(p / "src") for p in packages()]
    ruff = subprocess.call([str(PY), "-m", "ruff", "check", *sources], cwd=ROOT)
    mypy = subprocess.call([str(PY), "-m", "mypy", *sources], cwd=ROOT)
    return ruff or mypy


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
