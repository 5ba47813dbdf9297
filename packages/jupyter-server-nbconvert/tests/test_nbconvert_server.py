"""A real `jupyter server` subprocess: the installed manifest enables nbconvert, disabling removes it."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.error
import urllib.request

import nbformat
import pytest


def _get(server, path: str):
    request = urllib.request.Request(server.url + path, headers={"Authorization": f"token {server.token}"})
    return urllib.request.urlopen(request, timeout=30)


def test_enabled_by_install_then_disabled(jp_server_process, notebook, tmp_path):
    root = tmp_path / "srv-root"
    root.mkdir()
    nbformat.write(notebook(), str(root / "report.ipynb"))
    env = {"JUPYTER_PREFER_ENV_PATH": "0"}

    server = jp_server_process(env=env, cwd=root)
    with _get(server, "nbconvert/markdown/report.ipynb?download=true") as r:
        assert r.headers["Content-Disposition"] == "attachment; filename*=utf-8''report.md"
        assert "# Hello from a notebook" in r.read().decode()
    server.stop()

    subprocess.run([sys.executable, "-m", "jupyter_server_core", "extension", "disable",
                    "jupyter_server_nbconvert", "--user"], env=dict(os.environ, **env), check=True,
                   capture_output=True)
    server = jp_server_process(env=env, cwd=root)
    for path in ("api/nbconvert", "nbconvert/markdown/report.ipynb"):
        with pytest.raises(urllib.error.HTTPError) as e:
            _get(server, path)
        assert e.value.code == 404, path
