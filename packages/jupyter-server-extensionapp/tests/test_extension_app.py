"""ExtensionApp loaded by a running server (in-process): settings, static URLs, hooks."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
CSS = (HERE / "example_ext" / "static" / "example.css").read_bytes()

HOOKED = '''
from jupyter_server_extensionapp import ExtensionApp

events = []

class HookedApp(ExtensionApp):
    name = "hooked"

    def initialize_settings(self):
        events.append(("settings", self.serverapp.web_app is not None))
        self.settings["hooked_extra"] = 42

    async def start_extension(self):
        events.append(("start", self.serverapp.http_server is not None))

    async def stop_extension(self):
        events.append(("stop",))

    def current_activity(self):
        return ["busy"]

def _jupyter_server_extension_points():
    return [{"module": "hooked_ext", "app": HookedApp}]
'''


@pytest.fixture
def jp_extensions(tmp_path, monkeypatch):
    (tmp_path / "hooked_ext.py").write_text(HOOKED)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.syspath_prepend(str(HERE))
    yield {"example_ext": True, "hooked_ext": True}
    for name in [m for m in sys.modules if m.startswith(("example_ext", "hooked_ext"))]:
        del sys.modules[name]


@pytest.fixture
def jp_server_config(jp_environ):
    # The app's own config file, and the server's config for the same trait: the server's wins.
    (jp_environ["config"] / "jupyter_example_config.json").write_text(
        json.dumps({"ExampleApp": {"greeting": "Bonjour"}})
    )
    return {"ExampleApp": {"greeting": "Hi"}}


def example_app(serverapp):
    return serverapp.extension_manager.extension_points["example"].app


async def test_settings_keys_frontends_rely_on(jp_serverapp):
    import jinja2

    settings = jp_serverapp.web_app.settings
    assert dict(settings["example_config"]) == {"greeting": "Hi"}
    assert settings["example_static_paths"] == [str(HERE / "example_ext" / "static")]
    assert settings["example_template_paths"] == [str(HERE / "example_ext" / "templates")]
    assert isinstance(settings["example_jinja2_env"], jinja2.Environment)
    assert settings["hooked_extra"] == 42
    app = example_app(jp_serverapp)
    assert app.serverapp is jp_serverapp
    assert app.static_url_prefix == "/a%40b/static/example/"
    assert app.config_file_name == "jupyter_example_config"


async def test_page_and_static_url_under_the_base_url(jp_fetch):
    page = (await jp_fetch("example")).body.decode()
    assert '<h1 class="greeting">Hi</h1>' in page
    version = hashlib.sha512(CSS).hexdigest()
    assert f'href="/a%40b/static/example/example.css?v={version}"' in page
    r = await jp_fetch("static", "example", "example.css", headers={"Authorization": None})
    assert r.body == CSS


async def test_api_handler_gets_name_and_config(jp_fetch):
    r = await jp_fetch("example", "api", "greeting", params={"who": "Bo"})
    assert json.loads(r.body) == {"greeting": "Hi, Bo!", "extension": "example"}


async def test_root_is_not_redirected_when_loaded_as_one_of_many(jp_fetch):
    # Only an app launched as `jupyter <name>` takes over the root; here the server's own
    # root answers (its landing page), not a redirect to the extension's default_url.
    r = await jp_fetch("", raise_error=False)
    assert r.code == 200
    assert "Location" not in r.headers
    assert b"Jupyter Server" in r.body


async def test_hooks_run_in_order(jp_serverapp):
    from hooked_ext import events

    assert events == [("settings", True), ("start", True)]
    assert jp_serverapp.extension_manager.activity_counts()[-1] == 1
    await jp_serverapp.extension_manager.stop_all()
    assert events[-1] == ("stop",)


def test_app_made_without_a_server(jp_environ, monkeypatch):
    # A tool may build an app only to read its config: it gets a blank server to lean on,
    # but initialize() does not add handlers to it and nothing is started.
    monkeypatch.syspath_prepend(str(HERE))
    from example_ext import ExampleApp
    from jupyter_server_core import ServerApp

    (jp_environ["config"] / "jupyter_example_config.json").write_text(
        json.dumps({"ExampleApp": {"greeting": "Salut"}})
    )
    app = ExampleApp()
    assert isinstance(app.serverapp, ServerApp)
    assert not ServerApp.initialized()  # a blank one, not the process-wide instance
    assert isinstance(app.config_file_paths, list)
    app.initialize([])
    assert app.greeting == "Salut"


async def test_app_made_while_a_server_runs_lends_it(jp_serverapp, jp_fetch):
    from example_ext import ExampleApp

    assert ExampleApp().serverapp is jp_serverapp
    assert example_app(jp_serverapp).serverapp is jp_serverapp
    assert (await jp_fetch("example", "api", "greeting", params={"who": "Al"})).code == 200


@pytest.mark.parametrize(
    ("config", "opens"),
    [
        ({}, True),
        ({"ServerApp": {"open_browser": False}}, False),
        ({"ExampleApp": {"open_browser": False}}, False),
        ({"ServerApp": {"open_browser": False}, "ExampleApp": {"open_browser": True}}, True),
        ({"ServerApp": {"open_browser": True}, "ExampleApp": {"open_browser": False}}, False),
    ],
)
def test_initialize_server_takes_a_config(jp_environ, monkeypatch, config, opens):
    # What `jupyter example` would run, given a config object: the app's own open_browser
    # setting wins over the server's.
    monkeypatch.syspath_prepend(str(HERE))
    from example_ext import ExampleApp
    from jupyter_server_core import ServerApp
    from traitlets.config import Config

    base = {"ServerApp": {"port": 0, "ip": "127.0.0.1", "allow_root": True}}
    merged = Config(base)
    merged.merge(Config(config))
    try:
        serverapp = ExampleApp.initialize_server(config=merged)
        assert serverapp.open_browser is opens
        assert serverapp.jpserver_extensions.get("example_ext") is True
    finally:
        if ServerApp.initialized():
            if ServerApp.instance().http_server is not None:
                ServerApp.instance().http_server.stop()
            ServerApp.clear_instance()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="checks the root rule")
def test_a_server_set_up_as_root_without_allow_root_refuses_only_to_start(jp_environ, monkeypatch):
    monkeypatch.syspath_prepend(str(HERE))
    from example_ext import ExampleApp
    from jupyter_server_core import ServerApp
    from traitlets.config import Config

    try:
        serverapp = ExampleApp.initialize_server(config=Config({"ServerApp": {"port": 0, "ip": "127.0.0.1"}}))
        assert serverapp.web_app is not None
        with pytest.raises(SystemExit):
            serverapp.start()
    finally:
        if ServerApp.initialized():
            if ServerApp.instance().http_server is not None:
                ServerApp.instance().http_server.stop()
            ServerApp.clear_instance()
