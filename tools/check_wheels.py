#!/usr/bin/env python3
"""Check that every wheel under packages/ has the project's uniform skeleton.

    python3 tools/check_wheels.py                 # the source folders
    python3 tools/check_wheels.py --dist dist     # and the wheels and sdists built into dist/

Each wheel folder must hold ``pyproject.toml``, ``README.md``, a ``LICENSE`` identical to the
root one, ``src/<import_name>/{__init__.py,py.typed}`` and, except the meta-package,
``jupyter-config/<import_name>.json``: valid JSON enabling ``<import_name>``, shipped as
shared-data to ``etc/jupyter/jupyter_server_config.d/<import_name>.json``. The version is the
shared one (``[tool.hatch.version] path = "../../_version.py"``), except for a wheel that
stands in for an upstream package pinned to a range (see ``expected_version``); dependencies
on sibling wheels are pinned ``==`` to their version, and the meta-package depends on every
sibling.

With ``--dist``, the built wheel and sdist of every folder are opened and checked the same
way (what a user installs, not only what the sources say). Prints one line per problem and
exits 1, or prints a one-line summary and exits 0. Needs only the standard library.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
META_PACKAGE = "jupyter-server"
CONFD = "etc/jupyter/jupyter_server_config.d"
VERSION_PATH = "../../_version.py"


def normalize(name: str) -> str:
    """A distribution name as wheel file names and comparisons spell it."""
    return re.sub(r"[-_.]+", "_", name).lower()


def import_name(dist_name: str) -> str:
    return normalize(dist_name)


def shared_version(root: Path) -> str:
    """``__version__`` from the root ``_version.py``, read without importing it."""
    tree = ast.parse((root / "_version.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets
        ):
            value = ast.literal_eval(node.value)
            if isinstance(value, str):
                return value
    raise SystemExit(f"{root / '_version.py'}: no __version__ = '...' found")


def expected_version(name: str, shared: str) -> str:
    """The version the wheel ``name`` must carry when the shared version is ``shared``.

    Every wheel takes the shared version, but for notebook-shim: Notebook 7 and JupyterLab
    require ``notebook_shim>=0.2,<0.3`` and ours takes upstream's place, so it is
    ``0.2.<shared minor>`` (``0.2.<minor>.<patch>`` for a patch release), written in its
    pyproject.toml. Bump it with the shared version; this tool names it when it is stale.
    """
    if normalize(name) == "notebook_shim":
        _major, minor, patch = (shared.split(".") + ["0", "0"])[:3]
        return f"0.2.{minor}" if patch == "0" else f"0.2.{minor}.{patch}"
    return shared


def requirement_name(requirement: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    return normalize(match.group(1)) if match else ""


def check_pins(where: str, requirements: list[str], versions: dict[str, str]) -> list[str]:
    """Every requirement naming a sibling wheel must be ``name==<its version>``, nothing more.

    ``versions``: the expected version of every sibling, by normalized name."""
    problems = []
    for requirement in requirements:
        name = requirement_name(requirement)
        if name not in versions:
            continue
        version = versions[name]
        spec = requirement.split(";")[0].strip()
        pinned = re.fullmatch(r"[A-Za-z0-9._-]+\s*==\s*(\S+)", spec)
        if not pinned or pinned.group(1) != version:
            problems.append(f"{where}: dependency {requirement!r} is not pinned =={version}")
    return problems


def check_manifest_json(where: str, text: str, module: str) -> list[str]:
    try:
        data: Any = json.loads(text)
    except ValueError as e:
        return [f"{where}: not valid JSON ({e})"]
    enabled = (data.get("ServerApp", {}) if isinstance(data, dict) else {}).get("jpserver_extensions", {})
    if not isinstance(enabled, dict) or enabled.get(module) is not True:
        return [f"{where}: does not enable ServerApp.jpserver_extensions.{module}"]
    return []


def check_source(folder: Path, project: dict[str, Any], root: Path, versions: dict[str, str], shared: str) -> list[str]:
    """Problems of one wheel's source folder (``project`` is its parsed pyproject.toml)."""
    rel = f"packages/{folder.name}"
    meta = project.get("project", {})
    name = meta.get("name", "")
    module = import_name(name)
    hatch = project.get("tool", {}).get("hatch", {})
    wheel_target = hatch.get("build", {}).get("targets", {}).get("wheel", {})
    problems = []
    if not (folder / "LICENSE").is_file():
        problems.append(f"{rel}: LICENSE is missing")
    elif (folder / "LICENSE").read_bytes() != (root / "LICENSE").read_bytes():
        problems.append(f"{rel}: LICENSE differs from the root LICENSE")
    if meta.get("license-files") != ["LICENSE"]:
        problems.append(f"{rel}: pyproject [project] license-files must be [\"LICENSE\"]")
    if not (folder / "README.md").is_file():
        problems.append(f"{rel}: README.md is missing")
    if meta.get("readme") != "README.md":
        problems.append(f"{rel}: pyproject [project] readme must be \"README.md\"")
    for part in ("__init__.py", "py.typed"):
        if not (folder / "src" / module / part).is_file():
            problems.append(f"{rel}: src/{module}/{part} is missing")
    if f"src/{module}" not in wheel_target.get("packages", []):
        problems.append(f"{rel}: [tool.hatch.build.targets.wheel] packages must list \"src/{module}\"")
    expected = versions[normalize(name)]
    if expected != shared:
        if meta.get("version") != expected:
            problems.append(f"{rel}: version must be {expected}, derived from the shared {shared}")
    elif "version" in meta or "version" not in meta.get("dynamic", []):
        problems.append(f"{rel}: the version must be dynamic, not written in pyproject.toml")
    elif hatch.get("version", {}).get("path") != VERSION_PATH:
        problems.append(f"{rel}: [tool.hatch.version] path must be \"{VERSION_PATH}\"")
    problems += check_pins(f"{rel}/pyproject.toml", meta.get("dependencies", []), versions)
    if name == META_PACKAGE:
        if "dependencies" not in meta.get("dynamic", []) or not (folder / "hatch_build.py").is_file():
            problems.append(f"{rel}: dependencies must be dynamic, filled in by hatch_build.py")
        return problems
    manifest = folder / "jupyter-config" / f"{module}.json"
    if not manifest.is_file():
        problems.append(f"{rel}: jupyter-config/{module}.json is missing")
    else:
        problems += check_manifest_json(f"{rel}/jupyter-config/{module}.json", manifest.read_text(encoding="utf-8"), module)
    shared_data = wheel_target.get("shared-data", {})
    if shared_data.get(f"jupyter-config/{module}.json") != f"{CONFD}/{module}.json":
        problems.append(
            f"{rel}: jupyter-config/{module}.json is not shared-data to {CONFD}/{module}.json"
        )
    return problems


def check_wheel(wheel: Path, folder: Path, name: str, root: Path, versions: dict[str, str]) -> list[str]:
    """Problems of one built wheel file (``folder``: the sources it was built from)."""
    module = import_name(name)
    version = versions[normalize(name)]
    where = f"dist/{wheel.name}"
    dist_info = f"{module}-{version}.dist-info"
    with zipfile.ZipFile(wheel) as z:
        files = set(z.namelist())

        def read(path: str) -> bytes | None:
            return z.read(path) if path in files else None

        problems = [f"{where}: {module}/{part} is missing" for part in ("__init__.py", "py.typed") if f"{module}/{part}" not in files]
        license_text = read(f"{dist_info}/licenses/LICENSE")
        if license_text is None:
            problems.append(f"{where}: {dist_info}/licenses/LICENSE is missing")
        elif license_text != (root / "LICENSE").read_bytes():
            problems.append(f"{where}: LICENSE differs from the root LICENSE")
        raw_metadata = read(f"{dist_info}/METADATA")
        if raw_metadata is None:
            return [*problems, f"{where}: {dist_info}/METADATA is missing"]
        metadata = Parser().parsestr(raw_metadata.decode("utf-8"))
        if metadata["Version"] != version:
            problems.append(f"{where}: version {metadata['Version']} is not {version}")
        readme = folder / "README.md"
        if readme.is_file() and readme.read_text(encoding="utf-8").strip() not in str(metadata.get_payload()):
            problems.append(f"{where}: the long description is not README.md")
        requirements = [r for r in metadata.get_all("Requires-Dist") or [] if "extra ==" not in r]
        problems += check_pins(where, requirements, versions)
        if name == META_PACKAGE:
            missing = set(versions) - {normalize(META_PACKAGE)} - {requirement_name(r) for r in requirements}
            problems += [f"{where}: does not depend on sibling wheel {m}" for m in sorted(missing)]
            return problems
        data = read(f"{module}-{version}.data/data/{CONFD}/{module}.json")
        if data is None:
            problems.append(f"{where}: {CONFD}/{module}.json is not shipped as shared-data")
        else:
            problems += check_manifest_json(f"{where}: {CONFD}/{module}.json", data.decode("utf-8"), module)
    return problems


def check_sdist(sdist: Path, name: str) -> list[str]:
    module = import_name(name)
    with tarfile.open(sdist) as t:
        top = sdist.name[: -len(".tar.gz")]
        files = {m.name[len(top) + 1:] for m in t.getmembers()}
    needed = ["pyproject.toml", "README.md", "LICENSE", "PKG-INFO", f"src/{module}/__init__.py", f"src/{module}/py.typed"]
    if name != META_PACKAGE:
        needed.append(f"jupyter-config/{module}.json")
    return [f"dist/{sdist.name}: {path} is missing" for path in needed if path not in files]


def check(root: Path, dist: Path | None) -> tuple[list[str], int]:
    """All problems in the repository at ``root`` (and in ``dist``); and how many wheels."""
    shared = shared_version(root)
    projects: dict[Path, dict[str, Any]] = {}
    problems = []
    for pyproject in sorted((root / "packages").glob("*/pyproject.toml")):
        try:
            projects[pyproject.parent] = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as e:
            problems.append(f"packages/{pyproject.parent.name}/pyproject.toml: not valid TOML ({e})")
    for folder in sorted((root / "packages").iterdir()):
        if folder.is_dir() and folder not in projects and not folder.name.startswith("."):
            problems.append(f"packages/{folder.name}: pyproject.toml is missing")
    names = {folder: p.get("project", {}).get("name", "") for folder, p in projects.items()}
    versions = {normalize(n): expected_version(n, shared) for n in names.values() if n}
    if normalize(META_PACKAGE) not in versions:
        problems.append(f"packages/: the meta-package {META_PACKAGE} is missing")
    for folder, project in projects.items():
        name = names[folder]
        if not name:
            problems.append(f"packages/{folder.name}/pyproject.toml: [project] name is missing")
            continue
        if folder.name != name:
            problems.append(f"packages/{folder.name}: folder name differs from the wheel name {name}")
        problems += check_source(folder, project, root, versions, shared)
        if dist is None:
            continue
        base = f"{import_name(name)}-{versions[normalize(name)]}"
        wheel, sdist = dist / f"{base}-py3-none-any.whl", dist / f"{base}.tar.gz"
        if not wheel.is_file():
            problems.append(f"dist/: {wheel.name} was not built")
        else:
            problems += check_wheel(wheel, folder, name, root, versions)
        if not sdist.is_file():
            problems.append(f"dist/: {sdist.name} was not built")
        else:
            problems += check_sdist(sdist, name)
    return problems, len(projects)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository root (default: this one)")
    parser.add_argument("--dist", type=Path, help="also check the wheels and sdists built into this folder")
    args = parser.parse_args(argv)
    problems, count = check(args.root.resolve(), args.dist.resolve() if args.dist else None)
    for problem in problems:
        print(problem)
    if problems:
        return 1
    print(f"ok: {count} wheels" + (f" and their wheel and sdist files in {args.dist}" if args.dist else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
