"""The shim in-process: classic files at each level, the command line, conflicts, extensions.

Each test writes classic config into the isolated config folders (user, sys-prefix, system)
before ``jp_serverapp`` starts a real server with the notebook_shim extension enabled.
"""

from __future__ import annotations

import json

import pytest

ORIGIN = "http://classic.example"


def write_py(path, *lines):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("c = get_config()  # noqa\n" + "\n".join(lines) + "\n", encoding="utf-8")


def warnings_of(messages: list[str]) -> list[str]:
    return list(messages)


@pytest.fixture(params=["0", "1"], ids=["user-first", "env-first"])
def classic_levels(request, levels, write_json, monkeypatch):
    """allow_origin at every level and in both formats (JUPYTER_PREFER_ENV_PATH decides
    whether the user or the sys-prefix folder ranks first, as jupyter_core does)."""
    monkeypatch.setenv("JUPYTER_PREFER_ENV_PATH", request.param)
    write_py(levels["system"] / "jupyter_notebook_config.py", "c.NotebookApp.allow_origin = 'system'",
             "c.NotebookApp.allow_credentials = True")
    write_json(levels["sys-prefix"] / "jupyter_notebook_config.json",
               {"NotebookApp": {"allow_origin": "sys-prefix", "trust_xheaders": True}})
    write_py(levels["user"] / "jupyter_notebook_config.py", "c.NotebookApp.allow_origin = 'user py'")
    write_json(levels["user"] / "jupyter_notebook_config.json", {"NotebookApp": {"allow_origin": ORIGIN}})
    return request.param == "1"


async def test_levels_and_formats_take_the_classic_precedence(classic_levels, jp_serverapp, jp_fetch, server_warnings,
                                                              jp_browser_headers):
    env_first = classic_levels
    # the first folder wins; in the user folder, json wins over py
    assert jp_serverapp.allow_origin == ("sys-prefix" if env_first else ORIGIN)
    assert jp_serverapp.trust_xheaders is True  # only the sys-prefix level says it
    assert jp_serverapp.allow_credentials is True  # only the system level says it
    # As a logged-in browser: a request carrying the token itself skips the Origin check.
    r = await jp_fetch("api", "status", headers={**jp_browser_headers, "Origin": ORIGIN}, raise_error=False)
    if env_first:
        assert r.code == 404  # the origin the user folder allows is not allowed: sys-prefix won
    else:
        assert r.headers["Access-Control-Allow-Origin"] == ORIGIN
    messages = warnings_of(server_warnings)
    about_origin = [m for m in messages if m.startswith("NotebookApp.allow_origin")]
    assert len(about_origin) == 1  # one warning per setting, naming the file that won
    winner = "env_config/jupyter_notebook_config.json" if env_first else "/config/jupyter_notebook_config.json"
    assert winner in about_origin[0]
    assert "use ServerApp.allow_origin" in about_origin[0]


@pytest.fixture
def classic_moved(levels, write_json):
    hashed = "sha1:0123456789ab:" + "0" * 40
    write_json(levels["user"] / "jupyter_notebook_config.json", {
        "NotebookApp": {
            "password": hashed,
            "cookie_options": {"max_age": 3600},
            "contents_manager_class": "notebook.services.contents.largefilemanager.LargeFileManager",
            "mathjax_url": "https://cdn.example/mathjax.js",
            "no_such_option": 1,
        },
        "MappingKernelManager": {"cull_idle_timeout": 1234},
        "LabApp": {"collaborative": True},
    })
    # in-place changes in Python config (traitlets' lazy values) apply too
    write_py(levels["user"] / "jupyter_notebook_config.py",
             "c.NotebookApp.tornado_settings.update({'compress_response': True})",
             f"c.NotebookApp.extra_static_paths.append({str(levels['user'])!r})")
    return hashed


async def test_moved_traits_reach_their_new_classes(classic_moved, levels, jp_serverapp, server_warnings):
    provider = jp_serverapp.identity_provider
    assert provider.hashed_password == classic_moved
    assert provider.cookie_options == {"max_age": 3600}
    assert jp_serverapp.kernel_manager.cull_idle_timeout == 1234
    # A class or its dotted name: the trait resolves names it can import.
    moved_class = jp_serverapp.contents_manager_class
    if not isinstance(moved_class, str):
        moved_class = f"{moved_class.__module__.split('._')[0]}.{moved_class.__name__}"
    assert moved_class == "jupyter_server_contents.AsyncLargeFileManager"
    assert jp_serverapp.tornado_settings == {"compress_response": True}
    assert jp_serverapp.web_app.settings["compress_response"] is True
    assert jp_serverapp.extra_static_paths == [str(levels["user"])]
    messages = "\n".join(warnings_of(server_warnings))
    assert "NotebookApp.password (in " in messages and "use PasswordIdentityProvider.hashed_password" in messages
    assert "use IdentityProvider.cookie_options" in messages
    assert "MappingKernelManager.cull_idle_timeout (in " in messages
    assert "NotebookApp.no_such_option (in " in messages and "not a Jupyter Server option" in messages
    assert "mathjax" not in messages  # a notebook option: the server leaves it alone
    assert "LabApp" not in messages


@pytest.fixture
def conflicting(levels):
    write_py(levels["user"] / "jupyter_notebook_config.py",
             "c.NotebookApp.base_url = '/classic/'", "c.NotebookApp.token = 'classic-token'",
             "c.NotebookApp.tornado_settings = {'compress_response': False}")


async def test_server_config_wins_over_classic(conflicting, jp_serverapp, jp_base_url, jp_token, server_warnings):
    assert jp_serverapp.base_url == jp_base_url
    assert jp_serverapp.identity_provider.token == jp_token
    messages = warnings_of(server_warnings)
    assert any(m.startswith("Conflict: NotebookApp.base_url = '/classic/'") and "the server config wins" in m
               and "use ServerApp.base_url only" in m for m in messages), messages
    assert any(m.startswith("Conflict: NotebookApp.token") and "IdentityProvider.token" in m for m in messages)
    assert "classic-token" not in jp_serverapp.identity_provider.token


class TestCommandLine:
    @pytest.fixture
    def jp_argv(self):
        return ["--NotebookApp.allow_origin=http://cli.example", "--NotebookApp.port_retries=many"]

    @pytest.fixture
    def jp_server_config(self, jp_server_config):
        jp_server_config["ServerApp"].update(
            {"allow_origin": "http://server.example", "tornado_settings": {"compress_response": True}})
        return jp_server_config

    async def test_command_line_classic_beats_server_files(self, conflicting, jp_serverapp, server_warnings):
        # --NotebookApp.allow_origin on the command line overrides the server's config object
        assert jp_serverapp.allow_origin == "http://cli.example"
        messages = warnings_of(server_warnings)
        assert any("on the command line overrides ServerApp.allow_origin" in m for m in messages), messages
        # an unparsable command-line value is reported, not fatal
        assert jp_serverapp.port_retries == 50
        assert any(m.startswith("NotebookApp.port_retries = 'many'") and "cannot be used" in m for m in messages)
        # the same setting in a classic file and in the server config: the server wins
        assert jp_serverapp.tornado_settings == {"compress_response": True}
        assert any(m.startswith("Conflict: NotebookApp.tornado_settings") for m in messages)


OLD_STYLE = """
from tornado.web import RequestHandler

class Hello(RequestHandler):
    def get(self):
        self.finish("hello from " + type(self.application).__name__)

def _jupyter_server_extension_paths():
    return [{"module": "old_style_nbext"}]

def load_jupyter_server_extension(nb_server_app):
    base = nb_server_app.web_app.settings["base_url"]
    nb_server_app.web_app.add_handlers(".*$", [(base + "hello-old", Hello)])
"""


@pytest.fixture
def old_extension(tmp_path, levels, write_json, monkeypatch):
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "old_style_nbext.py").write_text(OLD_STYLE, encoding="utf-8")
    (folder / "refused_nbext.py").write_text(OLD_STYLE.replace("hello-old", "refused"), encoding="utf-8")
    monkeypatch.syspath_prepend(str(folder))
    write_json(levels["sys-prefix"] / "jupyter_notebook_config.d" / "old.json",
               {"NotebookApp": {"nbserver_extensions": {"old_style_nbext": True, "refused_nbext": True}}})
    write_json(levels["user"] / "jupyter_server_config.d" / "refused.json",
               {"ServerApp": {"jpserver_extensions": {"refused_nbext": False}}})


async def test_classic_extensions_load_and_the_server_decision_wins(old_extension, jp_serverapp, jp_fetch, server_warnings):
    r = await jp_fetch("hello-old")
    assert r.body.decode().startswith("hello from")
    r = await jp_fetch("refused", raise_error=False)
    assert r.code == 404
    manager = jp_serverapp.extension_manager
    assert manager.packages["old_style_nbext"].points[0].loaded
    assert "refused_nbext" not in manager.packages
    messages = "\n".join(warnings_of(server_warnings))
    assert "NotebookApp.nbserver_extensions['old_style_nbext']" in messages
    assert "use ServerApp.jpserver_extensions" in messages
    assert "Conflict: NotebookApp.nbserver_extensions['refused_nbext'] = True" in messages


async def test_no_classic_config_means_no_warnings(jp_serverapp, server_warnings):
    assert not [m for m in warnings_of(server_warnings) if "NotebookApp" in m]
    assert json.loads(json.dumps(jp_serverapp.server_info()))["port"] == jp_serverapp.port


@pytest.fixture
def agreeing_manifests(tmp_path, levels, write_json, monkeypatch):
    """What JupyterLab installs: one manifest per server, both enabling the same extension."""
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "old_style_nbext.py").write_text(OLD_STYLE, encoding="utf-8")
    monkeypatch.syspath_prepend(str(folder))
    write_json(levels["sys-prefix"] / "jupyter_notebook_config.d" / "both.json",
               {"NotebookApp": {"nbserver_extensions": {"old_style_nbext": True}}})
    write_json(levels["sys-prefix"] / "jupyter_server_config.d" / "both.json",
               {"ServerApp": {"jpserver_extensions": {"old_style_nbext": True}}})


async def test_agreeing_classic_manifest_is_silent(agreeing_manifests, jp_serverapp, jp_fetch, server_warnings):
    assert (await jp_fetch("hello-old")).code == 200
    assert not [m for m in warnings_of(server_warnings) if "nbserver_extensions" in m]
