"""Route precedence, the one rule (docs/architecture.md): an extension's routes win over the
server's own, core services included; between two extensions the first loaded wins."""

from __future__ import annotations

import json
import sys

import pytest

MODULE = '''
from jupyter_server_core import APIHandler, url_path_join

class Mine(APIHandler):
    def get(self, *args):
        self.write_json({"answered_by": __name__})

def _jupyter_server_extension_points():
    return [{"module": __name__}]

def _load_jupyter_server_extension(serverapp):
    base = serverapp.base_url
    serverapp.web_app.add_handlers(".*$", [
        (url_path_join(base, "/api/status"), Mine),
        (url_path_join(base, "/api/kernels"), Mine),
        (url_path_join(base, "/api/rp_shared"), Mine),
    ])
'''
NAMES = ("rp_early", "rp_late")  # loaded in this order (by name)


@pytest.fixture
def jp_extensions(tmp_path, monkeypatch):
    for name in NAMES:
        (tmp_path / f"{name}.py").write_text(MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield {name: True for name in NAMES}
    for name in NAMES:
        sys.modules.pop(name, None)


async def test_an_extension_overrides_core_routes_and_the_first_extension_wins(jp_fetch, jp_serverapp):
    loaded = [p.name for p in jp_serverapp.extension_manager.loaded_points()]
    assert loaded.index("jupyter_server_core") < loaded.index("rp_early") < loaded.index("rp_late")
    for path in ("api/status", "api/kernels", "api/rp_shared"):
        response = await jp_fetch(path)
        assert response.code == 200
        assert json.loads(response.body) == {"answered_by": "rp_early"}, path
    # What no extension overrides stays the core's.
    assert json.loads((await jp_fetch("api/kernelspecs")).body)["default"]


TERMINAL_PAGES = '''
from jupyter_server_core import JupyterHandler, url_path_join

class TerminalPage(JupyterHandler):
    def get(self, *args):
        self.finish("a page, as Notebook 7's /terminals/(.*)")

def _jupyter_server_extension_points():
    return [{"module": __name__}]

def _load_jupyter_server_extension(serverapp):
    serverapp.web_app.add_handlers(".*$", [(url_path_join(serverapp.base_url, "/terminals/(.*)"), TerminalPage)])
'''


class TestTerminalsStayAheadOfAFrontendsPageRoute:
    @pytest.fixture
    def jp_extensions(self, tmp_path, monkeypatch):
        (tmp_path / "rp_terminal_pages.py").write_text(TERMINAL_PAGES)
        monkeypatch.syspath_prepend(str(tmp_path))
        yield {"jupyter_server_terminals": True, "rp_terminal_pages": True}
        sys.modules.pop("rp_terminal_pages", None)

    async def test_the_terminal_websocket_is_not_taken_by_the_page(self, jp_fetch, jp_ws_fetch):
        name = json.loads((await jp_fetch("api", "terminals", method="POST", body="{}")).body)["name"]
        ws = await jp_ws_fetch("terminals", "websocket", name)  # a 200 page would fail the upgrade
        ws.write_message(json.dumps(["stdin", "echo route-ok\r"]))
        seen = ""
        while "route-ok" not in seen.replace("echo route-ok", ""):
            message = await ws.read_message()
            assert message is not None, "the terminal WebSocket closed"
            kind, *data = json.loads(message)
            if kind == "stdout":
                seen += data[0]
        ws.close()
        # Other paths under /terminals/ are the extension's page.
        assert b"a page" in (await jp_fetch("terminals", name)).body
