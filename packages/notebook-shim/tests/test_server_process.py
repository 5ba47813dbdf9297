"""Real servers started from classic notebook config alone, then from its migrated copy.

The server subprocess gets no --port, --ip, --allow-root or token of its own: if it answers
where the classic file says, over https, asking for the classic token or password, serving
the classic notebook_dir, the classic config was honoured. Then `jupyter server migrate`
rewrites the same files and a server with the shim disabled must behave the same.
"""

from __future__ import annotations

import glob
import json
import subprocess
import sys
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from jupyter_server_core.auth import passwd

TOKEN = "classic-token-0123456789"
PASSWORD = "classic secret"
NO_SHIM = '--ServerApp.jpserver_extensions={"notebook_shim": False}'


def classic_settings(port: int, root: Path, certfile: Path, keyfile: Path) -> dict[str, Any]:
    return {
        "port": port,
        "port_retries": 0,
        "ip": "127.0.0.1",
        "base_url": "/classic/",
        "token": TOKEN,
        "password": passwd(PASSWORD, algorithm="sha1"),  # the classic notebook's hash format
        "certfile": str(certfile),
        "keyfile": str(keyfile),
        "notebook_dir": str(root),
        "allow_root": True,
        "open_browser": False,
    }


def write_classic(kind: str, folder: Path, settings: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if kind == "json":
        path = folder / "jupyter_notebook_config.json"
        path.write_text(json.dumps({"NotebookApp": settings}), encoding="utf-8")
    else:
        path = folder / "jupyter_notebook_config.py"
        lines = ["c = get_config()  # noqa"] + [f"c.NotebookApp.{k} = {v!r}" for k, v in settings.items()]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def check_server(server: Any, root: Path, runtime: Path) -> None:
    """The server listens where the classic config says and asks for its credentials."""
    assert server.url.startswith("https://127.0.0.1:")
    assert server.request("api/status")[0] == 403
    assert server.request("api/status", token="wrong")[0] == 403
    status, body, _ = server.request("api/status", token=TOKEN)
    assert status == 200, body
    # the password (stored hashed) logs in through the login form
    assert server.request("login")[0] == 200
    xsrf = next(c.value for c in server.cookies if c.name == "_xsrf")
    form = urllib.parse.urlencode({"password": "not it", "_xsrf": xsrf}).encode()
    assert server.request("login", data=form)[0] == 401
    form = urllib.parse.urlencode({"password": PASSWORD, "_xsrf": xsrf}).encode()
    assert server.request("login", data=form)[0] == 302
    assert server.request("api/status")[0] == 200  # with the login cookie now
    infos = [json.loads(Path(p).read_text()) for p in glob.glob(str(runtime / "jpserver-*.json"))]
    info = next(i for i in infos if i["pid"] == server.proc.pid)
    assert info["root_dir"] == str(root)
    assert info["base_url"] == "/classic/"
    assert info["secure"] is True
    assert info["password"] is True


@pytest.mark.parametrize("kind", ["py", "json"])
def test_classic_config_then_migrated_config(kind, classic_server, jp_environ, tmp_path, port, self_signed):
    root = tmp_path / "notebooks"
    root.mkdir()
    certfile, keyfile = self_signed
    # py in the user folder; json in an extra folder of JUPYTER_CONFIG_PATH (another level)
    folder = jp_environ["config"] if kind == "py" else tmp_path / "extra_config"
    env = {} if kind == "py" else {"JUPYTER_CONFIG_PATH": str(folder)}
    write_classic(kind, folder, classic_settings(port, root, certfile, keyfile))
    url = f"https://127.0.0.1:{port}/classic/"

    server = classic_server(url, token=TOKEN, cafile=certfile, env=env)
    check_server(server, root, jp_environ["runtime"])
    server.stop()
    log = server.log()
    for old, new in [("NotebookApp.port", "ServerApp.port"), ("NotebookApp.token", "IdentityProvider.token"),
                     ("NotebookApp.password", "PasswordIdentityProvider.hashed_password"),
                     ("NotebookApp.notebook_dir", "ServerApp.root_dir"), ("NotebookApp.certfile", "ServerApp.certfile")]:
        assert f"{old} (in " in log and f"use {new} in jupyter_server_config" in log, (old, log)
    assert TOKEN not in log

    migrate = subprocess.run([sys.executable, "-m", "jupyter_server_core", "migrate", f"--config-dir={folder}"],
                             capture_output=True, text=True, env={**server_env(), **env}, timeout=60)
    assert migrate.returncode == 0, migrate.stderr
    assert (folder / f"jupyter_server_config.{kind}").is_file()
    assert (folder / f"jupyter_notebook_config.{kind}").is_file()  # copied, never moved

    server = classic_server(url, NO_SHIM, token=TOKEN, cafile=certfile, env=env)
    check_server(server, root, jp_environ["runtime"])
    server.stop()
    assert "NotebookApp" not in server.log()  # the shim is off: the migrated config did it all


def server_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k != "JUPYTER_TOKEN"}


def test_classic_command_line_and_extension(classic_server, jp_environ, tmp_path, port, write_json):
    """NotebookApp.* on the command line, and an old-style extension from a classic conf.d."""
    ext_dir = tmp_path / "ext"
    ext_dir.mkdir()
    (ext_dir / "old_style_ext.py").write_text(
        "from tornado.web import RequestHandler\n\n"
        "class Hello(RequestHandler):\n"
        "    def get(self):\n"
        "        self.finish('old style')\n\n"
        "def load_jupyter_server_extension(nbapp):\n"
        "    base = nbapp.web_app.settings['base_url']\n"
        "    nbapp.web_app.add_handlers('.*$', [(base + 'old-style', Hello)])\n",
        encoding="utf-8",
    )
    write_json(jp_environ["config"] / "jupyter_notebook_config.d" / "old_style_ext.json",
               {"NotebookApp": {"nbserver_extensions": {"old_style_ext": True}}})
    server = classic_server(
        f"http://127.0.0.1:{port}/cli/", f"--NotebookApp.port={port}", "--NotebookApp.ip=127.0.0.1",
        "--NotebookApp.base_url=/cli/", f"--NotebookApp.token={TOKEN}", "--NotebookApp.allow_root=True",
        token=TOKEN, env={"PYTHONPATH": str(ext_dir)},
    )
    assert server.request("api/status", token=TOKEN)[0] == 200
    assert server.request("api/status")[0] == 403
    status, body, _ = server.request("old-style")
    assert (status, body) == (200, b"old style")
    server.stop()
    log = server.log()
    assert "NotebookApp.base_url (in the command line) is deprecated: use ServerApp.base_url" in log
    assert "NotebookApp.nbserver_extensions['old_style_ext']" in log
