"""`jupyter example`: the example app of docs/extension-author-guide.md as a real subprocess.

The console script is simulated with ``python -c "from example_ext import main; main()"``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from jupyter_server_core.pytest_plugin import free_port

HERE = Path(__file__).parent
TOKEN = "launch-token-0123"


def isolated_env(base: Path, **extra: str) -> dict[str, str]:
    """Jupyter folders in ``base`` (user config, runtime, data) and the example importable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER_")}
    for name in ("config", "runtime", "data", "home"):
        (base / name).mkdir(parents=True, exist_ok=True)
    env.update(
        HOME=str(base / "home"), JUPYTER_CONFIG_DIR=str(base / "config"), JUPYTER_RUNTIME_DIR=str(base / "runtime"),
        JUPYTER_DATA_DIR=str(base / "data"), JUPYTER_TOKEN=TOKEN, PYTHONPATH=os.pathsep.join([str(HERE), str(base / "src")]),
    )
    env.update(extra)
    return env


class Launched:
    """``jupyter <app>`` running on a free port; ``get()`` sends the token."""

    def __init__(self, base: Path, module: str, *args: str, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = base / f"launch-{self.port}.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        argv = [sys.executable, "-c", f"from {module} import main; main()", f"--port={self.port}",
                "--ip=127.0.0.1", "--allow-root", "--ServerApp.port_retries=0", *args]
        self.proc = subprocess.Popen(argv, env=env, cwd=base, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log()
            try:
                if self.get("/api")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise TimeoutError(self.log())

    def get(self, path: str, token: bool = True) -> tuple[int, dict[str, str], bytes]:
        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: Any, **kwargs: Any) -> None:
                return None

        request = urllib.request.Request(self.url + path, headers={"Authorization": f"token {TOKEN}"} if token else {})
        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(request, timeout=10) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(30)
        self._log.close()
        return int(self.proc.returncode)


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Any:
    base = tmp_path_factory.mktemp("example")
    opened = base / "opened.txt"
    env = isolated_env(base, BROWSER=f"{sys.executable} -c \"import sys; open(r'{opened}', 'w').write(sys.argv[1])\" %s")
    (base / "config" / "jupyter_example_config.json").write_text(json.dumps({"ExampleApp": {"greeting": "Bonjour"}}))
    app = Launched(base, "example_ext", env=env)
    app.opened = opened
    yield app
    assert app.stop() == 0


def test_page_renders_the_template_with_config(example):
    code, headers, body = example.get("/example")
    assert code == 200 and headers["Content-Type"].startswith("text/html")
    page = body.decode()
    assert '<h1 class="greeting">Bonjour</h1>' in page
    assert 'href="/static/example/example.css?v=' in page


def test_static_file_under_static_name_with_version_hash(example):
    page = example.get("/example")[2].decode()
    url = page.split('href="')[1].split('"')[0]
    code, headers, body = example.get(url, token=False)
    assert code == 200
    assert body == (HERE / "example_ext" / "static" / "example.css").read_bytes()
    assert headers["Content-Type"] == "text/css"
    assert "max-age=31536000" in headers.get("Cache-Control", "")  # the ?v= hash makes it cacheable
    assert example.get("/static/example/nope.css", token=False)[0] == 404
    assert example.get("/static/example/..%2F__init__.py", token=False)[0] in (403, 404)


def test_api_handler_and_config_file(example):
    code, _, body = example.get("/example/api/greeting?who=Ada")
    assert code == 200
    assert json.loads(body) == {"greeting": "Bonjour, Ada!", "extension": "example"}
    assert example.get("/example/api/greeting", token=False)[0] == 403


def test_root_redirects_to_default_url_and_browser_opened_there(example):
    code, headers, _ = example.get("/?token=abc", token=False)
    assert code == 302 and headers["Location"] == "/example?token=abc"
    deadline = time.monotonic() + 20
    while not example.opened.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    opened = example.opened.read_text()
    assert opened.startswith("file://")
    redirect_page = Path(opened[len("file://"):]).read_text()
    assert f"http://127.0.0.1:{example.port}/example?token={TOKEN}" in redirect_page or \
        f"localhost:{example.port}/example?token={TOKEN}" in redirect_page


def test_other_enabled_extensions_load_too(example):
    # The core services come from the environment's manifests.
    assert example.get("/api/kernelspecs")[0] == 200


SOLO = '''
from jupyter_server_extensionapp import ExtensionApp, ExtensionHandlerMixin
from jupyter_server_core import APIHandler

class Ping(ExtensionHandlerMixin, APIHandler):
    def get(self):
        self.write_json({"solo": self.extensionapp.name, "other": self.server_config.ServerApp.get("base_url", "")})

class SoloApp(ExtensionApp):
    name = "solo"
    extension_url = "/solo/ping"
    load_other_extensions = False
    def initialize_handlers(self):
        self.handlers.append(("/solo/ping", Ping))

def _jupyter_server_extension_points():
    return [{"module": "solo_ext", "app": SoloApp}]

main = SoloApp.launch_instance
'''


def test_load_other_extensions_false_loads_only_the_app_and_core(tmp_path):
    (tmp_path / "src" / "solo_ext").mkdir(parents=True)
    (tmp_path / "src" / "solo_ext" / "__init__.py").write_text(SOLO)
    env = isolated_env(tmp_path)
    # Enabled at the user level, the example must not load with solo.
    conf_d = tmp_path / "config" / "jupyter_server_config.d"
    conf_d.mkdir()
    (conf_d / "example_ext.json").write_text(json.dumps({"ServerApp": {"jpserver_extensions": {"example_ext": True}}}))
    app = Launched(tmp_path, "solo_ext", "--no-browser", env=env)
    try:
        code, _, body = app.get("/solo/ping")
        assert code == 200 and json.loads(body)["solo"] == "solo"
        assert app.get("/api/kernelspecs")[0] == 200  # the core services always load
        assert app.get("/example/api/greeting")[0] == 404
        assert app.get("/", token=False)[1]["Location"] == "/solo/ping"
    finally:
        assert app.stop() == 0


def test_help_lists_the_app_and_server_options(tmp_path):
    env = isolated_env(tmp_path)
    p = subprocess.run([sys.executable, "-c", "from example_ext import main; main()", "--help-all"],
                       env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert "--ExampleApp.greeting=<Unicode>" in p.stdout and "--ServerApp.port=<Int>" in p.stdout


def test_show_config_merges_the_app_and_server_config_files(tmp_path):
    env = isolated_env(tmp_path)
    app_file = tmp_path / "config" / "jupyter_example_config.py"
    app_file.write_text("c.ServerApp.port = 4321\nc.ServerApp.max_body_size = 1234\nc.ExampleApp.greeting = 'Hej'\n")
    server_file = tmp_path / "config" / "jupyter_server_config.json"
    server_file.write_text(json.dumps({"ServerApp": {"max_body_size": 999}}))
    p = subprocess.run([sys.executable, "-c", "from example_ext import main; main()", "--show-config-json", "--port=5432"],
                       env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    shown = json.loads(p.stdout)
    # The command line, then the server's file, then the app's file.
    assert shown["ServerApp"]["port"] == 5432 and shown["ServerApp"]["max_body_size"] == 999
    assert shown["ExampleApp"]["greeting"] == "Hej"
    p = subprocess.run([sys.executable, "-c", "from example_ext import main; main()", "--show-config"],
                       env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert str(app_file) in p.stdout and str(server_file) in p.stdout


def test_generate_config_writes_the_app_config_file_with_the_server_classes(tmp_path):
    env = isolated_env(tmp_path)
    p = subprocess.run([sys.executable, "-c", "from example_ext import main; main()", "--generate-config", "-y"],
                       env=env, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    written = (tmp_path / "config" / "jupyter_example_config.py").read_text()
    assert "# c.ExampleApp.greeting = " in written and "# c.ServerApp.port = " in written
    # ServerApp's traits once, under ServerApp only (not under the classes it is built from).
    assert "c.ServerTraits." not in written and written.count("# c.ServerApp.port = ") == 1
