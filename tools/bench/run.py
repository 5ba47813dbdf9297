#!/usr/bin/env python3
"""Benchmarks: our server side by side with the reference jupyter_server 2.x, in one run.

    python3 tools/bench/run.py [--rounds N] [--only NAME,...] [--json PATH]

First run builds three scratch environments outside the repository (default
``~/.cache/jupyter-server-bench``, override with JUPYTER_BENCH_HOME): the reference
(``jupyter_server`` from PyPI + ipykernel), ours core-only and ours full (wheels built from
packages/, installed non-editable). Then every benchmark runs alternately against ours and
the reference, round after round, and the medians and ours/reference ratios are printed as
a table and written as JSON. Timings are never asserted by tests; this is where they live.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOME = Path(os.environ.get("JUPYTER_BENCH_HOME", Path.home() / ".cache" / "jupyter-server-bench"))
REFERENCE_SPEC = os.environ.get("JUPYTER_BENCH_REFERENCE", "jupyter_server>=2.21,<3")
THIRD_PARTY = ["ipykernel", "psutil"]
#: JupyterLab for the ``lab_start`` benchmark, installed on both sides in separate environments.
LAB_SPEC = os.environ.get("JUPYTER_BENCH_LAB", "jupyterlab>=4.6,<4.7")


def _bin(env: Path, name: str) -> Path:
    return env / "bin" / name


def _pip(env: Path, *args: str) -> None:
    subprocess.run([str(_bin(env, "python")), "-m", "pip", "-q", "--disable-pip-version-check", *args], check=True)


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted((ROOT / "packages").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix in (".py", ".toml", ".json"):
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _make_env(env: Path) -> None:
    if not _bin(env, "python").exists():
        venv.EnvBuilder(with_pip=True, clear=True).create(env)
        _pip(env, "install", "--upgrade", "pip")


def build_wheels() -> Path:
    """Build every wheel of packages/ once per source state."""
    dist = HOME / f"dist-{_fingerprint()}"
    if dist.is_dir() and any(dist.glob("*.whl")):
        return dist
    dist.mkdir(parents=True, exist_ok=True)
    builder = HOME / "builder"
    _make_env(builder)
    _pip(builder, "install", "hatchling>=1.27", "build")
    for pkg in sorted((ROOT / "packages").iterdir()):
        if (pkg / "pyproject.toml").is_file():
            subprocess.run([str(_bin(builder, "python")), "-m", "build", "--wheel", "--no-isolation",
                            "--outdir", str(dist), str(pkg)], check=True, stdout=subprocess.DEVNULL)
    return dist


def ensure_envs() -> dict[str, Path]:
    """The reference, ours-core and ours-full environments, (re)built when stale."""
    HOME.mkdir(parents=True, exist_ok=True)
    envs = {"reference": HOME / "reference", "core": HOME / "ours-core", "full": HOME / "ours-full"}
    stamp = envs["reference"] / ".bench-installed"
    if not stamp.exists() or stamp.read_text() != REFERENCE_SPEC:
        _make_env(envs["reference"])
        _pip(envs["reference"], "install", REFERENCE_SPEC, *THIRD_PARTY)
        stamp.write_text(REFERENCE_SPEC)
    dist = build_wheels()
    wanted = dist.name
    for name, targets in (("core", ["jupyter-server-core"]), ("full", ["jupyter-server"])):
        env = envs[name]
        stamp = env / ".bench-installed"
        if stamp.exists() and stamp.read_text() == wanted:
            continue
        if env.exists():
            subprocess.run(["rm", "-rf", str(env)], check=True)
        _make_env(env)
        available = {p.name.split("-")[0].replace("_", "-") for p in dist.glob("*.whl")}
        targets = [t for t in targets if t in available] or ["jupyter-server-core"]
        _pip(env, "install", "--find-links", str(dist), *targets, *THIRD_PARTY)
        stamp.write_text(wanted)
    return envs


def ensure_lab_envs(dist: Path) -> dict[str, Path]:
    """The reference and ours, each with JupyterLab (for ``jupyter lab`` start-up)."""
    envs = {"reference-lab": HOME / "reference-lab", "full-lab": HOME / "ours-full-lab"}
    for name, spec in (("reference-lab", [REFERENCE_SPEC]),
                       ("full-lab", ["--find-links", str(dist), "jupyter-server"])):
        env, wanted = envs[name], f"{dist.name if name == 'full-lab' else REFERENCE_SPEC} {LAB_SPEC}"
        stamp = env / ".bench-installed"
        if stamp.exists() and stamp.read_text() == wanted:
            continue
        if env.exists():
            subprocess.run(["rm", "-rf", str(env)], check=True)
        _make_env(env)
        # One resolution: pip keeps our jupyter_server (2.90) for JupyterLab's requirement.
        _pip(env, "install", *spec, LAB_SPEC, *THIRD_PARTY)
        stamp.write_text(wanted)
    return envs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5, help="rounds per benchmark (default 5)")
    parser.add_argument("--only", default="", help="comma-separated benchmark names")
    parser.add_argument("--json", default=str(HOME / "results.json"), help="where to write the JSON results")
    parser.add_argument("--skip-setup", action="store_true", help="reuse the environments as they are")
    args = parser.parse_args()
    envs = ensure_envs() if not args.skip_setup else {
        "reference": HOME / "reference", "core": HOME / "ours-core", "full": HOME / "ours-full"}
    only = [x for x in args.only.split(",") if x]
    if not only or "lab_start" in only:
        envs.update(ensure_lab_envs(build_wheels()) if not args.skip_setup else {
            "reference-lab": HOME / "reference-lab", "full-lab": HOME / "ours-full-lab"})
    # Measure from inside our full environment: it has tornado; both servers see the same client.
    driver = [str(_bin(envs["full"], "python")), str(Path(__file__).with_name("_driver.py"))]
    config = {
        "envs": {k: str(v) for k, v in envs.items()},
        "rounds": args.rounds,
        "only": only,
        "json": args.json,
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count()},
    }
    return subprocess.call([*driver, json.dumps(config)])


if __name__ == "__main__":
    sys.exit(main())
