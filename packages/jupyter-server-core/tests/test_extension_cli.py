"""``jupyter server extension list|enable|disable|install|explain``.

In-process (so the monkeypatched sys-prefix and system folders apply) and as real
subprocesses for exit codes and the one-line errors.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from jupyter_core.application import NoStart
from jupyter_server_core.extensions import _cli

SUBAPPS = [_cli.ServerExtensionApp, _cli.ListServerExtensionsApp, _cli.EnableServerExtensionApp,
           _cli.DisableServerExtensionApp, _cli.InstallServerExtensionApp, _cli.ExplainServerExtensionApp]

EXT_SOURCE = '''
def _jupyter_server_extension_points():
    return [{"module": __name__}]

def _load_jupyter_server_extension(serverapp):
    pass
'''


def test_launching_leaves_the_callers_event_loop_open(jp_environ, capsys):
    # jupyter_core closes the current event loop after an app that returns from start();
    # a subcommand that ran must not take a test's (or an embedding program's) loop with it.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        _cli.ServerExtensionApp.launch_instance(["list"])
        assert not loop.is_closed()
    finally:
        for cls in SUBAPPS:
            cls.clear_instance()
        asyncio.set_event_loop(None)
        loop.close()


@pytest.fixture
def cli(jp_environ, capsys, monkeypatch):
    monkeypatch.setenv("JUPYTER_PREFER_ENV_PATH", "0")

    def run(*argv: str) -> tuple[int, str, str]:
        app = _cli.ServerExtensionApp()
        try:
            app.initialize(list(argv))
            app.start()
            code = 0
        except NoStart:  # a subcommand ran (jupyter_core's way of saying so)
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        finally:
            # Subcommands are singletons: leave none behind for the next ServerApp.instance().
            for cls in SUBAPPS:
                cls.clear_instance()
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def ext_pkg(tmp_path, monkeypatch):
    """An importable extension package ``cli_demo_ext`` with a shipped manifest beside it."""
    root = tmp_path / "src_ext"
    pkg = root / "src" / "cli_demo_ext"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text(EXT_SOURCE)
    shipped = root / "jupyter-config" / "cli_demo_ext.json"
    shipped.parent.mkdir()
    shipped.write_text(json.dumps({"ServerApp": {"jpserver_extensions": {"cli_demo_ext": True}}, "Extra": {"k": 1}}))
    monkeypatch.syspath_prepend(str(root / "src"))
    yield "cli_demo_ext"
    sys.modules.pop("cli_demo_ext", None)


def read(path: Path) -> dict:
    return json.loads(path.read_text())


def test_enable_defaults_to_sys_prefix_and_keeps_other_keys(cli, jp_environ, ext_pkg):
    target = jp_environ["env_config"] / "jupyter_server_config.d" / "cli_demo_ext.json"
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps({"ServerApp": {"jpserver_extensions": {"cli_demo_ext": True, "other": True}, "port": 1}}))
    code, out, err = cli("disable", "cli_demo_ext")
    assert code == 0, err
    assert "at the sys-prefix level" in out
    assert read(target) == {"ServerApp": {"jpserver_extensions": {"cli_demo_ext": False, "other": True}, "port": 1}}
    assert sorted(p.name for p in target.parent.iterdir()) == ["cli_demo_ext.json"]
    code, out, _ = cli("enable", "cli_demo_ext")
    assert code == 0 and read(target)["ServerApp"]["jpserver_extensions"]["cli_demo_ext"] is True


@pytest.mark.parametrize(("flag", "folder"), [("--user", "config"), ("--system", "system_config"), ("--sys-prefix", "env_config")])
def test_level_flags_write_that_level(cli, jp_environ, ext_pkg, flag, folder):
    code, out, err = cli("enable", "cli_demo_ext", flag)
    assert code == 0, err
    path = jp_environ[folder] / "jupyter_server_config.d" / "cli_demo_ext.json"
    assert read(path) == {"ServerApp": {"jpserver_extensions": {"cli_demo_ext": True}}}


def test_enable_warns_when_a_higher_level_still_disables(cli, jp_environ, ext_pkg):
    cli("disable", "cli_demo_ext", "--user")
    code, out, _ = cli("enable", "cli_demo_ext", "--sys-prefix")
    assert code == 0
    assert "Note: cli_demo_ext stays disabled, decided by user manifest" in out


def test_enable_unknown_package_is_one_line_error(cli):
    code, out, err = cli("enable", "no_such_ext_pkg")
    assert code == 1
    assert err.strip() == "Error: cannot enable no_such_ext_pkg: ModuleNotFoundError: No module named 'no_such_ext_pkg'"


def test_unwritable_level_is_one_line_error(cli, jp_environ, ext_pkg):
    (jp_environ["config"] / "jupyter_server_config.d").write_text("a file, not a folder")
    code, _, err = cli("enable", "cli_demo_ext", "--user")
    assert code == 1
    assert len(err.strip().splitlines()) == 1 and err.startswith("Error: Cannot write ")


def test_bad_json_manifest_is_refused_and_listed(cli, jp_environ, ext_pkg):
    bad = jp_environ["env_config"] / "jupyter_server_config.d" / "cli_demo_ext.json"
    bad.parent.mkdir(parents=True)
    bad.write_text("{oops")
    code, _, err = cli("disable", "cli_demo_ext")
    assert code == 1 and "is not valid JSON" in err and len(err.strip().splitlines()) == 1
    assert bad.read_text() == "{oops"
    code, out, err = cli("list")
    assert code == 1 and "not valid JSON" in err and "cli_demo_ext" not in out


def test_install_places_the_shipped_manifest(cli, jp_environ, ext_pkg):
    code, out, err = cli("install", "--py", "cli_demo_ext", "--user")
    assert code == 0, err
    placed = jp_environ["config"] / "jupyter_server_config.d" / "cli_demo_ext.json"
    assert read(placed)["Extra"] == {"k": 1}
    assert "copied from" in out
    code, _, err = cli("install", "--py", "nope_not_here")
    assert code == 1 and err.startswith("Error: cannot install nope_not_here")


def test_list_shows_state_validity_and_decider(cli, jp_environ, ext_pkg):
    cli("enable", "cli_demo_ext", "--user")
    cli("disable", "ghost_ext", "--system", "--force")
    code, out, _ = cli("list")
    assert code == 0
    lines = out.splitlines()
    demo = lines.index(next(line for line in lines if line.strip().startswith("cli_demo_ext")))
    assert lines[demo].split()[:3] == ["cli_demo_ext", "enabled", "OK"]
    assert "decided by user manifest" in lines[demo + 1]
    ghost = next(line for line in lines if line.strip().startswith("ghost_ext"))
    assert ghost.split()[1:3] == ["disabled", "INVALID"]
    assert "1. user" in out and "2. sys-prefix" in out and "3. system" in out


def test_explain_shows_every_file_and_the_rule(cli, jp_environ, ext_pkg):
    d = jp_environ["env_config"] / "jupyter_server_config.d"
    d.mkdir(parents=True)
    (d / "aaa.json").write_text(json.dumps({"ServerApp": {"jpserver_extensions": {"cli_demo_ext": True}}}))
    (d / "zzz.json").write_text(json.dumps({"ServerApp": {"jpserver_extensions": {"cli_demo_ext": False}}}))
    cli("enable", "cli_demo_ext", "--system")
    code, out, _ = cli("explain", "cli_demo_ext")
    assert code == 0
    assert out.splitlines()[0] == "cli_demo_ext: disabled"
    assert f"Decided by: sys-prefix manifest {d / 'zzz.json'}" in out
    assert "1. user level" in out and "no manifest mentions it" in out
    assert f"enabled   {d / 'aaa.json'}" in out and f"disabled  {d / 'zzz.json'}" in out
    assert "-> this level says disabled (a disable wins within a level)" in out
    assert "-> this level says enabled  [overridden]" in out
    user_cfg = jp_environ["config"] / "jupyter_server_config.json"
    user_cfg.write_text(json.dumps({"ServerApp": {"jpserver_extensions": {"cli_demo_ext": True}}}))
    code, out, _ = cli("explain", "cli_demo_ext")
    assert out.splitlines()[0] == "cli_demo_ext: enabled"
    assert f"Decided by: config file {user_cfg}" in out


def test_subprocess_one_line_errors(jp_environ, tmp_path):
    env = dict(os.environ)
    run = [sys.executable, "-m", "jupyter_server_core", "extension"]
    p = subprocess.run([*run, "enable", "no_such_ext_pkg", "--user"], env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 1
    assert p.stderr.strip().splitlines() == ["Error: cannot enable no_such_ext_pkg: ModuleNotFoundError: No module named 'no_such_ext_pkg'"]
    p = subprocess.run([*run, "disable", "some_ext", "--user"], env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 1 and len(p.stderr.strip().splitlines()) == 1 and "--force" in p.stderr  # a typo?
    p = subprocess.run([*run, "disable", "some_ext", "--user", "--force"], env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    written = Path(os.environ["JUPYTER_CONFIG_DIR"]) / "jupyter_server_config.d" / "some_ext.json"
    assert read(written) == {"ServerApp": {"jpserver_extensions": {"some_ext": False}}}
    p = subprocess.run([*run, "explain", "some_ext"], env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and p.stdout.startswith("some_ext: disabled")
    p = subprocess.run(run, env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 1 and "give a subcommand" in p.stderr
