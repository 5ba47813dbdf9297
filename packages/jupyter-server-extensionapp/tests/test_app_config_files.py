"""An ExtensionApp's config files configure the whole server (in-process, real files).

``jupyter_example_config.py|json`` and ``jupyter_example_config.d/*.json`` in the config
folders of ``jupyter --paths``: every section applies to the server, its managers and the
contents service; the server's own config (its files and what it was given) wins.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent


@pytest.fixture
def jp_extensions(monkeypatch):
    monkeypatch.syspath_prepend(str(HERE))
    yield {"example_ext": True, "jupyter_server_contents": True}
    for name in [m for m in sys.modules if m.startswith("example_ext")]:
        del sys.modules[name]


@pytest.fixture
def config_files(jp_environ):
    from jupyter_core.paths import jupyter_config_path

    # The user's folder and the environment's, in `jupyter --paths` order (the environment's
    # comes first inside a virtualenv): the first one wins.
    first, second = (Path(p) for p in jupyter_config_path()[:2])
    assert {first, second} == {jp_environ["config"], jp_environ["env_config"]}
    (first / "jupyter_example_config.py").write_text(
        "c.ServerApp.allow_origin = 'http://app.example'\n"
        "c.ServerApp.allow_credentials = True\n"
        "c.IdentityProvider.token = 'from-the-app-file'\n"  # the server was given one: it wins
        "c.MappingKernelManager.cull_interval = 77\n"
        "c.ExampleApp.greeting = 'Hallo'\n"
    )
    # In one folder the .d files come after the .py and .json files, by name.
    (first / "jupyter_example_config.d").mkdir()
    (first / "jupyter_example_config.d" / "20-later.json").write_text(json.dumps({"MappingKernelManager": {"cull_interval": 88}}))
    (first / "jupyter_example_config.d" / "10-earlier.json").write_text(
        json.dumps({"MappingKernelManager": {"cull_interval": 66}, "ContentsManager": {"allow_hidden": True}})
    )
    # A later folder of `jupyter --paths` loses to the first, .d files included.
    (second / "jupyter_example_config.d").mkdir()
    (second / "jupyter_example_config.d" / "site.json").write_text(
        json.dumps({"ServerApp": {"allow_origin": "http://site.example", "allow_origin_pat": "site"}})
    )
    # The server's own config file wins over the app's, whatever the folder.
    (second / "jupyter_server_config.json").write_text(json.dumps({"ServerApp": {"allow_credentials": False}}))
    return jp_environ


async def test_every_section_of_the_app_config_configures_the_server(config_files, jp_serverapp, jp_token):
    app = jp_serverapp
    assert app.allow_origin == "http://app.example"
    assert app.allow_origin_pat == "site"
    assert app.allow_credentials is False
    assert app.identity_provider.token == jp_token
    assert app.kernel_manager.cull_interval == 88
    assert app.contents_manager.allow_hidden is True
    example = app.extension_manager.extension_points["example"].app
    assert example.greeting == "Hallo"
    assert any(f.endswith("20-later.json") for f in app.loaded_config_files)


async def test_a_broken_conf_d_file_is_named_and_skipped(jp_environ, jp_serverapp, caplog):
    # Written after the server started: read again as a second server would read it.
    folder = jp_environ["config"] / "jupyter_example_config.d"
    folder.mkdir()
    (folder / "bad.json").write_text("{not json")
    (folder / "good.json").write_text(json.dumps({"ExampleApp": {"greeting": "Salut"}}))
    from example_ext import ExampleApp

    app = ExampleApp()
    app._link_jupyter_server_extension(jp_serverapp)
    assert app.greeting == "Salut"
    assert any(str(folder / "bad.json") in r.getMessage() for r in caplog.records)


@pytest.fixture
def appending_server_config(jp_environ):
    (jp_environ["config"] / "jupyter_server_config.py").write_text("c.ServerApp.local_hostnames.append('extra-host')\n")
    (jp_environ["config"] / "jupyter_example_config.py").write_text("c.ServerApp.local_hostnames.append('app-host')\n")
    return jp_environ


async def test_appends_of_the_server_config_apply_once(appending_server_config, jp_serverapp):
    # The server's files win: the app's append is overridden, the server's applies once.
    assert jp_serverapp.local_hostnames.count("extra-host") == 1
    assert "app-host" not in jp_serverapp.local_hostnames
