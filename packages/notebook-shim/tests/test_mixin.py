"""NotebookConfigShimMixin on a real ExtensionApp, linked to a real server.

The notebook_shim extension itself is not enabled here: the mixin alone must bring the
classic config to the server and to the app, as JupyterLab and Notebook 7 rely on.
"""

from __future__ import annotations

import json

import pytest

pytest.importorskip("jupyter_server_extensionapp")

APP = '''
from traitlets import Bool, Unicode
from jupyter_server_extensionapp import ExtensionApp
from notebook_shim.shim import NotebookConfigShimMixin

class ClassicFrontendApp(NotebookConfigShimMixin, ExtensionApp):
    name = "classic_frontend"
    custom_banner = Unicode("", help="A frontend setting the classic notebook also had.").tag(config=True)
    show_trust = Bool(True, help="Another frontend setting.").tag(config=True)
    greeting = Unicode("", help="A third one.").tag(config=True)

def _jupyter_server_extension_points():
    return [{"module": "classic_frontend", "app": ClassicFrontendApp}]
'''


@pytest.fixture
def jp_extensions():
    return {"classic_frontend": True}


@pytest.fixture
def jp_argv():
    return ["--NotebookApp.show_trust=False"]


@pytest.fixture
def frontend(tmp_path, levels, monkeypatch, write_json):
    site = tmp_path / "site"
    site.mkdir()
    (site / "classic_frontend.py").write_text(APP, encoding="utf-8")
    monkeypatch.syspath_prepend(str(site))
    write_json(levels["user"] / "jupyter_notebook_config.json",
               {"NotebookApp": {"custom_banner": "classic banner", "greeting": "classic greeting",
                                "allow_origin": "http://x.example", "base_url": "/classic/"}})
    # the app's own config file wins over the classic file; the command line over both
    write_json(levels["user"] / "jupyter_classic_frontend_config.json",
               {"ClassicFrontendApp": {"custom_banner": "app banner", "show_trust": True}})


async def test_mixin_moves_notebook_traits_to_the_app_and_the_server(frontend, jp_serverapp, jp_base_url,
                                                                     server_warnings):
    point = jp_serverapp.extension_manager.extension_points["classic_frontend"]
    app = point.app
    assert app.greeting == "classic greeting"
    assert app.custom_banner == "app banner"
    assert app.show_trust is False
    assert jp_serverapp.allow_origin == "http://x.example"  # server traits, without the shim extension
    assert jp_serverapp.base_url == jp_base_url  # server config wins
    text = "\n".join(server_warnings)
    assert "NotebookApp.greeting (in " in text and "use ClassicFrontendApp.greeting" in text
    assert "Conflict: NotebookApp.custom_banner = 'classic banner'" in text
    assert "ClassicFrontendApp.custom_banner wins" in text
    assert "NotebookApp.show_trust (in the command line) is deprecated: use ClassicFrontendApp.show_trust" in text
    assert "use ServerApp.allow_origin" in text
    assert "Conflict: NotebookApp.base_url = '/classic/'" in text
    assert len([m for m in server_warnings if "greeting" in m]) == 1
    assert json.dumps(app.extension_config["greeting"]) == '"classic greeting"'
