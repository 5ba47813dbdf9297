"""Where the server serves from: the positional argument, file_to_run, the deprecated
notebook_dir and preferred_dir, on a ServerApp built in-process."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from jupyter_server_core import ServerApp
from traitlets import TraitError
from traitlets.config import Config


@pytest.fixture
def make_app(jp_environ: dict[str, Path]) -> Any:
    """``make_app(argv, **traits)``: a ServerApp initialized with ``argv`` (no sockets)."""
    made: list[ServerApp] = []

    def make(argv: list[str] | None = None, **traits: Any) -> ServerApp:
        ServerApp.clear_instance()
        app = ServerApp.instance(allow_root=True, port=0, config=Config({"ServerApp": {"jpserver_extensions": {}}}), **traits)
        made.append(app)
        app.initialize(argv or [], bind=False)
        return app

    yield make
    ServerApp.clear_instance()


def test_a_folder_argument_is_the_root_dir(make_app: Any, tmp_path: Path) -> None:
    folder = tmp_path / "served"
    folder.mkdir()
    app = make_app([str(folder)])
    assert app.root_dir == str(folder)
    assert app._root_dir_set


def test_a_file_argument_is_opened_and_its_folder_served(make_app: Any, tmp_path: Path) -> None:
    notebook = tmp_path / "work" / "analysis one.ipynb"
    notebook.parent.mkdir()
    notebook.write_text("{}")
    app = make_app([str(notebook)])
    assert app.file_to_run == str(notebook)
    assert app.root_dir == str(notebook.parent)  # root_dir was not given: the file's folder
    # The browser opens the file (escaped) under file_url_prefix, with the token.
    assert "/notebooks/analysis%20one.ipynb?token=" in app.browser_url


def test_a_file_inside_the_given_root_dir_keeps_it(make_app: Any, tmp_path: Path) -> None:
    notebook = tmp_path / "deep" / "nb.ipynb"
    notebook.parent.mkdir()
    notebook.write_text("{}")
    app = make_app([f"--ServerApp.file_to_run={notebook}"], root_dir=str(tmp_path))
    assert app.root_dir == str(tmp_path)
    assert app.file_to_run_url_path().endswith("/notebooks/deep/nb.ipynb")


def test_a_file_outside_the_given_root_dir_stops_the_server(make_app: Any, tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    outside = tmp_path / "elsewhere.ipynb"
    outside.write_text("{}")
    with pytest.raises(SystemExit):
        make_app([f"--ServerApp.file_to_run={outside}"], root_dir=str(root))


def test_a_missing_path_argument_is_an_error(make_app: Any, tmp_path: Path) -> None:
    with pytest.raises(Exception, match="unknown subcommand"):
        make_app([str(tmp_path / "nothing-here")])


def test_notebook_dir_does_not_override_a_given_root_dir(make_app: Any, tmp_path: Path) -> None:
    given, late = tmp_path / "given", tmp_path / "late"
    given.mkdir()
    late.mkdir()
    app = make_app([str(given)])
    # The notebook shim forwards NotebookApp.notebook_dir after the command line was read.
    app.update_config(Config({"ServerApp": {"notebook_dir": str(late)}}))
    assert app.root_dir == str(given)


def test_notebook_dir_sets_root_dir_when_nothing_else_does(make_app: Any, tmp_path: Path) -> None:
    app = make_app([f"--ServerApp.notebook_dir={tmp_path}"])
    assert app.root_dir == str(tmp_path)


def test_preferred_dir_must_exist(jp_environ: dict[str, Path], tmp_path: Path) -> None:
    app = ServerApp(root_dir=str(tmp_path))
    with pytest.raises(TraitError, match="No such preferred dir"):
        app.preferred_dir = str(tmp_path / "missing")
    app.preferred_dir = str(tmp_path) + "/"
    assert app.preferred_dir == str(tmp_path)  # made absolute, without the trailing slash


def test_preferred_dir_outside_root_dir_stops_the_server(make_app: Any, tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    with pytest.raises(SystemExit):
        make_app(root_dir=str(root), preferred_dir=str(tmp_path))


def test_pylab_is_refused(jp_environ: dict[str, Path]) -> None:
    app = ServerApp()
    with pytest.raises(SystemExit):
        app.pylab = "inline"


@pytest.mark.parametrize(("value", "expected"), [("1", True), ("Yes", True), ("true", True), ("0", False),
                                                 ("no", False), ("nooo", False), ("", False)])
def test_allow_unauthenticated_access_from_the_environment(
    jp_environ: dict[str, Path], monkeypatch: pytest.MonkeyPatch, value: str, expected: bool
) -> None:
    monkeypatch.setenv("JUPYTER_SERVER_ALLOW_UNAUTHENTICATED_ACCESS", value)
    assert ServerApp().allow_unauthenticated_access is expected
    monkeypatch.delenv("JUPYTER_SERVER_ALLOW_UNAUTHENTICATED_ACCESS")
    assert ServerApp().allow_unauthenticated_access is True


def test_static_immutable_cache_takes_one_prefix(jp_environ: dict[str, Path], tmp_path: Path) -> None:
    ServerApp.clear_instance()
    app = ServerApp.instance(static_immutable_cache="/static/lab", root_dir=str(tmp_path))
    try:
        app.init_configurables()
        app.init_webapp()  # without initialize(): the app's own services are made on the way
        assert app.web_app is not None
        assert app.web_app.settings["static_immutable_cache"] == ["/static/lab"]
    finally:
        ServerApp.clear_instance()


def test_positional_argument_is_not_taken_from_a_subcommand(jp_environ: dict[str, Path]) -> None:
    # `jupyter server list` must not read "list" as a folder.
    ServerApp.clear_instance()
    app = ServerApp.instance()
    try:
        app.parse_command_line(["list"])
        assert app.subapp is not None
        assert app.root_dir == os.getcwd()
    finally:
        ServerApp.clear_instance()
