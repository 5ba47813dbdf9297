"""`jupyter lab` and `jupyter notebook` configured through their own config files.

The venv is our full install plus ``pip install jupyterlab notebook`` (conftest's
``frontends_venv``, shared with test_browser.py). Each scenario writes the settings images
and users write, ``port``, ``token``, ``allow_root``, ``root_dir`` and a contents-manager
trait, in ``jupyter_lab_config.py``, ``.json`` or ``jupyter_lab_config.d/`` (and the same for
``jupyter_notebook_config``), starts the real command with no option at all, and checks
every setting over HTTP. A last pair shows the command line winning over the file. The
servers start together and are checked one by one.
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from _harness import Venv, user_dirs
from jupyter_server_core.pytest_plugin import ServerProcess, free_port

# Building the venv (pip install jupyterlab notebook) and starting eight frontends.
pytestmark = pytest.mark.timeout(900)

APP_PAGE = {"lab": "/lab", "notebook": "/tree"}


@dataclass
class Scenario:
    command: str  # lab | notebook
    form: str  # py | json | d
    cli: bool = False  # the command line overrides every setting of the file
    port: int = field(default_factory=free_port)
    token: str = ""
    home: Path = Path()
    root: Path = Path()

    @property
    def name(self) -> str:
        return f"{self.command}-{self.form}" + ("-cli" if self.cli else "")


SCENARIOS = [Scenario(c, f) for c in ("lab", "notebook") for f in ("py", "json", "d")] + [
    Scenario("lab", "py", cli=True), Scenario("notebook", "json", cli=True),
]


def settings(port: int, token: str, root: Path, allow_root: bool, allow_hidden: bool) -> dict[str, dict[str, Any]]:
    return {
        "ServerApp": {"port": port, "port_retries": 0, "ip": "127.0.0.1", "open_browser": False,
                      "allow_root": allow_root, "root_dir": str(root)},
        "IdentityProvider": {"token": token},
        "ContentsManager": {"allow_hidden": allow_hidden},
    }


def write_config(config_dir: Path, command: str, form: str, values: dict[str, dict[str, Any]]) -> None:
    base = config_dir / f"jupyter_{command}_config"
    config_dir.mkdir(parents=True, exist_ok=True)
    if form == "py":
        lines = [f"c.{section}.{trait} = {value!r}" for section, traits in values.items() for trait, value in traits.items()]
        base.with_suffix(".py").write_text("\n".join(lines) + "\n")
    elif form == "json":
        base.with_suffix(".json").write_text(json.dumps(values))
    else:
        folder = config_dir / f"jupyter_{command}_config.d"
        folder.mkdir()
        (folder / "50-image.json").write_text(json.dumps(values))


def make_root(path: Path) -> Path:
    path.mkdir(parents=True)
    (path / "marker.txt").write_text(path.name)
    (path / ".hidden.txt").write_text("hidden")
    return path


def start(venv: Venv, tmp_path: Path, s: Scenario) -> ServerProcess:
    s.home = tmp_path / s.name
    env = {**venv.run_env(), **user_dirs(s.home)}
    config_dir = Path(env["JUPYTER_CONFIG_DIR"])
    argv = [str(venv.bin / "jupyter"), s.command]
    if s.cli:
        # The file says one thing about every setting, the command line another: it wins.
        file_port, file_root = free_port(), make_root(s.home / "file-root")
        write_config(config_dir, s.command, s.form, settings(file_port, "file-token", file_root, False, True))
        s.token, s.root = f"cli-{s.name}", make_root(s.home / "cli-root")
        argv += [f"--port={s.port}", f"--IdentityProvider.token={s.token}", f"--ServerApp.root_dir={s.root}",
                 "--allow-root", "--ContentsManager.allow_hidden=False"]
    else:
        s.token, s.root = f"token-{s.name}", make_root(s.home / "root")
        write_config(config_dir, s.command, s.form, settings(s.port, s.token, s.root, True, True))
    return ServerProcess(argv, env, s.home, s.port, s.token, s.home / "server.log")


def get(url: str, token: str | None) -> tuple[int, str]:
    headers = {"Authorization": f"token {token}"} if token else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=60) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


@pytest.fixture(scope="module")
def servers(frontends_venv: Venv, tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp_path = tmp_path_factory.mktemp("app-config")
    running = [(s, start(frontends_venv, tmp_path, s)) for s in SCENARIOS]
    try:
        yield running
    finally:
        for _, process in running:
            process.stop()


@pytest.mark.parametrize("index", range(len(SCENARIOS)), ids=[s.name for s in SCENARIOS])
def test_the_app_config_file_configures_the_server(servers: list[tuple[Scenario, ServerProcess]], index: int) -> None:
    s, process = servers[index]
    # On the configured port (or the command line's), as root: allow_root was applied.
    process.wait_ready(timeout=180)
    base = f"http://127.0.0.1:{s.port}"
    log = process.log
    assert get(f"{base}/api/status", s.token)[0] == 200, log()
    assert get(f"{base}/api/status", "file-token" if s.cli else "wrong-token")[0] == 403
    status, body = get(f"{base}/api/contents/", s.token)
    assert status == 200, body
    names = {item["name"] for item in json.loads(body)["content"]}
    assert "marker.txt" in names, f"root_dir not applied: {names}"
    assert get(f"{base}/api/contents/marker.txt", s.token)[1].find(s.root.name) != -1
    # ContentsManager.allow_hidden: True in the file, False on the command line.
    assert get(f"{base}/api/contents/.hidden.txt", s.token)[0] == (404 if s.cli else 200)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        assert "Running as root" not in log()


@pytest.mark.parametrize("command", ["lab", "notebook"])
def test_the_printed_url_opens_the_app(servers: list[tuple[Scenario, ServerProcess]], command: str) -> None:
    s, process = next((s, p) for s, p in servers if s.command == command and not s.cli)
    process.wait_ready(timeout=180)
    page = APP_PAGE[command]
    printed = re.findall(rf"http://127\.0\.0\.1:{s.port}(\S*)", process.log())
    # A configured token is not repeated in the log: the URL shows "...".
    assert f"{page}?token=..." in printed, process.log()
    status, body = get(f"http://127.0.0.1:{s.port}{page}?token={s.token}", None)
    assert status == 200 and "jupyter-config-data" in body, body[:500]
