"""JupyterHub's single-user server (``jupyterhub-singleuser``), unmodified, on ours.

A stand-in Hub answers the few API calls a single-user server makes (version, token
check, activity); the single-user server is the real one from the jupyterhub package, in
the frontends venv, under the prefix ``/user/alice/``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from jupyter_server_core.pytest_plugin import ServerProcess, free_port

pytestmark = pytest.mark.timeout(900)  # the first session builds the venv

HUB_TOKEN = "hub-api-token-for-alice-server"
USER_TOKEN = "alice-oauth-token-1f3e"
FAKE_HUB = f'''
import asyncio, sys
from tornado import web

class Api(web.RequestHandler):
    def get(self):
        self.set_header("X-JupyterHub-Version", "6.1.1")
        self.write({{"version": "6.1.1"}})

class User(web.RequestHandler):
    def get(self):
        auth = self.request.headers.get("Authorization", "")
        if auth == "token {HUB_TOKEN}" or auth == "Bearer {HUB_TOKEN}":
            self.write({{"kind": "server", "name": "alice", "scopes": ["users:activity!user=alice"]}})
        elif auth in ("token {USER_TOKEN}", "Bearer {USER_TOKEN}"):
            self.write({{"kind": "user", "name": "alice", "admin": False, "groups": [],
                        "scopes": ["access:servers!server=alice/", "access:servers!user=alice"]}})
        else:
            raise web.HTTPError(403)

class Activity(web.RequestHandler):
    def post(self):
        self.set_status(204)

async def main():
    app = web.Application([(r"/hub/api/?", Api), (r"/hub/api/user", User),
                           (r"/hub/api/users/alice/activity", Activity)])
    app.listen(int(sys.argv[1]), "127.0.0.1")
    await asyncio.Event().wait()

asyncio.run(main())
'''


@pytest.fixture(scope="module")
def singleuser(frontends_venv: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("hub-home")
    (home / "fake_hub.py").write_text(FAKE_HUB)
    hub_port, port = free_port(), free_port()
    hub = subprocess.Popen([sys.executable, str(home / "fake_hub.py"), str(hub_port)])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "PYTHON", "IPYTHON", "VIRTUAL_ENV"))}
    env.update({
        "PATH": f"{frontends_venv / 'bin'}{os.pathsep}{env.get('PATH', '')}", "HOME": str(home),
        "JUPYTER_CONFIG_DIR": str(home / ".jupyter"), "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTER_DATA_DIR": str(home / "data"), "IPYTHONDIR": str(home / ".ipython"),
        "JUPYTERHUB_API_TOKEN": HUB_TOKEN, "JUPYTERHUB_CLIENT_ID": "jupyterhub-user-alice",
        "JUPYTERHUB_API_URL": f"http://127.0.0.1:{hub_port}/hub/api", "JUPYTERHUB_BASE_URL": "/",
        "JUPYTERHUB_SERVICE_PREFIX": "/user/alice/", "JUPYTERHUB_USER": "alice", "JUPYTERHUB_HOST": "",
        "JUPYTERHUB_SERVICE_URL": f"http://127.0.0.1:{port}/user/alice/",
        "JUPYTERHUB_OAUTH_CALLBACK_URL": "/user/alice/oauth_callback",
        "JUPYTERHUB_OAUTH_ACCESS_SCOPES": '["access:servers!server=alice/", "access:servers!user=alice"]',
    })
    root = home / "root"
    root.mkdir()
    argv = [str(frontends_venv / "bin" / "jupyterhub-singleuser"), "--allow-root"]
    process = ServerProcess(argv, env, root, port, USER_TOKEN, home / "singleuser.log")
    process.url = f"http://127.0.0.1:{port}/user/alice/"
    try:
        process.wait_ready()
        yield process.url
    finally:
        process.stop()
        hub.terminate()
        hub.wait(10)


def fetch(url: str, token: str | None = USER_TOKEN) -> tuple[int, str, bytes]:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    headers = {"Authorization": f"token {token}"} if token else {}
    try:
        with urllib.request.build_opener(NoRedirect).open(urllib.request.Request(url, headers=headers), timeout=30) as r:
            return r.status, r.headers.get("Location", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Location", ""), e.read()


def test_the_prefix_redirects_to_jupyterlab_found_by_the_hub_extension(singleuser: str) -> None:
    status, location, _ = fetch(singleuser)
    assert status == 302 and location.endswith("/user/alice/lab"), (status, location)


def test_a_hub_token_opens_jupyterlab_and_the_apis(singleuser: str) -> None:
    status, _, body = fetch(singleuser + "lab")
    assert status == 200 and b"jupyter-config-data" in body
    status, _, body = fetch(singleuser + "api/kernelspecs")
    assert status == 200 and b"python3" in body
    status, _, body = fetch(singleuser + "api/me")
    assert status == 200 and b'"username": "alice"' in body


def test_without_a_hub_token_the_server_refuses(singleuser: str) -> None:
    assert fetch(singleuser + "api/contents", token="not-a-token")[0] == 403
    # A browser is sent to the Hub's OAuth authorize URL, whose state remembers where it was.
    status, location, _ = fetch(singleuser + "lab", token=None)
    assert status == 302 and location.startswith("/hub/api/oauth2/authorize?client_id=jupyterhub-user-alice&"), location
    assert location.count("?") == 1 and "&state=" in location and "next=" not in location, location
