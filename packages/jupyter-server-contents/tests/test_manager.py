"""The manager as extensions and operators use it: config names, hooks, kernel paths, events."""

from __future__ import annotations

import json

import jupyter_server_contents as jsc
import pytest


async def test_default_manager_and_settings(jp_serverapp):
    cm = jp_serverapp.contents_manager
    assert type(cm) is jsc.AsyncLargeFileManager
    assert jp_serverapp.web_app.settings["contents_manager"] is cm
    assert cm.root_dir == jp_serverapp.root_dir
    assert isinstance(cm.checkpoints, jsc.AsyncFileCheckpoints)
    # existing config keeps working: the classic names are bases of the default class
    for name in ("ContentsManager", "FileContentsManager", "AsyncFileContentsManager", "LargeFileManager"):
        assert name in [c.__name__ for c in type(cm).__mro__]


@pytest.mark.parametrize(
    "jp_server_config",
    [{"FileContentsManager": {"hide_globs": ["*.secret"], "untitled_notebook": "Notebook"},
      "FileCheckpoints": {"checkpoint_dir": ".cps"}}],
)
async def test_classic_config_names_apply(jp_fetch, jp_root_dir, jp_server_config):
    (jp_root_dir / "x.secret").write_text("s")
    (jp_root_dir / "y.txt").write_text("y")
    listing = json.loads((await jp_fetch("api", "contents")).body)["content"]
    assert [m["name"] for m in listing] == ["y.txt"]
    r = await jp_fetch("api", "contents", method="POST", body={"type": "notebook"})
    assert json.loads(r.body)["name"] == "Notebook.ipynb"
    assert (jp_root_dir / ".cps" / "Notebook-checkpoint.ipynb").exists()


@pytest.mark.parametrize("jp_server_config", [
    {"ServerApp": {"contents_manager_class": "jupyter_server_contents.FileContentsManager"}},
    # A class object, as a Python config file may give it.
    {"ServerApp": {"contents_manager_class": jsc.FileContentsManager}},
])
async def test_contents_manager_class_is_configurable(jp_serverapp, jp_fetch, jp_server_config):
    assert type(jp_serverapp.contents_manager) is jsc.FileContentsManager
    assert (await jp_fetch("api", "contents")).code == 200


@pytest.fixture
def hook_calls():
    return []


@pytest.fixture
def jp_server_config(hook_calls):
    def pre(model, path, contents_manager):
        hook_calls.append(("pre", path))
        if model["type"] == "file":
            model["content"] = model["content"].upper()

    def post(model, os_path, contents_manager):
        hook_calls.append(("post", model["path"]))

    return {"FileContentsManager": {"pre_save_hook": pre, "post_save_hook": post}}


async def test_save_hooks(jp_fetch, jp_root_dir, hook_calls):
    await jp_fetch("api", "contents", "h.txt", method="PUT", body={"type": "file", "format": "text", "content": "abc"})
    assert (jp_root_dir / "h.txt").read_text() == "ABC"
    assert hook_calls == [("pre", "h.txt"), ("post", "h.txt")]


async def test_failing_hook_is_reported(jp_serverapp, jp_fetch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    jp_serverapp.contents_manager.register_pre_save_hook(broken)
    r = await jp_fetch("api", "contents", "h.txt", method="PUT", raise_error=False,
                       body={"type": "file", "format": "text", "content": "abc"})
    assert r.code == 500 and "Pre-save hook failed" in json.loads(r.body)["message"]


async def test_get_kernel_path(jp_serverapp, jp_root_dir):
    cm = jp_serverapp.contents_manager
    (jp_root_dir / "a" / "b").mkdir(parents=True)
    assert await cm.get_kernel_path("a/b/nb.ipynb") == "a/b"
    assert await cm.get_kernel_path("a/b") == "a/b"
    assert await cm.get_kernel_path("nb.ipynb") == ""
    assert await jp_serverapp.session_manager.kernel_path("a/b/nb.ipynb") == "a/b"


async def test_base_manager_places_session_kernels_next_to_the_document(jp_serverapp, jp_fetch, jp_root_dir):
    # The base ContentsManager knows no folders (dir_exists is not implemented): a session
    # manager built with it still starts kernels, in the document's parent directory.
    import os

    (jp_root_dir / "deep").mkdir()
    jp_serverapp.session_manager.contents_manager = jsc.ContentsManager()
    r = await jp_fetch("api", "sessions", method="POST", body={"path": "deep/a.ipynb", "type": "notebook"})
    kernel_id = json.loads(r.body)["kernel"]["id"]
    pid = jp_serverapp.kernel_manager.get_kernel(kernel_id).provisioner.pid
    assert os.readlink(f"/proc/{pid}/cwd") == os.path.realpath(jp_root_dir / "deep")  # noqa: ASYNC240


async def test_python_api(jp_serverapp, jp_root_dir):
    cm = jp_serverapp.contents_manager
    model = await cm.new_untitled(type="notebook")
    assert model["name"] == "Untitled.ipynb" and await cm.file_exists("Untitled.ipynb")
    assert await cm.exists("Untitled.ipynb") and not await cm.dir_exists("Untitled.ipynb")
    assert await cm.is_hidden(".x/y") and not await cm.is_hidden("x/y")
    await cm.rename("Untitled.ipynb", "renamed.ipynb")
    got = await cm.get("renamed.ipynb")
    assert got["content"]["nbformat"] == 4 and got["created"].tzinfo is not None
    cp = await cm.create_checkpoint("renamed.ipynb")
    assert [c["id"] for c in await cm.list_checkpoints("renamed.ipynb")] == [cp["id"]]
    await cm.delete("renamed.ipynb")
    assert not await cm.exists("renamed.ipynb")


async def test_contents_events(jp_serverapp, jp_fetch):
    events = []
    logger = jp_serverapp.event_logger  # activates events

    async def listener(logger, schema_id, data):
        events.append((data["action"], data["path"]))

    from jupyter_server_contents._extension import CONTENTS_SCHEMA_ID

    logger.add_listener(schema_id=CONTENTS_SCHEMA_ID, listener=listener)
    await jp_fetch("api", "contents", "e.txt", method="PUT", body={"type": "file", "format": "text", "content": "x"})
    await jp_fetch("api", "contents", "e.txt", method="PATCH", body={"path": "f.txt"})
    await jp_fetch("api", "contents", "f.txt", method="DELETE")
    import asyncio

    for _ in range(50):
        if len(events) >= 4:
            break
        await asyncio.sleep(0.01)
    assert ("save", "e.txt") in events and ("rename", "f.txt") in events and ("delete", "f.txt") in events


async def test_compat_helpers(jp_serverapp, jp_root_dir, make_notebook):
    cm = jp_serverapp.contents_manager
    assert cm._get_os_path("a/b.txt") == str(jp_root_dir / "a" / "b.txt")
    assert str(jp_root_dir) in cm.info_string()
    nb = make_notebook()
    assert "message" not in cm.validate_notebook_model({"content": nb})
    nb["cells"][0]["bogus"] = 1
    assert "validation failed" in cm.validate_notebook_model({"content": nb})["message"]
    from tornado.web import HTTPError

    with pytest.raises(HTTPError) as err:
        cm._get_os_path("../outside")
    assert err.value.status_code == 404


async def test_jupyter_server_private_helpers(jp_serverapp, jp_root_dir, make_notebook):
    """The helpers subclasses written for jupyter_server call, with their signatures."""
    cm = jp_serverapp.contents_manager
    (jp_root_dir / "t.txt").write_text("hi")
    (jp_root_dir / "b.bin").write_bytes(b"\xff")
    assert await cm._read_file(cm._get_os_path("t.txt"), None) == ("hi", "text")
    assert (await cm._read_file(cm._get_os_path("b.bin"), None, raw=True))[1:] == ("base64", b"\xff")
    await cm._save_file(cm._get_os_path("s.txt"), "saved", "text")
    assert (jp_root_dir / "s.txt").read_text() == "saved"
    await cm._save_notebook(cm._get_os_path("n.ipynb"), make_notebook("3"))
    nb = await cm._read_notebook(cm._get_os_path("n.ipynb"), as_version=4)
    assert nb.cells[0].source == "3"
    assert (await cm._notebook_model("n.ipynb"))["content"]["nbformat"] == 4
    assert (await cm._file_model("t.txt"))["content"] == "hi"
    assert {m["name"] for m in (await cm._dir_model(""))["content"]} >= {"t.txt", "n.ipynb"}


@pytest.mark.parametrize("jp_server_config", [{"FileContentsManager": {"hash_algorithm": "md5"}}])
async def test_hash_algorithm_is_configurable(jp_fetch, jp_root_dir, jp_server_config):
    import hashlib

    (jp_root_dir / "h.txt").write_text("hello\n")
    for params in ({"hash": "1"}, {"hash": "1", "content": "0"}):
        model = json.loads((await jp_fetch("api", "contents", "h.txt", params=params)).body)
        assert model["hash_algorithm"] == "md5" and model["hash"] == hashlib.md5(b"hello\n").hexdigest()


def test_contents_managers_fit_the_contents_protocol(tmp_path):
    from jupyter_server_contents import AsyncLargeFileManager, ContentsManager
    from jupyter_server_core.contracts import ContentsService

    assert isinstance(AsyncLargeFileManager(root_dir=str(tmp_path)), ContentsService)
    assert isinstance(ContentsManager(), ContentsService)


async def test_preferred_dir_rules(jp_serverapp, jp_root_dir):
    from traitlets import TraitError

    (jp_root_dir / "sub").mkdir()
    manager = jp_serverapp.contents_manager
    # An absolute OS path inside root_dir is taken as the API path it is; the server's
    # deprecated preferred_dir follows, as an OS path.
    manager.preferred_dir = str(jp_root_dir / "sub")
    assert manager.preferred_dir == "sub"
    assert jp_serverapp.preferred_dir == str(jp_root_dir / "sub")
    manager.preferred_dir = "sub/"
    assert manager.preferred_dir == "sub"
    with pytest.raises(TraitError, match="outside root contents directory"):
        manager.preferred_dir = "../"
    with pytest.raises(TraitError, match="Preferred directory not found"):
        manager.preferred_dir = str(jp_root_dir.parent)  # a folder, but outside root_dir
    with pytest.raises(TraitError, match="Preferred directory not found"):
        manager.preferred_dir = "missing"
    assert manager.preferred_dir == "sub"


@pytest.mark.parametrize("jp_server_config", [{"FileContentsManager": {"preferred_dir": "missing"}}])
def test_a_missing_preferred_dir_stops_the_server(jp_environ, jp_root_dir, jp_server_config):
    from jupyter_server_core import ServerApp
    from traitlets.config import Config

    ServerApp.clear_instance()
    app = ServerApp.instance(config=Config({**jp_server_config, "ServerApp": {
        "root_dir": str(jp_root_dir), "allow_root": True, "jpserver_extensions": {"jupyter_server_contents": True}}}))
    try:
        with pytest.raises(SystemExit):
            app.initialize([], bind=False)
    finally:
        ServerApp.clear_instance()


class OlderManager(jsc.AsyncFileContentsManager):
    """A manager written before jupyter_server 2.11: its ``get`` knows no ``require_hash``."""

    async def get(self, path, content=True, type=None, format=None):
        return await super().get(path, content=content, type=type, format=format)


@pytest.mark.parametrize("jp_server_config", [{"ServerApp": {"contents_manager_class": OlderManager}}])
async def test_a_manager_without_require_hash_still_serves(jp_fetch, jp_root_dir, jp_server_config):
    (jp_root_dir / "a.txt").write_text("text")
    for params in ({}, {"hash": "1"}, {"content": "0"}):
        r = await jp_fetch("api", "contents", "a.txt", params=params)
        assert json.loads(r.body)["name"] == "a.txt"
    again = await jp_fetch("api", "contents", "a.txt", headers={"If-None-Match": '"x"'})
    assert again.code == 200
