"""Mistakes a new user makes on the command line, each answered in one readable line.

Real `jupyter server` subprocesses in the test's isolated Jupyter folders (jp_environ).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from jupyter_server_core.pytest_plugin import TEST_TOKEN


def jupyter_server(*args: str, stdin: int | None = subprocess.DEVNULL, env: dict[str, str] | None = None,
                   input: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "jupyter_server_core", *args],
        capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})},
        stdin=None if input is not None else stdin, input=input,
    )


def one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> str:
    """The single stderr line of a failed command; it must contain every one of ``words``."""
    assert result.returncode != 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize("port", ["99999", "65536", "-1"])
def test_port_out_of_range_is_one_line(jp_environ, port):
    one_line_error(jupyter_server("--allow-root", "--no-browser", f"--port={port}"), "port", port)
    assert not list(jp_environ["runtime"].glob("jpserver-*.json"))


@pytest.mark.parametrize("value", ["70000", "eighty"])
def test_bad_jupyter_port_variable_is_one_line(jp_environ, value):
    one_line_error(jupyter_server("--allow-root", "--no-browser", env={"JUPYTER_PORT": value}), "JUPYTER_PORT")


def test_malformed_json_config_names_file_and_line(jp_environ):
    path = jp_environ["config"] / "jupyter_server_config.json"
    path.write_text('{\n  "ServerApp": {\n    "port": 9999,\n    oops\n  }\n}\n')
    one_line_error(jupyter_server("--allow-root", "--no-browser", "--port=0"), str(path), "line 4")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("c.ServerApp.port = 0\nc.ServerApp.ip = (\n", "line 2"),
        ("c.ServerApp.port = 0\n\nc.ServerApp.ip = no_such_name\n", "line 3"),
        ("def f():\n    return 1 / 0\n\nc.ServerApp.port = f()\n", "line 2"),
    ],
)
def test_broken_py_config_names_file_and_line(jp_environ, text, line):
    path = jp_environ["config"] / "jupyter_server_config.py"
    path.write_text(text)
    one_line_error(jupyter_server("--allow-root", "--no-browser", "--port=0"), str(path), line)


def test_help_all_lists_each_option_once_under_its_public_name(jp_environ):
    out = jupyter_server("--help-all").stdout
    options = re.findall(r"^--(\w+)\.(\w+)=", out, flags=re.MULTILINE)
    assert len(options) == len(set(options))
    classes = {cls for cls, _ in options}
    assert not classes & {"ServerTraits", "NetworkMixin", "RunningMixin", "GatewayClientConfig"}
    assert [trait for cls, trait in options if trait == "port" and cls == "ServerApp"] == ["port"]
    # an option is listed once even where subclasses inherit it
    assert sum(1 for _, trait in options if trait == "port_retries") == 1
    assert ("GatewayClient", "url") in options


def test_help_all_lists_the_installed_extensions_options(jp_environ):
    pytest.importorskip("jupyter_server_contents")
    pytest.importorskip("jupyter_server_terminals")
    out = jupyter_server("--help-all").stdout
    for option in ("--ContentsManager.allow_hidden=", "--FileContentsManager.delete_to_trash=",
                   "--TerminalManager.cull_inactive_timeout="):
        assert option in out


def test_internal_class_name_is_never_silently_ignored(jp_server_process):
    server = jp_server_process("--NetworkMixin.port_retries=0", "--ServerApp.prot=5")
    log = server.log()
    assert "NetworkMixin is an internal name and it is ignored; write ServerApp.port_retries" in log
    # traitlets reloads the config several times at startup: the hint is printed once
    assert log.count("Did you mean `port`?") == 1, log


def test_unknown_subcommand_lists_the_known_ones(jp_environ):
    line = one_line_error(jupyter_server("lsit"), "lsit", "did you mean 'list'")
    for known in ("list", "stop", "password", "extension"):
        assert known in line
    assert not list(jp_environ["runtime"].glob("jpserver-*.json"))


def test_password_without_input_is_one_line(jp_environ):
    one_line_error(jupyter_server("password"), "no password")
    assert not (jp_environ["config"] / "jupyter_server_config.json").exists()


def test_password_piped_in_is_stored(jp_environ):
    result = jupyter_server("password", input="s3cret\n")
    assert result.returncode == 0, result.stderr
    from jupyter_server_core.auth import passwd_check

    stored = (jp_environ["config"] / "jupyter_server_config.json").read_text()
    import json

    assert passwd_check(json.loads(stored)["IdentityProvider"]["hashed_password"], "s3cret")


@pytest.mark.parametrize("target", ["abc", "70000", "0"])
def test_stop_rejects_what_is_no_port_or_socket(jp_environ, target):
    one_line_error(jupyter_server("stop", target), repr(target))


def test_disable_unknown_extension_suggests_a_name(jp_environ):
    line = one_line_error(jupyter_server("extension", "disable", "jupyter_server_coer", "--user"),
                          "jupyter_server_coer", "did you mean jupyter_server_core")
    assert "Error" in line
    assert not (jp_environ["config"] / "jupyter_server_config.d").exists()


def test_disabling_the_core_needs_force_and_is_logged(jp_environ, jp_server_process):
    # The user level outranks the environment's only with JUPYTER_PREFER_ENV_PATH=0.
    env = {"JUPYTER_PREFER_ENV_PATH": "0"}
    one_line_error(jupyter_server("extension", "disable", "jupyter_server_core", "--user", env=env), "--force")
    manifest = jp_environ["config"] / "jupyter_server_config.d" / "jupyter_server_core.json"
    assert not manifest.exists()
    result = jupyter_server("extension", "disable", "jupyter_server_core", "--user", "--force", env=env)
    assert result.returncode == 0, result.stderr
    assert manifest.exists()
    server = jp_server_process(env=env)
    request = urllib.request.Request(server.url + "api/kernels", headers={"Authorization": f"token {TEST_TOKEN}"})
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(request, timeout=10)
    assert answer.value.code == 404
    assert "jupyter_server_core is disabled" in server.log()
