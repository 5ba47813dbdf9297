"""Core + contents: installing the wheel enables it; the CLI levels and pip uninstall take it away."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from _harness import VERSION, Server, Venv, extension_states

CONTENTS = "jupyter-server-contents"
NAME = "jupyter_server_contents"


@pytest.fixture(scope="module")
def venv(make_venv: Callable[..., Venv]) -> Venv:
    return make_venv("core-contents", CONTENTS)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A clean user level, with a file in the server's root_dir."""
    home = tmp_path / "home"
    (home / "root_dir").mkdir(parents=True)
    (home / "root_dir" / "x.txt").write_text("hello")
    return home


def states(venv: Venv, home: Path, **env: str) -> dict[str, str]:
    output = venv.jupyter(home, "server", "extension", "list", env=env).stdout
    return extension_states(output)


def assert_contents_served(server: Server) -> None:
    listing = server.ok("GET", "api/contents")
    assert listing["type"] == "directory"
    assert [item["name"] for item in listing["content"]] == ["x.txt"]
    assert server.ok("GET", "api/contents/x.txt")["content"] == "hello"
    assert server.ok("GET", "files/x.txt") == "hello"


def assert_contents_absent(server: Server) -> None:
    for path in ("api/contents", "api/contents/x.txt", "files/x.txt"):
        assert server.status(path) == 404, f"{path} is still served:\n{server.log()}"
    assert server.ok("GET", "api/status")["kernels"] == 0, "the core must still serve"


def test_installing_contents_enables_it_with_no_command_run(venv: Venv, home: Path) -> None:
    assert sorted(p.name for p in venv.confd.iterdir()) == ["jupyter_server_contents.json", "jupyter_server_core.json"]
    assert states(venv, home) == {"jupyter_server_core": "enabled", NAME: "enabled"}
    with venv.server(home) as server:
        assert_contents_served(server)
        assert server.status("api/terminals") == 404


def test_sys_prefix_disable_then_user_level_enable(venv: Venv, home: Path) -> None:
    user_config = home / ".jupyter"
    try:
        venv.jupyter(home, "server", "extension", "disable", NAME)
        assert states(venv, home)[NAME] == "disabled"
        with venv.server(home) as server:
            assert_contents_absent(server)

        venv.jupyter(home, "server", "extension", "enable", NAME, "--user")
        assert list(user_config.rglob("*.json")), "the user-level enable wrote no file"
        # In a venv, jupyter_core lists the environment's config folder before the user's,
        # and an earlier folder wins: the sys-prefix disable still decides ...
        assert states(venv, home)[NAME] == "disabled"
        with venv.server(home) as server:
            assert_contents_absent(server)
        # ... until the user folder is preferred, and then the user-level enable brings it back.
        prefer_user = {"JUPYTER_PREFER_ENV_PATH": "0"}
        assert states(venv, home, **prefer_user)[NAME] == "enabled"
        with venv.server(home, env=prefer_user) as server:
            assert_contents_served(server)
    finally:
        venv.jupyter(home, "server", "extension", "enable", NAME, "--sys-prefix")
    assert states(venv, home)[NAME] == "enabled"


def test_pip_uninstall_removes_the_manifest(venv: Venv, home: Path) -> None:
    manifest = venv.confd / f"{NAME}.json"
    assert manifest.is_file()
    venv.pip("uninstall", "-y", CONTENTS)
    try:
        assert not manifest.exists()
        assert NAME not in states(venv, home)
        with venv.server(home) as server:
            assert_contents_absent(server)
    finally:
        venv.pip("install", "-q", "--no-index", "--no-deps", venv.dist.wheel(CONTENTS))
    assert manifest.is_file() and venv.installed()["jupyter_server_contents"] == VERSION
