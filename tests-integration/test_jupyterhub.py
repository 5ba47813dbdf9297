"""A real JupyterHub spawns our server; a person logs in, runs a cell in JupyterLab, stops it.

JupyterHub (pip) runs as a small deployment would: its DummyAuthenticator, its
LocalProcessSpawner, and configurable-http-proxy (npm, pinned in browser/package.json) in
front, every port a free one on 127.0.0.1. The server the Hub spawns is
``jupyterhub-singleuser`` of a venv holding our full install (our wheels only), JupyterLab,
ipykernel and jupyterhub. Debian's chromium, driven by ``browser/driver.js hub`` (the steps
are in browser/hub.js), opens the Hub, logs in on its login page, waits for the spawn, lands
in JupyterLab at /user/<name>/lab, runs ``print(6*7)`` and sees 42, saves, then stops the
server with "Stop My Server" on the Hub's control panel. The outcome is checked again here:
the single-user server answered with our version, the notebook is on disk with its output,
the Hub's REST API reports the server stopped, its proxy route is gone and no process of the
server (nor its kernel) is left.

The suite runs as root, and the LocalProcessSpawner starts a user's server as the system user
of the same name: the person logs in as ``root``, a user every machine has, so no system user
is created and the venv needs no other permissions.

Chromium, node, playwright-core and configurable-http-proxy come from .ci/run. Where one is
missing the test skips (a developer's machine), except under CI, where it fails.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest
from _harness import TOKEN, Server, Venv, user_dirs
from jupyter_server_core.pytest_plugin import ServerProcess, free_port, wait_for
from test_browser import BROWSER, _artifacts, _drive, _missing, node  # noqa: F401 - node is a fixture

META = "jupyter-server"
HUB_USER = "root"
PROXY = BROWSER / "node_modules" / ".bin" / "configurable-http-proxy"
# The test's own Hub service: the token the driver and these checks use, and what it may do.
SERVICE = "integration-tests"
SERVICE_SCOPES = ["admin:users", "admin:servers", "access:servers", "proxy"]

# Building the venv (our full install, JupyterLab and jupyterhub) and one browser session.
pytestmark = pytest.mark.timeout(900)


@pytest.fixture(scope="module")
def proxy(node: str) -> Path:  # noqa: F811 - the fixture imported above
    """configurable-http-proxy, once node, chromium and playwright-core are there."""
    if not PROXY.is_file():
        _missing("configurable-http-proxy is not installed (npm ci in tests-integration/browser)")
    return PROXY


@pytest.fixture(scope="module")
def hub_venv(make_venv: Callable[..., Venv]) -> Venv:
    """Our full install, JupyterLab and JupyterHub; still ours alone for the server's names."""
    venv = make_venv("hub", META, extra=("ipykernel",))
    venv.pip("install", "-q", "jupyterlab", "jupyterhub>=5")
    venv.assert_only_ours(venv.dist.closure([META])[0])
    return venv


def _hub_config(venv: Venv, proxy: Path, work: Path, ports: dict[str, int]) -> str:
    """jupyterhub_config.py: every port given, every file in ``work``."""
    server_home = work / "server-home"
    server_env = {k: v for k, v in user_dirs(server_home).items() if k != "HOME"}  # HOME: the spawner's
    settings: dict[str, Any] = {
        "JupyterHub.bind_url": f"http://127.0.0.1:{ports['public']}/",
        "JupyterHub.hub_bind_url": f"http://127.0.0.1:{ports['hub']}",
        "JupyterHub.db_url": f"sqlite:///{work / 'jupyterhub.sqlite'}",
        "JupyterHub.cookie_secret_file": str(work / "cookie_secret"),
        "JupyterHub.authenticator_class": "dummy",
        "JupyterHub.spawner_class": "localprocess",
        "JupyterHub.services": [{"name": SERVICE, "api_token": TOKEN}],
        "JupyterHub.load_roles": [{"name": SERVICE, "scopes": SERVICE_SCOPES, "services": [SERVICE]}],
        "ConfigurableHTTPProxy.command": [str(proxy)],
        "ConfigurableHTTPProxy.api_url": f"http://127.0.0.1:{ports['proxy_api']}",
        "ConfigurableHTTPProxy.pid_file": str(work / "proxy.pid"),
        "Authenticator.allowed_users": {HUB_USER},
        "Spawner.cmd": [str(venv.bin / "jupyterhub-singleuser")],
        "Spawner.args": ["--allow-root"],
        "Spawner.default_url": "/lab",
        "Spawner.notebook_dir": str(work / "root_dir"),
        "Spawner.environment": server_env,
        # Generous for a machine whose CPUs are busy; a healthy spawn takes seconds.
        "Spawner.start_timeout": 180,
        "Spawner.http_timeout": 180,
    }
    lines = ["c = get_config()  # noqa: F821"]
    lines += [f"c.{name} = {value!r}" for name, value in settings.items()]
    return "\n".join(lines) + "\n"


class HubProcess(ServerProcess):
    """``jupyterhub`` in its own folder; ready once its proxy forwards /hub/api to it."""

    def answers(self) -> bool:
        import urllib.request

        with urllib.request.urlopen(self.url + "hub/api/", timeout=2) as r:
            return bool(r.status == 200)


def _processes_with(*needles: bytes, but: int = 0) -> list[int]:
    """Processes whose command line (arguments NUL-separated) holds every one of ``needles``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == but:
            continue
        with suppress(OSError):  # gone meanwhile, or not ours to read
            cmdline = (entry / "cmdline").read_bytes()
            if all(needle in cmdline for needle in needles):
                found.append(int(entry.name))
    return found


def _venv_programs(venv: Venv, but: int) -> list[int]:
    """The venv's programs running (a single-user server, its kernels), the Hub ``but`` left out."""
    return _processes_with((str(venv.path) + os.sep).encode(), but=but)


@contextmanager
def _running_hub(venv: Venv, proxy: Path, work: Path) -> Iterator[HubProcess]:
    """A started Hub and its proxy; on the way out the Hub stops them and every server, and
    whatever a Hub that had to be killed left behind is ended by its process id."""
    (work / "root_dir").mkdir(parents=True)
    ports = {"public": free_port(), "hub": free_port(), "proxy_api": free_port()}
    (work / "jupyterhub_config.py").write_text(_hub_config(venv, proxy, work, ports))
    env = {**venv.run_env(), **user_dirs(work / "hub-home")}
    argv = [str(venv.bin / "jupyterhub"), "-f", str(work / "jupyterhub_config.py")]
    hub = HubProcess(argv, env, work, ports["public"], TOKEN, work / "hub.log")
    proxy_args = (str(proxy).encode(), b"--api-port\0%d\0" % ports["proxy_api"])  # ours alone
    try:
        hub.wait_ready(timeout=120)
        assert _processes_with(*proxy_args), "the Hub's proxy is not among the processes"
        yield hub
    finally:
        hub.stop(timeout=60)
        # Left by a Hub that had to be killed: its servers, kernels and proxy, each by its id.
        leftovers = _venv_programs(venv, but=hub.proc.pid) + _processes_with(*proxy_args)
        for pid in leftovers:
            with suppress(OSError):  # already gone
                os.kill(pid, signal.SIGKILL)


def _notebook_outputs(path: Path) -> tuple[str, str]:
    """The first cell's source and all its text outputs, from the file on disk."""
    cell = json.loads(path.read_text())["cells"][0]
    source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    text = "".join(
        "".join(out["text"]) if isinstance(out.get("text"), list) else out.get("text", "") for out in cell["outputs"]
    )
    return source, text


async def test_a_person_uses_our_server_through_a_real_jupyterhub(
    node: str,  # noqa: F811 - the fixture imported above
    proxy: Path,
    hub_venv: Venv,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    with _running_hub(hub_venv, proxy, tmp_path / "hub") as hub:
        hub_api = Server(hub, url=hub.url + "hub/api/")
        user_server = Server(hub, url=hub.url + f"user/{HUB_USER}/")
        hub_version = hub_api.ok("GET", "")["version"]

        report = _drive(node, "hub", user_server, _artifacts(request))
        results = report["results"]

        # The Hub spawned our server: its /api, through the proxy, and the Hub's header on it.
        assert results["server_api"]["body"]["version"] == hub_venv.dist.version(META), results["server_api"]
        assert results["server_api"]["hub_version_header"] == hub_version, results["server_api"]
        assert results["lab_url"].startswith(user_server.url + "lab"), results["lab_url"]
        assert results["output"] == "42"
        assert _notebook_outputs(tmp_path / "hub" / "root_dir" / results["notebook"]) == ("print(6*7)", "42\n")
        assert results["stopped"] is True

        # Stopped, as the Hub's REST API and its proxy see it, and no process of it is left.
        async def stopped() -> bool:
            model = hub_api.ok("GET", f"users/{HUB_USER}")
            return model["server"] is None and model["servers"] == {}

        await wait_for(stopped, timeout=60)
        routes = hub_api.ok("GET", "proxy")
        assert not [r for r in routes if r.startswith(f"/user/{HUB_USER}")], routes
        assert user_server.status("api") != 200

        async def gone() -> bool:
            return not _venv_programs(hub_venv, but=hub.proc.pid)

        await wait_for(gone, timeout=60)

        # What our server did for the Hub along the way: its activity reached the Hub, and
        # every answer carried the Hub's version header (the Hub notes one without it).
        log = hub.log()
        assert "Error notifying Hub of activity" not in log, log[-4000:]
        assert "no version header" not in log, log[-4000:]
