"""`jupyter server migrate` on classic config folders in temp dirs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from notebook_shim.migrate import MigrateApp
from traitlets.config.loader import JSONFileConfigLoader, PyFileConfigLoader

CLASSIC_PY = '''"""My classic notebook config."""
import os

c = get_config()
c.NotebookApp.port = 9999
c.NotebookApp.ip = "0.0.0.0"
c.NotebookApp.token = "abc"
c.NotebookApp.notebook_dir = "/srv/notebooks"
c.NotebookApp.mathjax_url = "https://cdn.example/mathjax.js"
c.NotebookApp.contents_manager_class = "notebook.services.contents.largefilemanager.LargeFileManager"
c.MappingKernelManager.cull_idle_timeout = 600
c.NotebookApp.certfile = os.path.expanduser("~/cert.pem")
for name in ("a", "b"):
    c.NotebookApp.tornado_settings[name] = 1
c.NotebookApp.extra_services.append("x")
c.NotebookApp.port_retries += 1
'''

CLASSIC_JSON = {
    "NotebookApp": {
        "base_url": "/nb/",
        "password": "sha1:0123456789ab:" + "0" * 40,
        "enable_mathjax": False,
        "nbserver_extensions": {"old_ext": True},
    },
    "LabApp": {"collaborative": True},
}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def classic_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "jupyter_notebook_config.py").write_text(CLASSIC_PY, encoding="utf-8")
    (folder / "jupyter_notebook_config.json").write_text(json.dumps(CLASSIC_JSON), encoding="utf-8")
    confd = folder / "jupyter_notebook_config.d"
    confd.mkdir(exist_ok=True)
    (confd / "widgets.json").write_text(json.dumps({"NotebookApp": {"nbserver_extensions": {"widgets_ext": True}}}))
    return folder


def migrate(*argv: str) -> None:
    app = MigrateApp()
    app.initialize(list(argv))
    app.start()


def load(path: Path) -> dict:
    loader = PyFileConfigLoader if path.suffix == ".py" else JSONFileConfigLoader
    return loader(path.name, path=str(path.parent)).load_config()


def test_migrate_copies_with_server_spellings(tmp_path, capsys):
    folder = classic_folder(tmp_path / "cfg")
    before = snapshot(folder)
    migrate(f"--config-dir={folder}")
    out = capsys.readouterr().out
    after = snapshot(folder)
    for name, content in before.items():
        assert after[name] == content  # the classic files are copied, never moved or changed

    py = load(folder / "jupyter_server_config.py")
    assert py.ServerApp.port == 9999 and py.ServerApp.ip == "0.0.0.0"
    assert py.IdentityProvider.token == "abc"
    assert py.ServerApp.root_dir == "/srv/notebooks"
    assert py.ServerApp.contents_manager_class == "jupyter_server_contents.AsyncLargeFileManager"
    assert py.MappingKernelManager.cull_idle_timeout == 600
    assert "NotebookApp" not in py and "certfile" not in py.ServerApp and "mathjax_url" not in py.ServerApp

    js = json.loads((folder / "jupyter_server_config.json").read_text())
    assert js == {"ServerApp": {"base_url": "/nb/", "jpserver_extensions": {"old_ext": True}},
                  "PasswordIdentityProvider": {"hashed_password": CLASSIC_JSON["NotebookApp"]["password"]}}
    manifest = json.loads((folder / "jupyter_server_config.d" / "widgets.json").read_text())
    assert manifest == {"ServerApp": {"jpserver_extensions": {"widgets_ext": True}}}

    # computed values, loops, in-place changes and imports are reported line by line, not guessed
    for line in ["jupyter_notebook_config.py:2: cannot be rewritten safely, migrate it by hand: import os",
                 "jupyter_notebook_config.py:12: cannot be rewritten safely, migrate it by hand: "
                 "c.NotebookApp.certfile = os.path.expanduser",
                 "jupyter_notebook_config.py:13-14: cannot be rewritten safely",
                 "jupyter_notebook_config.py:15: cannot be rewritten safely",
                 "jupyter_notebook_config.py:16: cannot be rewritten safely",
                 "NotebookApp.mathjax_url is a notebook setting; left in the notebook config",
                 "NotebookApp.enable_mathjax is a notebook setting",
                 "LabApp.collaborative is a notebook setting"]:
        assert line in out, out
    assert "tornado_settings" not in (folder / "jupyter_server_config.py").read_text()
    # the docstring and `c = get_config()` are not reported: nothing to migrate there
    assert "jupyter_notebook_config.py:1:" not in out and "jupyter_notebook_config.py:4:" not in out


def test_new_files_are_no_more_readable_than_the_classic_ones(tmp_path, capsys):
    folder = classic_folder(tmp_path / "cfg")
    (folder / "jupyter_notebook_config.json").chmod(0o600)
    (folder / "jupyter_notebook_config.py").chmod(0o640)
    migrate(f"--config-dir={folder}")
    assert (folder / "jupyter_server_config.json").stat().st_mode & 0o777 == 0o600
    assert (folder / "jupyter_server_config.py").stat().st_mode & 0o777 == 0o640


def test_dry_run_prints_a_diff_and_writes_nothing(tmp_path, capsys):
    folder = classic_folder(tmp_path / "cfg")
    before = snapshot(folder)
    migrate(f"--config-dir={folder}", "--dry-run")
    out = capsys.readouterr().out
    assert snapshot(folder) == before
    assert f"+++ {folder / 'jupyter_server_config.py'}" in out
    assert "--- /dev/null" in out
    assert "+c.ServerApp.port = 9999" in out
    assert '+    "base_url": "/nb/",' in out
    assert "Dry run: nothing was written." in out


def test_second_run_changes_nothing(tmp_path, capsys):
    folder = classic_folder(tmp_path / "cfg")
    migrate(f"--config-dir={folder}")
    first = snapshot(folder)
    capsys.readouterr()
    migrate(f"--config-dir={folder}")
    assert snapshot(folder) == first
    assert "Nothing to change" in capsys.readouterr().out
    migrate(f"--config-dir={folder}", "--dry-run")
    assert "+++" not in capsys.readouterr().out


def test_existing_server_config_is_merged_with_a_backup(tmp_path, capsys):
    folder = classic_folder(tmp_path / "cfg")
    server_py = "# my server settings\nc.ServerApp.port = 8000\nc.ServerApp.ip = __import__('os').environ['IP']\n"
    (folder / "jupyter_server_config.py").write_text(server_py)
    server_json = {"ServerApp": {"base_url": "/server/", "jpserver_extensions": {"mine": True}}}
    (folder / "jupyter_server_config.json").write_text(json.dumps(server_json))
    (folder / "jupyter_server_config.d").mkdir()
    (folder / "jupyter_server_config.d" / "widgets.json").write_text(
        json.dumps({"ServerApp": {"jpserver_extensions": {"widgets_ext": False, "other": True}}}))

    migrate(f"--config-dir={folder}")
    out = capsys.readouterr().out

    new_py = (folder / "jupyter_server_config.py").read_text()
    assert new_py.startswith(server_py)  # kept as written, migrated lines appended
    assert "c.ServerApp.port = 9999" not in new_py and "c.IdentityProvider.token = 'abc'" in new_py.replace('"', "'")
    assert (folder / "jupyter_server_config.py.bak").read_text() == server_py
    assert json.loads((folder / "jupyter_server_config.json.bak").read_text()) == server_json
    js = json.loads((folder / "jupyter_server_config.json").read_text())
    assert js["ServerApp"]["base_url"] == "/server/"
    assert js["ServerApp"]["jpserver_extensions"] == {"mine": True}
    manifest = json.loads((folder / "jupyter_server_config.d" / "widgets.json").read_text())
    assert manifest == {"ServerApp": {"jpserver_extensions": {"widgets_ext": False, "other": True}}}
    assert "conflict: jupyter_notebook_config.py:5: NotebookApp.port = 9999, but ServerApp.port in " \
           "jupyter_server_config.py is 8000; kept the server's value" in out
    assert "NotebookApp.ip = '0.0.0.0', but ServerApp.ip in jupyter_server_config.py is an expression" in out
    assert "conflict: jupyter_notebook_config.json: NotebookApp.base_url = '/nb/'" in out
    assert "widgets_ext is True but jupyter_server_config.d/widgets.json says False; kept" in out

    # the backup is not overwritten by a later run, and a later run changes nothing
    state = snapshot(folder)
    migrate(f"--config-dir={folder}")
    assert snapshot(folder) == state


def test_default_run_covers_every_level(levels, capsys):
    for level in levels.values():
        classic_folder(level)
    migrate("--user")
    assert (levels["user"] / "jupyter_server_config.py").is_file()
    assert not (levels["sys-prefix"] / "jupyter_server_config.py").exists()
    migrate()
    for level in levels.values():
        assert load(level / "jupyter_server_config.py").ServerApp.port == 9999
        assert (level / "jupyter_server_config.d" / "widgets.json").is_file()


def test_errors_are_one_line_and_exit_non_zero(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        migrate(f"--config-dir={tmp_path / 'nope'}")
    assert exc.value.code not in (0, None)
    folder = tmp_path / "cfg"
    folder.mkdir()
    (folder / "jupyter_notebook_config.json").write_text("{not json")
    (folder / "jupyter_notebook_config.py").write_text("c.NotebookApp.port = 1\n")
    with pytest.raises(SystemExit) as exc:
        migrate(f"--config-dir={folder}")
    assert exc.value.code == 1
    out = capsys.readouterr().out
    assert "ERROR: " in out and "jupyter_notebook_config.json is not valid JSON" in out
    assert load(folder / "jupyter_server_config.py").ServerApp.port == 1  # the rest still migrated


def test_cli_subcommand(tmp_path):
    folder = classic_folder(tmp_path / "cfg")
    result = subprocess.run([sys.executable, "-m", "jupyter_server_core", "migrate", "--dry-run",
                             f"--config-dir={folder}"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "+c.ServerApp.port = 9999" in result.stdout
    assert not (folder / "jupyter_server_config.py").exists()
    help_text = subprocess.run([sys.executable, "-m", "jupyter_server_core", "--help"],
                               capture_output=True, text=True, timeout=60).stdout
    assert "migrate" in help_text
