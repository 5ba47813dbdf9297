"""JupyterLab 4 and Notebook 7, unmodified, on our server, used in a real browser.

The venv is our full install (our wheels only, from the session's dist/) plus the one command
docs/frontends.md documents, ``pip install jupyterlab notebook``. A real ``jupyter lab`` /
``jupyter notebook`` of that venv serves Debian's chromium, driven like a person by
``browser/driver.js`` (the npm package playwright-core; never a downloaded browser): open
the page with the token, create a notebook, run ``print(6*7)`` and see 42, save, open a
terminal and run a command; in Notebook 7 rename the notebook; in JupyterLab's file browser
delete a folder with a file in it, open an HTML file in a new browser tab, and File > Shut
Down. Each outcome is then checked
again over the REST API, independently of the page. On failure the driver's screenshots
(and the page's HTML and the server log) are kept in tests-integration/artifacts/<test>/.

Chromium, node and the driver's node_modules are installed by .ci/run. Where one is missing
the tests skip (a developer's machine), except under CI, where they fail.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from _harness import TOKEN, UPSTREAM_TWINS, Server, Venv, normalize
from jupyter_server_core.pytest_plugin import ServerProcess

HERE = Path(__file__).resolve().parent
BROWSER = HERE / "browser"
DRIVER = BROWSER / "driver.js"
ARTIFACTS = HERE / "artifacts"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
META = "jupyter-server"
RENAMED = "renamed-in-notebook7.ipynb"  # the name driver.js gives the Notebook 7 notebook

# Building the venv (pip install jupyterlab notebook) and two browser sessions.
pytestmark = pytest.mark.timeout(900)


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} (.ci/run installs it)")
    pytest.skip(f"{what}: run .ci/run once, or see tests-integration/browser/package.json")


@pytest.fixture(scope="module")
def node() -> str:
    """The node that runs the driver, once chromium and playwright-core are there."""
    if not CHROMIUM.is_file():
        _missing(f"no chromium at {CHROMIUM} (apt-get install chromium)")
    node = shutil.which("node")
    if not node:
        _missing("no node on PATH")
    if not (BROWSER / "node_modules" / "playwright-core" / "package.json").is_file():
        _missing("playwright-core is not installed (npm ci in tests-integration/browser)")
    return str(node)


_PROBE = """
import importlib.metadata as m, importlib.util, json, pathlib, sys
dists = [{"name": d.metadata["Name"], "version": d.version, "metadata": d.read_text("METADATA") or "",
          "files": sorted(str(f) for f in d.files or [])} for d in m.distributions()]
modules = {}
for name in sys.argv[1:]:
    spec = importlib.util.find_spec(name)
    root = pathlib.Path(spec.origin).parent
    modules[name] = sorted(str(p.relative_to(root.parent)) for p in root.rglob("*.py"))
json.dump({"dists": dists, "modules": modules}, sys.stdout)
"""


def _probe(venv: Venv, *modules: str) -> dict[str, Any]:
    """Every distribution the venv's own interpreter sees (importlib.metadata, as the server
    would), and the .py files on disk of each import package in ``modules``."""
    return json.loads(venv.run(venv.python, "-c", _PROBE, *modules).stdout)


def _metadata_of_our_wheel(venv: Venv, folder: str) -> str:
    from zipfile import ZipFile

    name, version = normalize(folder), venv.dist.version(folder)
    with ZipFile(venv.dist.wheel(folder)) as z:
        return z.read(f"{name}-{version}.dist-info/METADATA").decode()


def test_the_frontends_run_on_ours_with_no_upstream_twin(frontends_venv: Venv) -> None:
    """JupyterLab 4 and Notebook 7 are installed; jupyter_server, jupyter_server_terminals and
    notebook_shim are ours alone: one distribution each, with the very METADATA of our built
    wheel, and every .py file of their import packages is one our wheel installed."""
    twins = {normalize(t): t for t in UPSTREAM_TWINS}
    found = _probe(frontends_venv, *twins)
    by_name: dict[str, list[dict[str, Any]]] = {}
    for dist in found["dists"]:
        by_name.setdefault(normalize(dist["name"]), []).append(dist)
    assert [d["version"][:2] for d in by_name.get("jupyterlab", [])] == ["4."], by_name.get("jupyterlab")
    assert [d["version"][:2] for d in by_name.get("notebook", [])] == ["7."], by_name.get("notebook")
    for module, twin in twins.items():
        dists = by_name.get(module, [])
        assert len(dists) == 1, f"{twin}: {len(dists)} distributions: {[d['version'] for d in dists]}"
        ours = frontends_venv.dist.version(twin)
        assert dists[0]["version"] == ours, f"upstream {twin} {dists[0]['version']} is installed, not ours ({ours})"
        assert dists[0]["metadata"] == _metadata_of_our_wheel(frontends_venv, twin), f"{twin}: not our wheel's METADATA"
        stray = set(found["modules"][module]) - set(dists[0]["files"])
        assert not stray, f"{module}: files no wheel of ours installed: {sorted(stray)}"
    frontends_venv.pip("check")


def _home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    (home / "root_dir").mkdir(parents=True)
    return home


def _artifacts(request: pytest.FixtureRequest) -> Path:
    folder = ARTIFACTS / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    return folder


def _drive(node: str, scenario: str, server: Server, artifacts: Path, extra_env: dict[str, str] | None = None,
           restart: Callable[[], None] | None = None) -> dict[str, Any]:
    """Run the driver; its last stdout line is its JSON report. On failure, keep the server
    log beside the screenshots and fail with the step, the error and where they are.
    ``restart`` answers a scenario that asks for the server to be restarted under its page."""
    env = {**os.environ, "JUPYTER_URL": server.url, "JUPYTER_TOKEN": TOKEN, "ARTIFACTS": str(artifacts),
           "CHROMIUM": str(CHROMIUM), **(extra_env or {})}
    # Its own process group: chromium goes too should the driver have to be killed.
    driver = subprocess.Popen([node, str(DRIVER), scenario], cwd=BROWSER, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, start_new_session=True,
                              stdin=subprocess.PIPE if restart else subprocess.DEVNULL)
    early = _serve_restart_request(driver, restart) if restart else ""
    try:
        stdout, stderr = driver.communicate(timeout=300)
        stdout = early + stdout
    except subprocess.TimeoutExpired:
        os.killpg(driver.pid, signal.SIGKILL)
        stdout, stderr = driver.communicate()
        stderr += "\n(driver and chromium killed after 300 s)"
    code = driver.returncode
    lines = stdout.strip().splitlines()
    try:
        report = json.loads(lines[-1]) if lines else {}
    except ValueError:
        report = {}
    if code != 0 or not report.get("ok"):
        artifacts.mkdir(parents=True, exist_ok=True)
        (artifacts / "server.log").write_text(server.log())
        (artifacts / "driver.log").write_text(stdout + "\n--- stderr ---\n" + stderr)
        pytest.fail(
            f"{scenario}: the browser failed at step {report.get('failed_step')!r}: "
            f"{str(report.get('error', ''))[:1500]}\n"
            f"steps done: {[s['name'] for s in report.get('steps', [])]}\n"
            f"artifacts (screenshots, page HTML, server log): {artifacts}\n"
            f"--- driver stderr ---\n{stderr[-3000:]}\n--- server log ---\n{server.log()[-4000:]}"
        )
    server_errors = [e for e in report.get("http_errors", []) if e.startswith("5")]
    assert not server_errors, f"{scenario}: the pages got server errors {server_errors}\n--- server log ---\n{server.log()[-4000:]}"
    return report


RESTART_REQUEST = "@@restart-the-server@@"  # what restart.js prints when the server must go


def _serve_restart_request(driver: subprocess.Popen[str], restart: Callable[[], None]) -> str:
    """Read the driver's stdout up to its restart request, call ``restart``, then tell the
    driver (one line on its stdin) the server is back. Returns the stdout read before it."""
    assert driver.stdout is not None and driver.stdin is not None
    before = []
    for line in driver.stdout:
        if line.strip() != RESTART_REQUEST:
            before.append(line)
            continue
        try:
            restart()
        except BaseException:
            os.killpg(driver.pid, signal.SIGKILL)
            raise
        driver.stdin.write("\n")
        driver.stdin.flush()
        break
    return "".join(before)


def _outputs(model: dict[str, Any]) -> str:
    return "".join(
        "".join(output.get("text", "")) if isinstance(output.get("text"), list) else output.get("text", "")
        for cell in model["content"]["cells"] for output in cell.get("outputs", [])
    )


def _check_notebook(server: Server, path: str) -> None:
    """The saved notebook on the server: the cell's source and its output, 42."""
    model = server.ok("GET", f"api/contents/{path}?content=1")
    assert model["type"] == "notebook", model
    first = model["content"]["cells"][0]
    assert "".join(first["source"]) == "print(6*7)", first
    assert first["execution_count"] == 1, first
    assert _outputs(model) == "42\n", model["content"]["cells"]
    sessions = [s for s in server.ok("GET", "api/sessions") if s["path"] == path]
    assert sessions and sessions[0]["kernel"]["name"] == "python3", server.ok("GET", "api/sessions")


def _assert_sent_gzipped(server: Server, path: str) -> None:
    """What the browser fetched came compressed (ServerApp.compress_responses, on by default):
    the same request as the page's, Accept-Encoding included, over plain HTTP."""
    import gzip
    import urllib.request

    request = urllib.request.Request(server.url + path, headers={"Authorization": f"token {TOKEN}",
                                                                 "Accept-Encoding": "gzip, deflate, br"})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.headers.get("Content-Encoding") == "gzip", (path, dict(response.headers))
        json.loads(gzip.decompress(response.read()))


def test_jupyterlab_in_a_browser(node: str, frontends_venv: Venv, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    with frontends_venv.server(_home(tmp_path), command="lab") as server:
        assert server.ok("GET", "api")["version"] == frontends_venv.dist.version(META)  # ours
        report = _drive(node, "lab", server, _artifacts(request))
        notebook = report["results"]["notebook"]
        assert notebook.endswith(".ipynb"), report
        assert report["results"]["output"] == "42"
        _check_notebook(server, notebook)
        marker = server.ok("GET", "api/contents/marker.txt?content=1")
        assert marker["content"] == "terminal-42\n", marker
        assert "terminal-42" in report["results"]["terminal_output"]
        assert len(server.ok("GET", "api/terminals")) == 1
        _assert_sent_gzipped(server, "lab/api/settings")


def test_notebook7_in_a_browser(node: str, frontends_venv: Venv, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    with frontends_venv.server(_home(tmp_path), command="notebook") as server:
        assert server.ok("GET", "api")["version"] == frontends_venv.dist.version(META)  # ours
        report = _drive(node, "notebook", server, _artifacts(request))
        created = report["results"]["notebook"]
        assert created.endswith(".ipynb") and created != RENAMED, report
        assert report["results"]["renamed"] == RENAMED
        _check_notebook(server, RENAMED)
        assert server.request("GET", f"api/contents/{created}")[0] == 404, f"{created} is still there"
        listing = {item["name"] for item in server.ok("GET", "api/contents")["content"]}
        assert listing == {RENAMED}, listing


HTML_MARKER = "hello from an html file 7c1"


def test_jupyterlab_file_browser_delete_new_tab_and_shut_down(
    node: str, frontends_venv: Venv, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Three things JupyterLab users do that need the server's help: deleting a folder that is
    not empty (it goes to the trash), "Open in New Browser Tab" on an HTML file, and
    File > Shut Down (the server exits)."""
    home = _home(tmp_path)
    root = home / "root_dir"
    (root / "doomed").mkdir()
    (root / "doomed" / "inside.txt").write_text("keep me in the trash\n")
    (root / "page.html").write_text(f"<!DOCTYPE html><html><body><p>{HTML_MARKER}</p></body></html>\n")
    with frontends_venv.server(home, command="lab") as server:
        report = _drive(node, "lab-files", server, _artifacts(request), {"HTML_MARKER": HTML_MARKER})
        results = report["results"]
        # 1. The folder and its file left the root for the trash (send2trash, the user's own).
        assert "doomed" in results["delete_dialog"], results
        assert not (root / "doomed").exists()
        trashed = home / ".local" / "share" / "Trash" / "files" / "doomed" / "inside.txt"
        assert trashed.read_text() == "keep me in the trash\n"
        # 2. The tab showed the file (the driver read its text there).
        assert results["tab_url"].split("?")[0].endswith("page.html"), results
        # 3. File > Shut Down: 200, then the process ends by itself, cleanly.
        assert results["shutdown_status"] == 200, results
        proc = server.process.proc
        assert proc.wait(60) == 0, server.log()
        assert "Traceback" not in server.log()


PERSIST = "--MappingKernelManager.enable_persistence=True"


def _kernel_pids(runtime: Path) -> list[int]:
    """Live processes whose command line names a connection file in ``runtime``."""
    needle = str(runtime).encode()
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and needle in (entry / "cmdline").read_bytes():
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def test_jupyterlab_keeps_its_kernel_across_a_kill_9_of_the_server(
    node: str, frontends_venv: Venv, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """MappingKernelManager.enable_persistence (docs/kernel-persistence.md) seen from an open
    page: ``x = 41`` in a JupyterLab notebook, kill -9 of the server, the server started again
    on the same port and runtime directory; the page, never reloaded, reconnects by itself
    and ``x + 1`` answers 42. Without the switch the page ends on "No Kernel"."""
    if not Path("/proc/self/cmdline").is_file():
        pytest.skip("finds the kernel processes through /proc")
    home = _home(tmp_path)
    runtime = home / "runtime"
    with frontends_venv.server(home, PERSIST, command="lab") as server:
        first = server.process
        kernels_before: list[int] = []

        def kill_and_start_again() -> None:
            kernels_before.extend(_kernel_pids(runtime))
            first.proc.kill()
            first.proc.wait(60)
            again = ServerProcess(first.argv, first.env, first.cwd, first.port, first.token,
                                  home / f"server-{first.port}-again.log")
            server.process = again  # server.log() and server.ok() now reach the new process
            again.wait_ready()

        try:
            report = _drive(node, "lab-restart", server, _artifacts(request), restart=kill_and_start_again)
            results = report["results"]
            assert server.process is not first, "the driver never asked for the restart"
            assert results["output"] == "42", results
            assert results["page_mark"] == "before the restart", results  # never reloaded
            assert len(results["kernel_ids"]) == 1, results  # one kernel id, before and after
            kernel_id = results["kernel_ids"][0]
            assert "1 kernel(s) adopted" in server.log(), server.log()
            assert f"Kernel adopted: {kernel_id}" in server.log()
            sessions = server.ok("GET", "api/sessions")
            assert [(s["path"], s["kernel"]["id"]) for s in sessions] == [(results["notebook"], kernel_id)], sessions
            assert len(kernels_before) == 1 and _kernel_pids(runtime) == kernels_before  # the same process
            assert server.ok("DELETE", f"api/sessions/{sessions[0]['id']}", status=204) is None
        finally:
            if server.process is not first:
                server.process.stop()
            for pid in _kernel_pids(runtime):  # a kernel left behind by a failure
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


def test_jupyterlab_output_written_while_the_page_is_closed(
    node: str, frontends_venv: Venv, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """The kernel output journal (docs/kernel-journal.md): run a cell printing 1 to 10 over
    ten seconds, close the page after two, wait, open the notebook again: all ten lines are
    there, because the server wrote them into the file while no page was connected."""
    with frontends_venv.server(_home(tmp_path), command="lab") as server:
        report = _drive(node, "lab-unattended", server, _artifacts(request))
        results = report["results"]
        ten = "\n".join(str(i) for i in range(1, 11))
        assert results["output_before_close"].split()[:2] == ["1", "2"], results
        assert not results["output_before_close"].endswith("10"), "the page closed before the cell ended"
        assert results["reopened_output"] == ten, results
        model = server.ok("GET", f"api/contents/{results['notebook']}?content=1")
        first = model["content"]["cells"][0]
        assert _outputs(model).split() == ten.split(), model["content"]["cells"]
        assert first["execution_count"] == 1, first
        assert "print(i, flush=True)" in "".join(first["source"]), first  # the code that ran
