"""``pip install jupyter-server-core ipykernel``: a complete, minimal kernel server, and no more."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from _harness import (
    UPSTREAM_TWINS,
    VERSION,
    Server,
    Venv,
    execute,
    extension_states,
    normalize,
    wheel_folders,
)

CORE = "jupyter-server-core"


@pytest.fixture(scope="module")
def venv(make_venv: Callable[..., Venv]) -> Venv:
    return make_venv("core-only", CORE, extra=("ipykernel",))


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("core-only-home")


@pytest.fixture(scope="module")
def server(venv: Venv, home: Path) -> Iterator[Server]:
    # A file the contents and files services would serve, were they installed.
    (home / "root_dir").mkdir()
    (home / "root_dir" / "x.txt").write_text("x")
    with venv.server(home) as running:
        yield running


def test_only_the_core_of_ours_is_installed(venv: Venv) -> None:
    installed = venv.installed()
    assert installed[normalize(CORE)] == VERSION
    others = {normalize(f) for f in wheel_folders() if f != CORE} | {normalize(t) for t in UPSTREAM_TWINS}
    assert not others & set(installed), f"installed beside the core: {sorted(others & set(installed))}"
    assert [p.name for p in venv.confd.iterdir()] == ["jupyter_server_core.json"]


def test_extension_list_shows_the_core_alone(venv: Venv, home: Path) -> None:
    output = venv.jupyter(home, "server", "extension", "list").stdout
    assert extension_states(output) == {"jupyter_server_core": "enabled"}, output


def test_migrate_without_notebook_shim_is_an_error(venv: Venv, home: Path) -> None:
    result = venv.jupyter(home, "server", "migrate", check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "notebook-shim" in result.stderr and "password" in result.stderr, result.stderr


def test_kernelspecs_come_from_the_venv(server: Server) -> None:
    specs = server.ok("GET", "api/kernelspecs")
    assert specs["default"] == "python3"
    assert specs["kernelspecs"]["python3"]["spec"]["language"] == "python"
    assert server.ok("GET", "api/kernelspecs/python3")["name"] == "python3"


async def test_a_kernel_runs_code_over_rest_and_websocket(server: Server, venv: Venv) -> None:
    kernel = server.ok("POST", "api/kernels", {"name": "python3"}, status=201)
    kernel_id = kernel["id"]
    try:
        assert server.ok("GET", f"api/kernels/{kernel_id}")["name"] == "python3"
        assert kernel_id in [k["id"] for k in server.ok("GET", "api/kernels")]
        stdout, status = await execute(server, kernel_id, "import sys; print(6 * 7, sys.prefix)")
        assert status == "ok"
        assert stdout.split() == ["42", str(venv.path)]
        server.ok("POST", f"api/kernels/{kernel_id}/restart")
        stdout, status = await execute(server, kernel_id, "print('after restart')")
        assert (stdout, status) == ("after restart\n", "ok")
    finally:
        server.request("DELETE", f"api/kernels/{kernel_id}")
    assert server.status(f"api/kernels/{kernel_id}") == 404


def test_a_session_starts_and_ends_its_kernel(server: Server) -> None:
    body = {"path": "work/a.ipynb", "name": "a.ipynb", "type": "notebook", "kernel": {"name": "python3"}}
    session = server.ok("POST", "api/sessions", body, status=201)
    kernel_id = session["kernel"]["id"]
    assert server.ok("GET", f"api/sessions/{session['id']}")["path"] == "work/a.ipynb"
    assert server.ok("GET", f"api/kernels/{kernel_id}")["id"] == kernel_id
    server.ok("DELETE", f"api/sessions/{session['id']}", status=204)
    assert server.ok("GET", "api/sessions") == []
    assert server.status(f"api/kernels/{kernel_id}") == 404


@pytest.mark.parametrize("path", ["api/contents", "api/contents/x.txt", "files/x.txt", "api/terminals", "api/nbconvert"])
def test_services_of_wheels_not_installed_answer_404(server: Server, path: str) -> None:
    assert server.status(path) == 404
