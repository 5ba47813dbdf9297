"""The compatibility layer in-process: extension code written for jupyter_server 2.x, run
on our server (a small extension module below, loaded by a real ServerApp)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

COMPAT_EXT = '''
import json
from jupyter_server.auth.decorator import allow_unauthenticated, authorized
from jupyter_server.base.handlers import APIHandler, FileFindHandler, JupyterHandler, json_errors
from jupyter_server.extension.application import ExtensionApp
from jupyter_server.utils import url_path_join


class InfoHandler(APIHandler):
    auth_resource = "contents"

    @json_errors
    def get(self):
        self.update_api_activity()
        self.finish(json.dumps({
            "token": self.token,
            "base_url": self.base_url,
            "contents_manager": type(self.contents_manager).__name__,
            "kernel_manager": type(self.kernel_manager).__name__,
            "serverapp": type(self.serverapp).__name__,
            "static_url_prefix": self.static_url_prefix,
            "logged_in": self.logged_in,
        }))

    @authorized
    def post(self):
        self.finish(json.dumps({"echo": self.get_json_body()}))


class RewritingHandler(FileFindHandler):
    """As jupyterlab_server's ThemesHandler: get_content as an instance method."""

    def get_content(self, abspath, start=None, end=None):
        return open(abspath, "rb").read().replace(b"from", b"FROM")


class OpenHandler(JupyterHandler):
    @allow_unauthenticated
    def get(self):
        self.finish("open to all")

    def post(self):
        self.finish("members only")


class TokenApp(ExtensionApp):
    name = "token_app"


def _jupyter_server_extension_points():
    return [{"module": "compat_ext"}, {"module": "compat_ext", "app": TokenApp}]


def _load_jupyter_server_extension(serverapp):
    base = serverapp.base_url
    static = serverapp.root_dir + "/static"
    serverapp.web_app.add_handlers(".*$", [
        (url_path_join(base, "compat/info"), InfoHandler),
        (url_path_join(base, "compat/open"), OpenHandler),
        (url_path_join(base, "compat/rewritten/(.*)"), RewritingHandler, {"path": [static + "/a"]}),
        (url_path_join(base, "compat/files/(.*)"), FileFindHandler,
         {"path": [static + "/a", static + "/b"], "no_cache_paths": [url_path_join(base, "compat/files/fresh")]}),
    ])
'''


@pytest.fixture
def jp_extensions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "compat_ext.py").write_text(COMPAT_EXT)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield {"jupyter_server_contents": True, "compat_ext": True}
    sys.modules.pop("compat_ext", None)


@pytest.fixture
def jp_root_dir(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    for folder, files in {"a": {"one.txt": "from a", "fresh.txt": "new"}, "b": {"one.txt": "from b", "two.txt": "b only"}}.items():
        (root / "static" / folder).mkdir(parents=True)
        for name, text in files.items():
            (root / "static" / folder / name).write_text(text)
    return root


def test_flags_and_aliases_are_the_servers_own_dicts() -> None:
    from jupyter_server.serverapp import ServerApp, aliases, flags
    from jupyter_server_core import ServerApp as CoreServerApp

    assert ServerApp is CoreServerApp
    assert flags is CoreServerApp.flags and aliases is CoreServerApp.aliases
    flags["compat-test-flag"] = ({"ServerApp": {"open_browser": False}}, "added in place")
    try:
        assert "compat-test-flag" in CoreServerApp.flags
    finally:
        del flags["compat-test-flag"]


async def test_a_2x_api_handler_finds_the_servers_services(jp_fetch, jp_token, jp_base_url) -> None:
    info = json.loads((await jp_fetch("compat", "info")).body)
    assert info == {
        "token": jp_token, "base_url": jp_base_url, "contents_manager": "AsyncLargeFileManager",
        "kernel_manager": "MappingKernelManager", "serverapp": "ServerApp",
        "static_url_prefix": jp_base_url + "static/", "logged_in": True,
    }
    echo = await jp_fetch("compat", "info", method="POST", body=json.dumps({"a": 1}))
    assert json.loads(echo.body) == {"echo": {"a": 1}}
    bad = await jp_fetch("compat", "info", method="POST", body="{not json", raise_error=False)
    assert bad.code == 400 and set(json.loads(bad.body)) == {"message", "reason"}


async def test_allow_unauthenticated_opens_one_method_only(jp_fetch) -> None:
    opened = await jp_fetch("compat", "open", headers={"Authorization": ""}, raise_error=False)
    assert opened.code == 200 and opened.body == b"open to all"
    closed = await jp_fetch("compat", "open", method="POST", body="", headers={"Authorization": ""}, raise_error=False)
    assert closed.code == 403
    assert (await jp_fetch("compat", "open", method="POST", body="")).body == b"members only"
    api = await jp_fetch("compat", "info", headers={"Authorization": ""}, raise_error=False)
    assert api.code == 403


async def test_file_find_handler_searches_its_folders_in_order(jp_fetch) -> None:
    first = await jp_fetch("compat", "files", "one.txt")
    assert first.body == b"from a"
    assert (await jp_fetch("compat", "files", "two.txt")).body == b"b only"
    fresh = await jp_fetch("compat", "files", "fresh.txt")
    assert fresh.headers["Cache-Control"] == "no-cache"
    assert "no-cache" not in first.headers.get("Cache-Control", "")
    for missing in ("nope.txt", "..%2F..%2Fetc%2Fpasswd"):
        assert (await jp_fetch("compat", "files", missing, raise_error=False)).code in (403, 404)


async def test_an_extension_app_puts_the_token_in_the_settings(jp_serverapp, jp_token) -> None:
    assert jp_serverapp.web_app.settings["token"] == jp_token
    assert jp_serverapp.web_app.settings["token_app_config"] is not None


def test_config_manager_reads_the_named_folder(jp_environ) -> None:
    from jupyter_server.services.config import ConfigManager, recursive_update

    (jp_environ["config"] / "labconfig").mkdir()
    (jp_environ["config"] / "labconfig" / "page_config.json").write_text(json.dumps({"a": {"b": 1}}))
    manager = ConfigManager(config_dir_name="labconfig")
    assert manager.get("page_config") == {"a": {"b": 1}}
    assert ConfigManager().get("page_config") == {}
    target = {"a": {"b": 1, "c": 2}}
    recursive_update(target, {"a": {"b": None, "d": 3}})
    assert target == {"a": {"c": 2, "d": 3}}


def test_utils_tz_version_and_translations() -> None:
    from jupyter_server import _tz, _version, transutils, utils

    assert utils.url_path_join("/a/", "/b", "c/") == "/a/b/c/"
    assert utils.url_escape("a b/c") == "a%20b/c"
    assert utils.url_is_absolute("/x") and utils.url_is_absolute("https://h/x") and not utils.url_is_absolute("x")
    assert utils.path2url("a b") == "a%20b" and utils.url2path("a%20b") == "a b"
    assert utils.check_pid(__import__("os").getpid())
    assert _tz.isoformat(_tz.utcnow()).endswith("Z")
    assert _version.version_info[0] == 2 and isinstance(_version.__version__, str)
    assert transutils._("Hello") == "Hello" and transutils._i18n is transutils._


def test_serverextension_marks_and_websocket_mixin() -> None:
    from jupyter_server.base.websocket import WebSocketMixin
    from jupyter_server.base.zmqhandlers import WebSocketMixin as Old
    from jupyter_server.extension.serverextension import (
        GREEN_ENABLED,
        GREEN_OK,
        RED_DISABLED,
        RED_X,
    )

    assert Old is WebSocketMixin and hasattr(WebSocketMixin, "check_origin")
    assert "enabled" in GREEN_ENABLED and "disabled" in RED_DISABLED and "OK" in GREEN_OK and "X" in RED_X


async def test_subclass_with_instance_get_content_is_served_without_errors(jp_fetch, jp_serverapp, caplog):
    import logging

    caplog.set_level(logging.ERROR, logger="tornado")
    r = await jp_fetch("compat", "rewritten", "one.txt")
    assert r.body == b"FROM a"
    assert r.headers.get("Etag")
    assert not [rec for rec in caplog.records if "Could not open static file" in rec.getMessage()]


class TestAuthenticatedFileHandlerForFiles:
    """``files_handler_class = AuthenticatedFileHandler`` (a 2.x static handler) serves
    /files/ from the root directory, for logged-in users, hidden files refused."""

    @pytest.fixture
    def jp_server_config(self):
        return {"ContentsManager": {"files_handler_class": "jupyter_server.base.handlers.AuthenticatedFileHandler"}}

    async def test_served_from_root(self, jp_fetch, jp_root_dir: Path) -> None:
        (jp_root_dir / "sub").mkdir()
        (jp_root_dir / "sub" / "note.txt").write_text("plain text")
        (jp_root_dir / "sub" / ".secret").write_text("hidden")
        r = await jp_fetch("files", "sub", "note.txt")
        assert r.body == b"plain text"
        assert "Content-Disposition" not in r.headers
        r = await jp_fetch("files", "sub", "note.txt", params={"download": "1"})
        assert r.headers["Content-Disposition"] == "attachment; filename*=utf-8''note.txt"
        assert (await jp_fetch("files", "sub", ".secret", raise_error=False)).code == 404
        anon = await jp_fetch("files", "sub", "note.txt", headers={"Authorization": None}, raise_error=False)
        assert anon.code in (302, 403)
