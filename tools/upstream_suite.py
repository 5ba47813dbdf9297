#!/usr/bin/env python3
"""Run upstream's own test suites, unchanged, against our full install and against upstream.

The suites are the ``tests/`` folders of the jupyter_server 2.21.1 and
jupyter_server_terminals 0.5.4 sdists. They are fetched with pip when the script runs and kept
in a cache folder outside the repository (never committed here). Two venvs are built there:

- ``ours``: every wheel built from packages/ (the full install) plus the test tools; the
  upstream distributions jupyter_server, jupyter_server_terminals and notebook_shim must not
  be in it (checked with ``pip list``);
- ``upstream``: jupyter_server 2.21.1 and jupyter_server_terminals 0.5.4 from the index, plus
  the same test tools.

Each test file runs in its own pytest process (one hung or crashing file cannot take the
others down) with a per-test timeout; results are kept per file, so rerunning a few files
updates only their rows. The report lists pass/fail/skip per file on both sides and the share
of the tests passing on upstream that pass on ours.

    python3 tools/upstream_suite.py                    # everything, fresh venvs
    python3 tools/upstream_suite.py --reuse-venvs --side ours tests/test_utils.py
    python3 tools/upstream_suite.py --reuse-venvs --side ours -k kernel --suite server
    python3 tools/upstream_suite.py --reuse-venvs --side ours --ours-venv venv-ours-b tests/test_paths.py
    python3 tools/upstream_suite.py --report           # print the stored results only
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ROOT / "packages"
DEFAULT_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "jupyter-server-upstream-suite"

SUITES = {"server": ("jupyter_server", "2.21.1"), "terminals": ("jupyter_server_terminals", "0.5.4")}
SIDES = ("upstream", "ours")
# What both venvs need to run the suites (pytest-jupyter without its [server] extra, whose
# jupyter_server requirement would otherwise be the resolver's to satisfy).
TEST_TOOLS = [
    "pytest>=7,<10", "pytest-jupyter>=0.10", "pytest-timeout", "pytest-console-scripts", "requests",
    "flaky", "ipykernel", "nbformat", "jupyter_client",
]
# Upstream distributions whose names we publish too: none may sit in our venv.
TWINS = ("jupyter-server", "jupyter-server-terminals", "notebook-shim")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(argv, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]
    if result.returncode != 0:
        sys.exit(f"failed ({result.returncode}): {' '.join(argv)}\n{result.stdout}{result.stderr}")
    return result  # type: ignore[no-any-return]


def clean_env(**extra: str) -> dict[str, str]:
    """The caller's environment without Jupyter, Python or venv settings that would leak in."""
    drop = ("JUPYTER", "PYTHON", "IPYTHON", "VIRTUAL_ENV", "PYTEST")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env.update(PYTHONDONTWRITEBYTECODE="1", **extra)
    return env


# ---------------------------------------------------------------- sources of the suites


def fetch_suites(cache: Path) -> dict[str, Path]:
    """Download and unpack each sdist once; return the folder holding its ``tests/``."""
    sdists = cache / "sdists"
    sdists.mkdir(parents=True, exist_ok=True)
    folders = {}
    for suite, (dist, version) in SUITES.items():
        unpacked = sdists / f"{dist}-{version}"
        if not (unpacked / "tests").is_dir():
            log(f"downloading the {dist} {version} sdist ...")
            run([sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "-q", "--no-deps",
                 "--no-binary", ":all:", f"{dist}=={version}", "-d", str(sdists)])
            archive = next(sdists.glob(f"{dist}-{version}.tar.gz"))
            with tarfile.open(archive) as tar:
                tar.extractall(sdists, filter="data")
        # Only tests/ and the pytest settings: the sdist's own package must never be importable.
        work = cache / "suites" / suite
        if not (work / "tests").is_dir():
            work.mkdir(parents=True, exist_ok=True)
            shutil.copytree(unpacked / "tests", work / "tests")
            shutil.copy2(unpacked / "pyproject.toml", work / "pyproject.toml")
        folders[suite] = work
    return folders


# ---------------------------------------------------------------- the two venvs


OURS_VENV = "venv-ours"


def venv_python(path: Path) -> Path:
    return path / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def pip(venv: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run([str(venv_python(venv)), "-m", "pip", "--disable-pip-version-check", *args], env=clean_env())


def create_venv(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
    run([sys.executable, "-m", "venv", str(path)])


def build_our_wheels(cache: Path, venv_name: str) -> list[Path]:
    # each venv of ours gets its own wheel folder, so two worktrees can rebuild at once
    dist = cache / ("ours-dist" if venv_name == OURS_VENV else f"{venv_name}-dist")
    shutil.rmtree(dist, ignore_errors=True)
    dist.mkdir(parents=True)
    folders = sorted(p for p in PACKAGES.iterdir() if (p / "pyproject.toml").is_file())
    log(f"building {len(folders)} wheels of ours ...")
    run([sys.executable, "-m", "pip", "wheel", "--disable-pip-version-check", "-q", "--no-deps",
         "-w", str(dist), *map(str, folders)], env=clean_env())
    return sorted(dist.glob("*.whl"))


def installed(venv: Path) -> dict[str, str]:
    listing = json.loads(pip(venv, "list", "--format=json").stdout)
    return {p["name"].lower().replace("_", "-"): p["version"] for p in listing}


def prepare_ours(cache: Path, reuse: bool, venv_name: str = OURS_VENV) -> Path:
    venv = cache / venv_name
    wheels = build_our_wheels(cache, venv_name)
    if not (reuse and venv_python(venv).exists()):
        log("creating the venv of our full install ...")
        create_venv(venv)
        pip(venv, "install", "-q", *map(str, wheels), *TEST_TOOLS)
    else:  # same venv, our code refreshed
        pip(venv, "install", "-q", "--force-reinstall", "--no-deps", *map(str, wheels))
        pip(venv, "install", "-q", *map(str, wheels))
    versions = installed(venv)
    ours = {w.name.split("-")[0].lower().replace("_", "-"): w.name.split("-")[1] for w in wheels}
    for twin in TWINS:
        if twin in versions and versions[twin] != ours.get(twin):
            sys.exit(f"the venv of ours holds upstream {twin} {versions[twin]}")
    return venv


def prepare_upstream(cache: Path, reuse: bool) -> Path:
    venv = cache / "venv-upstream"
    if not (reuse and venv_python(venv).exists()):
        log("creating the upstream venv ...")
        create_venv(venv)
        pins = [f"{dist}=={version}" for dist, version in SUITES.values()]
        pip(venv, "install", "-q", *pins, *TEST_TOOLS)
    return venv


# ---------------------------------------------------------------- running and reading results


@dataclass
class FileResult:
    passed: set[str] = field(default_factory=set)
    failed: dict[str, str] = field(default_factory=dict)  # test -> first line of the reason
    skipped: set[str] = field(default_factory=set)
    broken: str = ""  # the file could not be collected or its process died
    k: str = ""  # the -k expression of the run, if only part of the file ran


def test_files(suite_dir: Path, wanted: list[str]) -> list[str]:
    found = sorted(str(p.relative_to(suite_dir)) for p in (suite_dir / "tests").rglob("test_*.py"))
    if not wanted:
        return found
    return [f for f in found if any(f == w or f.startswith(w.rstrip("/") + "/") for w in wanted)]


def result_path(cache: Path, suite: str, side: str, test_file: str) -> Path:
    return cache / "results" / suite / side / (test_file.replace("/", "__") + ".json")


def parse_junit(xml_file: Path) -> FileResult:
    result = FileResult()
    for case in ET.parse(xml_file).getroot().iter("testcase"):
        name = case.get("name", "")
        classname = case.get("classname", "")
        cls = classname.rsplit(".", 1)[-1] if classname and classname.rsplit(".", 1)[-1][:1].isupper() else ""
        test = f"{cls}::{name}" if cls else name
        problems = [c for c in case if c.tag in ("failure", "error")]
        if problems:
            if not classname:  # a collection error carries no class name
                result.broken = (problems[0].get("message") or "collection failed").splitlines()[0][:200]
                continue
            result.failed[test] = (problems[0].get("message") or "").splitlines()[0][:200] if problems[0].get("message") else ""
            result.passed.discard(test)
        elif any(c.tag == "skipped" for c in case):
            result.skipped.add(test)
        elif test not in result.failed:
            result.passed.add(test)
    return result


def run_file(cache: Path, suite: str, suite_dir: Path, side: str, venv: Path, test_file: str,
             args: argparse.Namespace) -> FileResult:
    xml_file = cache / "junit" / suite / side / (test_file.replace("/", "__") + ".xml")
    xml_file.parent.mkdir(parents=True, exist_ok=True)
    xml_file.unlink(missing_ok=True)
    argv = [str(venv_python(venv)), "-m", "pytest", test_file, "-q", "-p", "no:cacheprovider",
            f"--timeout={args.timeout}", "-o", "timeout_method=signal", "-o", "junit_family=xunit1",
            f"--junitxml={xml_file}", "--color=no"]
    if args.k:
        argv += ["-k", args.k]
    started = time.monotonic()
    try:
        proc = subprocess.run(argv, cwd=suite_dir, env=clean_env(), capture_output=True, text=True,
                              timeout=args.file_timeout)
        output = proc.stdout + proc.stderr
    except subprocess.TimeoutExpired as exc:
        partial = exc.stdout.decode(errors="replace") if isinstance(exc.stdout, bytes) else exc.stdout or ""
        output = f"{partial}\nthe file ran past {args.file_timeout} s and was stopped"
    logs = cache / "logs" / suite / side
    logs.mkdir(parents=True, exist_ok=True)
    (logs / (test_file.replace("/", "__") + ".log")).write_text(output)
    result = parse_junit(xml_file) if xml_file.is_file() else FileResult(broken="pytest wrote no report (see logs/)")
    result.k = args.k
    log(f"  {side:8} {suite}:{test_file}: {len(result.passed)} passed, {len(result.failed)} failed, "
        f"{len(result.skipped)} skipped{' [' + result.broken + ']' if result.broken else ''} "
        f"({time.monotonic() - started:.0f} s)")
    path = result_path(cache, suite, side, test_file)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"passed": sorted(result.passed), "failed": result.failed,
                                "skipped": sorted(result.skipped), "broken": result.broken, "k": result.k}))
    return result


def load_result(cache: Path, suite: str, side: str, test_file: str) -> FileResult | None:
    path = result_path(cache, suite, side, test_file)
    if not path.is_file():
        return None
    data = json.loads(path.read_text())
    return FileResult(set(data["passed"]), dict(data["failed"]), set(data["skipped"]), data["broken"], data["k"])


# ---------------------------------------------------------------- the report


def report(cache: Path, files: dict[str, list[str]], show_failures: bool) -> float:
    header = f"{'file':58} {'upstream p/f/s':>15} {'ours p/f/s':>15} {'ours of up':>11}"
    print(header)
    print("-" * len(header))
    total_up = total_both = 0
    missing: list[str] = []
    for suite, names in files.items():
        suite_up = suite_both = 0
        for test_file in names:
            up = load_result(cache, suite, "upstream", test_file)
            ours = load_result(cache, suite, "ours", test_file)
            if up is None or ours is None:
                print(f"{suite + ':' + test_file:58} {'(not run)' if up is None else '':>15} {'(not run)' if ours is None else '':>15}")
                continue
            if ours.k or up.k:  # a partial run: compare the tests both sides ran
                ran = (ours.passed | set(ours.failed) | ours.skipped) & (up.passed | set(up.failed) | up.skipped)
                up = FileResult(up.passed & ran, up.failed, up.skipped, up.broken)
            both = up.passed & ours.passed
            suite_up += len(up.passed)
            suite_both += len(both)

            def cell(r: FileResult) -> str:
                return "collect error" if r.broken and not (r.passed or r.failed) else f"{len(r.passed)}/{len(r.failed)}/{len(r.skipped)}"

            print(f"{suite + ':' + test_file:58} {cell(up):>15} {cell(ours):>15} {len(both):>5}/{len(up.passed):<5}")
            for test in sorted(up.passed - ours.passed):
                reason = ours.failed.get(test) or ("skipped on ours" if test in ours.skipped else ours.broken or "not run on ours")
                missing.append(f"{suite}:{test_file}::{test}  --  {reason}")
        share = 100.0 * suite_both / suite_up if suite_up else 0.0
        print(f"{'  ' + suite + ' suite total':58} {suite_up:>15} {suite_both:>15} {share:>10.1f}%")
        total_up += suite_up
        total_both += suite_both
    share = 100.0 * total_both / total_up if total_up else 0.0
    print(f"\nours passes {share:.1f}% of the tests that pass on upstream ({total_both} of {total_up})")
    if show_failures and missing:
        print("\npassing on upstream, not on ours:")
        print("\n".join(missing))
    return share


def markdown(cache: Path, files: dict[str, list[str]]) -> str:
    """The per-file table and every test passing on upstream only, as Markdown for the docs."""
    rows = ["| file | upstream passed/failed/skipped | ours passed/failed/skipped | ours passes of upstream's |",
            "|---|---|---|---|"]
    missing: list[str] = []
    for suite, names in files.items():
        for test_file in names:
            up, ours = load_result(cache, suite, "upstream", test_file), load_result(cache, suite, "ours", test_file)
            if up is None or ours is None:
                continue
            rows.append(f"| {suite}: `{test_file}` | {len(up.passed)}/{len(up.failed)}/{len(up.skipped)} | "
                        f"{len(ours.passed)}/{len(ours.failed)}/{len(ours.skipped)} | "
                        f"{len(up.passed & ours.passed)}/{len(up.passed)} |")
            for test in sorted(up.passed - ours.passed):
                reason = ours.failed.get(test) or ("skipped" if test in ours.skipped else ours.broken or "not run")
                missing.append(f"- {suite}: `{test_file}::{test}`: {reason.replace('|', '/')}")
    return "\n".join(rows) + "\n\n" + "\n".join(missing) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", help="test files or folders (as tests/...) to run; all when none")
    parser.add_argument("--suite", choices=[*SUITES, "both"], default="both", help="which upstream suite")
    parser.add_argument("--side", choices=[*SIDES, "both"], default="both", help="which venv to run against")
    parser.add_argument("-k", default="", help="pytest -k expression passed to every file")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help=f"work folder (default {DEFAULT_CACHE})")
    parser.add_argument("--reuse-venvs", action="store_true", help="keep existing venvs (ours still gets freshly built wheels)")
    parser.add_argument("--ours-venv", default=OURS_VENV, metavar="NAME",
                        help="folder name, inside the cache, of the venv of ours (and of its wheels); give each "
                             "worktree its own so parallel runs never rebuild the same venv; results stay shared")
    parser.add_argument("--timeout", type=int, default=60, help="seconds one test may take")
    parser.add_argument("--file-timeout", type=int, default=1800, help="seconds one test file may take")
    parser.add_argument("--jobs", type=int, default=1, help="test files run at the same time")
    parser.add_argument("--report", action="store_true", help="print the stored results without running")
    parser.add_argument("--failures", action="store_true", help="list every test passing on upstream only")
    parser.add_argument("--markdown", action="store_true", help="print the stored results as Markdown (for docs/)")
    parser.add_argument("--min-share", type=float, default=0.0,
                        help="exit 1 when ours passes less than this percentage of upstream's passing tests")
    args = parser.parse_args(argv)

    cache: Path = args.cache.resolve()
    if cache == ROOT or ROOT in cache.parents:
        sys.exit("the cache must be outside the repository: upstream's tests are never kept here")
    suites = list(SUITES) if args.suite == "both" else [args.suite]
    sides = list(SIDES) if args.side == "both" else [args.side]
    folders = fetch_suites(cache)
    files = {s: test_files(folders[s], args.files) for s in suites}
    files = {s: f for s, f in files.items() if f}
    if args.markdown:
        print(markdown(cache, files), end="")
        return 0
    if not args.report:
        venvs = {side: prepare_ours(cache, args.reuse_venvs, args.ours_venv) if side == "ours"
                 else prepare_upstream(cache, args.reuse_venvs) for side in sides}
        jobs = [(suite, side, f) for suite in files for f in files[suite] for side in sides]
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            for future in [pool.submit(run_file, cache, suite, folders[suite], side, venvs[side], f, args)
                           for suite, side, f in jobs]:
                future.result()
    share = report(cache, files, args.failures)
    if share < args.min_share:
        print(f"below the required {args.min_share:.1f}%", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
