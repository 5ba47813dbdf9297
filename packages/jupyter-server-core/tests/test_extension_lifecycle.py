"""Extension lifecycle: link, load, start after listening, stop in reverse; broken extensions."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap

import pytest
from jupyter_server_core.pytest_plugin import free_port

RECORDER = "events = []\n"

GOOD = '''
import socket
import tornado.web
from jupyter_server_core import APIHandler, url_path_join
from lc_recorder import events

NAME = __name__

class Hello(APIHandler):
    def get(self):
        self.write_json({"hello": NAME})

def _jupyter_server_extension_points():
    return [{"module": NAME}]

def _link_jupyter_server_extension(serverapp):
    events.append(("link", NAME))
    # Linking happens before the managers exist: config added here reaches them.
    serverapp.config.KernelSpecManager.allowed_kernelspecs = {"python3"}

def _load_jupyter_server_extension(serverapp):
    events.append(("load", NAME))
    serverapp.web_app.add_handlers(".*$", [(url_path_join(serverapp.base_url, NAME), Hello)])

async def _start_jupyter_server_extension(serverapp):
    with socket.create_connection(("127.0.0.1", serverapp.port), timeout=5):
        events.append(("start", NAME, "listening"))

async def _stop_jupyter_server_extension(serverapp):
    events.append(("stop", NAME))
'''

BROKEN = {
    "lc_importerr": "raise ImportError('lc_importerr needs a missing library')\n",
    "lc_loaderr": GOOD.replace('    events.append(("load", NAME))', '    raise RuntimeError("boom in load")'),
    "lc_starterr": GOOD.replace('    with socket.create_connection', '    raise RuntimeError("boom in start")\n    with socket.create_connection'),
}


@pytest.fixture
def ext_dir(tmp_path, monkeypatch):
    """Extension modules lc_a, lc_b, lc_off and the broken ones, importable."""
    folder = tmp_path / "lc_exts"
    folder.mkdir()
    (folder / "lc_recorder.py").write_text(RECORDER)
    for name in ("lc_a", "lc_b", "lc_off"):
        (folder / f"{name}.py").write_text(GOOD)
    for name, source in BROKEN.items():
        (folder / f"{name}.py").write_text(source)
    monkeypatch.syspath_prepend(str(folder))
    yield folder
    for name in ("lc_recorder", "lc_a", "lc_b", "lc_off", *BROKEN):
        sys.modules.pop(name, None)


@pytest.fixture
def jp_extensions(ext_dir, request):
    return getattr(request, "param", {"lc_b": True, "lc_a": True})


@pytest.fixture
def jp_server_config(jp_environ):
    # A manifest that disables lc_off: it must never be imported.
    conf_d = jp_environ["env_config"] / "jupyter_server_config.d"
    conf_d.mkdir()
    (conf_d / "lc_off.json").write_text(json.dumps({"ServerApp": {"jpserver_extensions": {"lc_off": False}}}))
    return {"ServerApp": {"log_level": "DEBUG"}}


async def test_link_load_start_stop_order(jp_serverapp, jp_fetch):
    from lc_recorder import events

    assert events == [("link", "lc_a"), ("link", "lc_b"), ("load", "lc_a"), ("load", "lc_b"),
                      ("start", "lc_a", "listening"), ("start", "lc_b", "listening")]
    assert jp_serverapp.kernel_spec_manager.allowed_kernelspecs == {"python3"}
    r = await jp_fetch("lc_b")
    assert json.loads(r.body) == {"hello": "lc_b"}
    events.clear()
    await jp_serverapp.extension_manager.stop_all()
    assert events == [("stop", "lc_b"), ("stop", "lc_a")]


async def test_disabled_extension_is_never_imported(jp_serverapp):
    assert "lc_off" not in sys.modules
    decision = jp_serverapp.extension_manager.decisions["lc_off"]
    assert decision.enabled is False and decision.decided_by.startswith("sys-prefix manifest")
    assert "lc_a" in sys.modules


@pytest.mark.parametrize("jp_extensions", [{"lc_importerr": True, "lc_loaderr": True, "lc_starterr": True, "lc_a": True}], indirect=True)
async def test_broken_extensions_are_named_and_the_others_load(capsys, jp_serverapp, jp_fetch):
    log = capsys.readouterr().err  # the server's log handler writes to stderr
    assert "Extension 'lc_importerr' failed to import: ImportError: lc_importerr needs a missing library" in log
    assert "Extension 'lc_loaderr' failed to load: RuntimeError: boom in load" in log
    assert "Extension 'lc_starterr' failed to start: RuntimeError: boom in start" in log
    assert re.search(r"^\[D [^]]* ServerApp\] Extension lc_a imported in \d+\.\d{3} s$", log, re.M)
    r = await jp_fetch("lc_a")
    assert json.loads(r.body) == {"hello": "lc_a"}
    r = await jp_fetch("lc_loaderr", raise_error=False)
    assert r.code == 404


@pytest.mark.parametrize(("name", "what", "detail"), [
    ("lc_importerr", "import", "ImportError: lc_importerr needs a missing library"),
    ("lc_loaderr", "load", "RuntimeError: boom in load"),
    ("lc_starterr", "start", "RuntimeError: boom in start"),
])
def test_reraise_stops_the_server_with_one_clear_line(ext_dir, jp_environ, tmp_path, name, what, detail):
    env = dict(os.environ, PYTHONPATH=str(ext_dir), JUPYTER_TOKEN="t")
    argv = [sys.executable, "-m", "jupyter_server_core", f"--port={free_port()}", "--ip=127.0.0.1",
            "--no-browser", "--allow-root", "--ServerApp.reraise_server_extension_failures=True",
            "--ServerApp.jpserver_extensions", f"{name}=True"]
    p = subprocess.run(argv, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert p.returncode == 1
    assert "Traceback" not in p.stderr
    last = p.stderr.strip().splitlines()[-1]
    assert last == textwrap.dedent(f"""\
        Extension {name!r} failed to {what}: {detail} (ServerApp.reraise_server_extension_failures is set, so the server stops)""")
