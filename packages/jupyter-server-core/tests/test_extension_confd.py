"""Extension enablement: conf.d levels in temp dirs, config files and the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jupyter_server_core.extensions import config_levels, resolve_enabled_extensions
from jupyter_server_core.extensions._report import resolve_for_cli


def manifest(config_dir: Path, filename: str, extensions: dict[str, bool]) -> Path:
    folder = config_dir / "jupyter_server_config.d"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / filename
    path.write_text(json.dumps({"ServerApp": {"jpserver_extensions": extensions}}))
    return path


@pytest.fixture
def levels(jp_environ, monkeypatch):
    """user, sys-prefix and system folders; user ranked first unless a test flips it."""
    monkeypatch.setenv("JUPYTER_PREFER_ENV_PATH", "0")
    return {"user": jp_environ["config"], "env": jp_environ["env_config"], "system": jp_environ["system_config"]}


def decide(name: str):
    return resolve_enabled_extensions().decisions[name]


def test_levels_are_named_and_ranked(levels, monkeypatch):
    assert [(lv.kind, lv.path) for lv in config_levels()] == [
        ("user", levels["user"]), ("sys-prefix", levels["env"]), ("system", levels["system"]),
    ]
    monkeypatch.setenv("JUPYTER_PREFER_ENV_PATH", "1")
    assert [lv.kind for lv in config_levels()] == ["sys-prefix", "user", "system"]
    extra = levels["user"].parent / "extra"
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(extra))
    assert [(lv.kind, lv.rank) for lv in config_levels()][0] == ("JUPYTER_CONFIG_PATH", 0)


@pytest.mark.parametrize(("first", "last"), [(False, True), (True, False)])
def test_disable_wins_within_a_level_whatever_the_file_names(levels, first, last):
    manifest(levels["env"], "000_first.json", {"ext_a": first})
    manifest(levels["env"], "zzz_last.json", {"ext_a": last})
    decision = decide("ext_a")
    assert decision.enabled is False
    assert decision.source.enabled is False
    assert decision.source.path.name == ("000_first.json" if not first else "zzz_last.json")
    assert "a disable wins within a level" in decision.reason


@pytest.mark.parametrize("user_says", [True, False])
def test_user_overrides_sys_prefix_both_ways(levels, user_says):
    manifest(levels["env"], "ext_a.json", {"ext_a": not user_says})
    user_file = manifest(levels["user"], "ext_a.json", {"ext_a": user_says})
    decision = decide("ext_a")
    assert decision.enabled is user_says
    assert decision.source.path == user_file
    assert decision.decided_by == f"user manifest {user_file}"
    assert "it overrides sys-prefix" in decision.reason


@pytest.mark.parametrize("env_says", [True, False])
def test_prefer_env_path_puts_sys_prefix_above_user(levels, monkeypatch, env_says):
    monkeypatch.setenv("JUPYTER_PREFER_ENV_PATH", "1")
    env_file = manifest(levels["env"], "ext_a.json", {"ext_a": env_says})
    manifest(levels["user"], "ext_a.json", {"ext_a": not env_says})
    decision = decide("ext_a")
    assert decision.enabled is env_says
    assert decision.source.path == env_file


def test_system_is_lowest_both_ways(levels):
    manifest(levels["system"], "a.json", {"ext_a": True, "ext_b": False})
    manifest(levels["env"], "a.json", {"ext_a": False, "ext_b": True})
    assert decide("ext_a").enabled is False
    assert decide("ext_b").enabled is True
    manifest(levels["system"], "c.json", {"ext_c": True})
    assert decide("ext_c").decided_by.startswith("system manifest ")


def test_jupyter_config_path_entry_overrides_user(levels, monkeypatch, tmp_path):
    extra = tmp_path / "extra"
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(extra))
    manifest(levels["user"], "a.json", {"ext_a": True})
    top = manifest(extra, "a.json", {"ext_a": False})
    decision = decide("ext_a")
    assert decision.enabled is False
    assert decision.decided_by == f"JUPYTER_CONFIG_PATH manifest {top}"


def test_config_file_then_command_line_override_every_manifest(levels):
    manifest(levels["user"], "a.json", {"ext_a": True, "ext_b": False})
    assert decide("ext_a").enabled is True
    config_file = levels["system"] / "jupyter_server_config.json"
    config_file.write_text(json.dumps({"ServerApp": {"jpserver_extensions": {"ext_a": False, "ext_b": True}}}))
    resolved = resolve_for_cli()
    assert resolved.decisions["ext_a"].enabled is False
    assert resolved.decisions["ext_b"].enabled is True
    assert resolved.decisions["ext_a"].decided_by == f"config file {config_file}"
    # The app hands merged config plus its command line part: the command line wins.
    decision = resolve_enabled_extensions({"ext_a": "True"}, command_line={"ext_a": "True"}).decisions["ext_a"]
    assert decision.enabled is True
    assert decision.decided_by == "command line"


def test_string_false_from_the_command_line_is_false(levels):
    manifest(levels["user"], "a.json", {"ext_a": True})
    assert resolve_enabled_extensions(command_line={"ext_a": "False"}).decisions["ext_a"].enabled is False


def test_bad_manifest_is_reported_and_ignored(levels):
    bad = levels["env"] / "jupyter_server_config.d" / "bad.json"
    bad.parent.mkdir(parents=True)
    bad.write_text("{not json")
    manifest(levels["env"], "good.json", {"ext_a": True})
    resolved = resolve_enabled_extensions()
    assert resolved.decisions["ext_a"].enabled is True
    assert len(resolved.problems) == 1 and str(bad) in resolved.problems[0]
    assert "not valid JSON" in resolved.problems[0]


def test_ignoring_manifests_keeps_config_and_launched(levels):
    manifest(levels["user"], "a.json", {"ext_a": True})
    resolved = resolve_enabled_extensions({"ext_b": True}, use_manifests=False, launched="ext_c")
    assert set(resolved.decisions) == {"ext_b", "ext_c"}
    assert resolved.decisions["ext_c"].decided_by == "launched"


def test_installed_builtins_are_enabled_where_no_manifest_is_visible(levels, monkeypatch):
    # jp_environ hides the manifests our wheels installed (and, for our own tests, turns the
    # built-ins off); the entry points the wheels declare are what counts here.
    from importlib.metadata import entry_points

    from jupyter_server_core.extensions import _confd

    declared = sorted(ep.value for ep in entry_points(group=_confd.BUILTIN_GROUP))
    assert {"jupyter_server_core", "jupyter_server_contents", "jupyter_server_nbconvert"} <= set(declared)
    monkeypatch.setattr(_confd, "builtin_extensions", lambda: declared)
    for name in ("jupyter_server_core", "jupyter_server_contents"):
        decision = decide(name)
        assert decision.enabled and decision.decided_by == "installed package", decision.reason


@pytest.mark.parametrize("level", ["user", "env", "system"])
def test_a_disabling_manifest_at_any_level_overrides_a_builtin(levels, level):
    path = manifest(levels[level], "off.json", {"ext_b": False})
    decision = resolve_enabled_extensions(builtin=["ext_b"]).decisions["ext_b"]
    assert decision.enabled is False and decision.source.path == path
    assert resolve_enabled_extensions({"ext_b": False}, builtin=["ext_b"]).decisions["ext_b"].enabled is False
    assert resolve_enabled_extensions(builtin=["ext_b"], use_manifests=False).decisions["ext_b"].enabled is True
