"""The wheel's conf.d manifest decides, at the environment (sys-prefix) level, whether contents load."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

MANIFEST = Path(__file__).parents[1] / "jupyter-config" / "jupyter_server_contents.json"


@pytest.fixture
def jp_extensions():
    return {}  # no config: only the manifests decide


@pytest.fixture
def env_confd(jp_environ):
    confd = jp_environ["env_config"] / "jupyter_server_config.d"
    confd.mkdir()
    return confd


@pytest.fixture
def installed(env_confd):
    shutil.copy(MANIFEST, env_confd / MANIFEST.name)  # what pip install puts in <prefix>/etc/jupyter
    return env_confd / MANIFEST.name


async def test_installed_manifest_enables(installed, jp_fetch, jp_serverapp):
    assert json.loads(MANIFEST.read_text()) == {"ServerApp": {"jpserver_extensions": {"jupyter_server_contents": True}}}
    assert (await jp_fetch("api", "contents")).code == 200
    assert jp_serverapp.contents_manager is not None


@pytest.fixture
def disabled(installed):
    installed.write_text(json.dumps({"ServerApp": {"jpserver_extensions": {"jupyter_server_contents": False}}}))


async def test_disabled_at_sys_prefix_serves_no_contents(disabled, jp_fetch, jp_serverapp):
    assert (await jp_fetch("api", "contents", raise_error=False)).code == 404
    assert (await jp_fetch("files", "x.txt", raise_error=False)).code == 404
    assert jp_serverapp.contents_manager is None
    assert (await jp_fetch("api", "kernelspecs")).code == 200
