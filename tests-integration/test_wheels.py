"""The built wheels: every folder builds, each has the uniform skeleton, the meta-package pins all."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
from pathlib import Path
from zipfile import ZipFile

import pytest
from _harness import ROOT, VERSION, Dist, check_wheels, normalize, wheel_folders

CHECK = ROOT / "tools" / "check_wheels.py"


def run_check(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(CHECK), *map(str, args)], capture_output=True, text=True)


@pytest.mark.parametrize("folder", wheel_folders())
def test_every_folder_builds_a_wheel_and_an_sdist(dist: Dist, folder: str) -> None:
    assert dist.wheel(folder).is_file()
    assert (dist.path / f"{normalize(folder)}-{dist.version(folder)}.tar.gz").is_file()


def test_check_wheels_passes_on_the_sources_and_the_built_dist(dist: Dist) -> None:
    assert not dist.failures, f"wheels failed to build: {sorted(dist.failures)}"
    result = run_check("--dist", dist.path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(f"ok: {len(wheel_folders())} wheels")


def test_the_meta_package_pins_every_sibling_wheel(dist: Dist) -> None:
    wheel = dist.wheel("jupyter-server")
    with ZipFile(wheel) as z:
        names = set(z.namelist())
    siblings = sorted(f"{folder}=={dist.version(folder)}" for folder in wheel_folders() if folder != "jupyter-server")
    assert requires_dist(wheel) == siblings
    assert {"jupyter_server/__init__.py", "jupyter_server/py.typed"} <= names
    assert not any(".data/" in name for name in names), "the meta-package enables no extension of its own"


def fake_repository(tmp_path: Path) -> Path:
    """A copy of the root files and the core wheel's skeleton, to break on purpose."""
    root = tmp_path / "repo"
    (root / "packages").mkdir(parents=True)
    for name in ("LICENSE", "_version.py"):
        shutil.copy(ROOT / name, root / name)
    core = ROOT / "packages" / "jupyter-server-core"
    copy = root / "packages" / "jupyter-server-core"
    shutil.copytree(core, copy, ignore=shutil.ignore_patterns("tests", "__pycache__", "*.egg-info"))
    shutil.copytree(ROOT / "packages" / "jupyter-server", root / "packages" / "jupyter-server",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    return root


def test_check_wheels_reports_one_line_per_problem(tmp_path: Path) -> None:
    root = fake_repository(tmp_path)
    assert run_check("--root", root).returncode == 0
    core = root / "packages" / "jupyter-server-core"
    (core / "LICENSE").write_text("Some other license\n")
    (core / "src" / "jupyter_server_core" / "py.typed").unlink()
    (core / "jupyter-config" / "jupyter_server_core.json").write_text("{not json")
    pyproject = core / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text()
        .replace('path = "../../_version.py"', 'path = "src/jupyter_server_core/_version.py"')
        .replace('"tornado>=6.2",', '"tornado>=6.2", "jupyter-server>=2",')
        .replace("etc/jupyter/jupyter_server_config.d/jupyter_server_core.json", "etc/jupyter/core.json")
    )
    (root / "packages" / "jupyter-server-contents").mkdir()
    result = run_check("--root", root)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    expected = [
        "packages/jupyter-server-contents: pyproject.toml is missing",
        "packages/jupyter-server-core: LICENSE differs from the root LICENSE",
        "packages/jupyter-server-core: src/jupyter_server_core/py.typed is missing",
        'packages/jupyter-server-core: [tool.hatch.version] path must be "../../_version.py"',
        "packages/jupyter-server-core/pyproject.toml: dependency 'jupyter-server>=2' is not pinned ==" + VERSION,
        "packages/jupyter-server-core/jupyter-config/jupyter_server_core.json: not valid JSON",
        "packages/jupyter-server-core: jupyter-config/jupyter_server_core.json is not shared-data to",
    ]
    for line in expected:
        assert any(got.startswith(line) for got in lines), f"{line!r} not in:\n{result.stdout}"
    assert len(lines) == len(expected), result.stdout


def test_check_wheels_opens_the_built_files(dist: Dist, tmp_path: Path) -> None:
    """A wheel built without its manifest or with a foreign version is caught in dist/."""
    root = fake_repository(tmp_path)
    fake_dist = tmp_path / "dist"
    fake_dist.mkdir()
    for path in dist.path.iterdir():
        if path.name.startswith(("jupyter_server_core-", "jupyter_server-")):
            shutil.copy(path, fake_dist)
    assert run_check("--root", root, "--dist", fake_dist).returncode == 0
    wheel = fake_dist / f"jupyter_server_core-{VERSION}-py3-none-any.whl"
    with ZipFile(wheel) as z:
        entries = {name: z.read(name) for name in z.namelist()}
    with ZipFile(wheel, "w") as z:
        for name, data in entries.items():
            if name.endswith(".data/data/etc/jupyter/jupyter_server_config.d/jupyter_server_core.json"):
                continue
            if name.endswith("/METADATA"):
                data = data.replace(f"Version: {VERSION}".encode(), b"Version: 0.0.1", 1)
            z.writestr(name, data)
    (fake_dist / f"jupyter_server-{VERSION}.tar.gz").unlink()
    lines = run_check("--root", root, "--dist", fake_dist).stdout.splitlines()
    assert any(f"version 0.0.1 is not {VERSION}" in line for line in lines), lines
    assert any("jupyter_server_core.json is not shipped as shared-data" in line for line in lines), lines
    assert any(f"jupyter_server-{VERSION}.tar.gz was not built" in line for line in lines), lines
    assert len(lines) == 3, lines



def requires_dist(wheel: Path) -> list[str]:
    with ZipFile(wheel) as z:
        name = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = z.read(name).decode()
    return sorted(line.split(":", 1)[1].strip() for line in metadata.splitlines() if line.startswith("Requires-Dist:"))


def test_the_meta_package_builds_from_its_sdist_alone(dist: Dist, tmp_path: Path) -> None:
    """pip builds a wheel from the sdist where no sibling folder exists: the pins must survive."""
    with tarfile.open(dist.path / f"jupyter_server-{VERSION}.tar.gz") as sdist:
        if hasattr(tarfile, "data_filter"):  # Python >= 3.10.12 / 3.11.4
            sdist.extractall(tmp_path, filter="data")
        else:  # pragma: no cover - our own sdist, built a moment ago
            sdist.extractall(tmp_path)
    result = subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path / "out")],
                            cwd=tmp_path / f"jupyter_server-{VERSION}", capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    rebuilt = tmp_path / "out" / f"jupyter_server-{VERSION}-py3-none-any.whl"
    assert requires_dist(rebuilt) == requires_dist(dist.wheel("jupyter-server")) != []


def test_notebook_shim_keeps_a_version_the_frontends_accept(tmp_path: Path) -> None:
    """Notebook 7 and JupyterLab require notebook_shim<0.3: ours is 0.2.<shared minor>."""
    assert check_wheels.expected_version("notebook-shim", "2.91.0") == "0.2.91"
    assert check_wheels.expected_version("notebook-shim", "2.91.3") == "0.2.91.3"
    assert check_wheels.expected_version("jupyter-server-core", "2.91.3") == "2.91.3"
    root = fake_repository(tmp_path)
    shutil.copytree(ROOT / "packages" / "notebook-shim", root / "packages" / "notebook-shim",
                    ignore=shutil.ignore_patterns("tests", "__pycache__", "*.egg-info"))
    pyproject = root / "packages" / "notebook-shim" / "pyproject.toml"
    text = pyproject.read_text()
    assert run_check("--root", root).returncode == 0
    shim_version = check_wheels.expected_version("notebook-shim", VERSION)
    pyproject.write_text(text.replace(f'version = "{shim_version}"', f'version = "{VERSION}"'))
    result = run_check("--root", root)
    assert result.stdout.splitlines() == [
        f"packages/notebook-shim: version must be {shim_version}, derived from the shared {VERSION}"
    ]
