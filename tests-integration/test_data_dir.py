"""A fresh user account: the server prepares the Jupyter data directory at start.

As on a JupyterHub single-user server: an empty HOME, ``JUPYTER_RUNTIME_DIR`` elsewhere, no
other ``JUPYTER_*`` folder set. A tiny extension of this test, enabled by a manifest outside
HOME, opens a SQLite database in ``jupyter_data_dir()`` when it loads (as
jupyter_server_fileid does) and answers on a route with what it stored. The directories the
start leaves under HOME, and their modes, are those a fresh jupyter_server 2.21 start with
notebook-shim leaves (observed under an empty HOME, umask 022: ``.local`` and
``.local/share`` 0755, ``.local/share/jupyter`` 0700, ``.ipython`` 0755).
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from _harness import TOKEN, Server, Venv
from jupyter_server_core.pytest_plugin import ServerProcess, free_port

PROBE = '''
import json, os, sqlite3

from jupyter_core.paths import jupyter_data_dir
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join
from tornado import web


class ProbeHandler(APIHandler):
    def initialize(self, db, path):
        self.db, self.path = db, path

    @web.authenticated
    def get(self):
        (rows,) = self.db.execute("SELECT COUNT(*) FROM visits").fetchone()
        self.finish(json.dumps({"rows": rows, "path": self.path}))


def _jupyter_server_extension_points():
    return [{"module": "sqlite_probe"}]


def _load_jupyter_server_extension(serverapp):
    path = os.path.join(jupyter_data_dir(), "sqlite_probe.db")
    db = sqlite3.connect(path)  # fails if the folder does not exist
    db.execute("CREATE TABLE IF NOT EXISTS visits (at TEXT)")
    db.execute("INSERT INTO visits VALUES (datetime('now'))")
    db.commit()
    route = url_path_join(serverapp.base_url, "/sqlite-probe")
    serverapp.web_app.add_handlers(".*$", [(route, ProbeHandler, {"db": db, "path": path})])
'''


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def test_an_extension_keeping_a_database_in_the_data_dir_loads_on_a_fresh_account(full_venv: Venv, tmp_path: Path) -> None:
    home, outside = tmp_path / "home", tmp_path / "outside"
    home.mkdir()
    (outside / "site").mkdir(parents=True)
    (outside / "site" / "sqlite_probe.py").write_text(PROBE)
    confd = outside / "config" / "jupyter_server_config.d"
    confd.mkdir(parents=True)
    (confd / "sqlite_probe.json").write_text(json.dumps({"ServerApp": {"jpserver_extensions": {"sqlite_probe": True}}}))
    root = outside / "root"
    root.mkdir()
    env = {**full_venv.run_env(), "HOME": str(home), "JUPYTER_RUNTIME_DIR": str(outside / "runtime"),
           "JUPYTER_CONFIG_PATH": str(outside / "config"), "PYTHONPATH": str(outside / "site")}
    port = free_port()
    argv = [str(full_venv.bin / "jupyter"), "server", "--allow-root", "--no-browser", f"--port={port}",
            "--ip=127.0.0.1", "--ServerApp.port_retries=0", f"--IdentityProvider.token={TOKEN}",
            "--ServerApp.reraise_server_extension_failures=True"]
    process = ServerProcess(argv, env, root, port, TOKEN, outside / "server.log")
    try:
        process.wait_ready(timeout=120)
        server = Server(process)
        answer = server.ok("GET", "sqlite-probe")
        data_dir = home / ".local" / "share" / "jupyter"
        assert answer == {"rows": 1, "path": str(data_dir / "sqlite_probe.db")}
        dirs = {str(p.relative_to(home)): stat.S_IMODE(p.stat().st_mode) for p in home.rglob("*") if p.is_dir()}
        plain = 0o777 & ~_umask()
        assert dirs == {".local": plain, ".local/share": plain, ".local/share/jupyter": 0o700, ".ipython": plain}, (
            f"{ {k: oct(v) for k, v in dirs.items()} }\n{process.log()}"
        )
    finally:
        process.stop()
