"""A real ServerApp deciding from manifests, its config file and its command line."""

from __future__ import annotations

import json
import sys

import pytest
from jupyter_server_core.extensions._confd import builtin_extensions

MODULE = '''
from jupyter_server_core import APIHandler, url_path_join

class Hello(APIHandler):
    def get(self):
        self.write_json({"name": __name__})

def _jupyter_server_extension_points():
    return [{"module": __name__}]

def _load_jupyter_server_extension(serverapp):
    serverapp.web_app.add_handlers(".*$", [(url_path_join(serverapp.base_url, __name__), Hello)])
'''
NAMES = ("cp_a", "cp_b", "cp_c")


def manifest(folder, filename, extensions):
    conf_d = folder / "jupyter_server_config.d"
    conf_d.mkdir(exist_ok=True)
    (conf_d / filename).write_text(json.dumps({"ServerApp": {"jpserver_extensions": extensions}}))


@pytest.fixture
def jp_server_config(jp_environ, tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_PREFER_ENV_PATH", "0")
    for name in NAMES:
        (tmp_path / f"{name}.py").write_text(MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    manifest(jp_environ["config"], "cp.json", {"cp_a": True, "cp_b": False, "cp_c": True})
    manifest(jp_environ["env_config"], "cp.json", {"cp_c": False})
    (jp_environ["config"] / "jupyter_server_config.json").write_text(
        json.dumps({"ServerApp": {"jpserver_extensions": {"cp_a": False}}})
    )
    yield {}
    for name in NAMES:
        sys.modules.pop(name, None)


async def test_config_file_and_command_line_override_manifests(jp_server_config, jp_environ, tmp_path, capsys):
    from jupyter_server_core import ServerApp

    bad = jp_environ["env_config"] / "jupyter_server_config.d" / "broken.json"
    bad.write_text('{"ServerApp": ')
    app = ServerApp()
    app.initialize(["--allow-root", f"--ServerApp.root_dir={tmp_path}", "--ServerApp.jpserver_extensions", "cp_b=True"],
                   bind=False)
    decisions = app.extension_manager.decisions
    config_file = jp_environ["config"] / "jupyter_server_config.json"
    assert (decisions["cp_a"].enabled, decisions["cp_a"].decided_by) == (False, f"config file {config_file}")
    assert (decisions["cp_b"].enabled, decisions["cp_b"].decided_by) == (True, "command line")
    user_manifest = jp_environ["config"] / "jupyter_server_config.d" / "cp.json"
    assert (decisions["cp_c"].enabled, decisions["cp_c"].decided_by) == (True, f"user manifest {user_manifest}")
    assert "cp_a" not in sys.modules
    loaded = {p.name for p in app.extension_manager.loaded_points()}
    # The installed built-in extensions load too (no manifest here disables them).
    assert loaded.difference(builtin_extensions()) == {"cp_b", "cp_c"}
    # An unreadable manifest is named in the log and ignored.
    assert f"Ignoring an extension manifest: {bad} is not valid JSON" in capsys.readouterr().err
