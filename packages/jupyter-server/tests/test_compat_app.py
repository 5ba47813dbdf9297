"""The jupyter_server 2.x API around the application: the extension manager built by hand,
ServerWebApplication's positional form, the binary kernel message framing, the toggle
function and ``python -m jupyter_server``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

EXT = '''
__version__ = "1.2.3"
STATE = {"linked": 0, "loaded": 0}


def _jupyter_server_extension_points():
    return [{"module": "handmade_ext"}]


def _link_jupyter_server_extension(serverapp):
    STATE["linked"] += 1


def _load_jupyter_server_extension(serverapp):
    if serverapp is None:
        raise RuntimeError("no server to load into")
    STATE["loaded"] += 1
'''


@pytest.fixture
def handmade_ext(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    (tmp_path / "handmade_ext.py").write_text(EXT)
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("handmade_ext", None)
    yield "handmade_ext"
    sys.modules.pop("handmade_ext", None)


def test_extension_point_and_package(handmade_ext: str) -> None:
    from jupyter_server.extension.manager import (
        ExtensionMetadataError,
        ExtensionModuleNotFound,
        ExtensionPackage,
        ExtensionPoint,
    )

    point = ExtensionPoint(metadata={"module": handmade_ext})
    assert point.module_name == handmade_ext and point.name == handmade_ext and point.validate()
    with pytest.raises(ExtensionMetadataError):
        ExtensionPoint(metadata={"name": "no module key"})
    with pytest.raises(ExtensionModuleNotFound):
        ExtensionPoint(metadata={"module": "not_a_module_anywhere"})

    package = ExtensionPackage(name=handmade_ext, enabled=True)
    assert package.version == "1.2.3" and list(package.extension_points) == [handmade_ext] and package.validate()
    with pytest.raises(ExtensionModuleNotFound):
        ExtensionPackage(name="not_a_module_anywhere", enabled=True)
    sys.modules.pop(handmade_ext)
    disabled = ExtensionPackage(name=handmade_ext, enabled=False)
    assert handmade_ext not in sys.modules  # a disabled extension is never imported
    assert (disabled.extension_points, disabled.version, disabled.metadata) == ({}, "", [])


async def test_extension_manager_by_hand(handmade_ext: str, jp_serverapp: Any) -> None:
    from jupyter_server.extension.manager import ExtensionManager, ExtensionModuleNotFound

    manager = ExtensionManager(serverapp=jp_serverapp)
    assert manager.config_manager.read_config_path[0].endswith("serverconfig")
    manager.from_jpserver_extensions({handmade_ext: True, "not_a_module_anywhere": True})
    assert list(manager.extensions) == [handmade_ext]  # the broken one was only logged
    manager.link_extension(handmade_ext)
    manager.load_extension(handmade_ext)
    state = sys.modules[handmade_ext].STATE
    assert state == {"linked": 1, "loaded": 1} and manager.linked_extensions == {handmade_ext: True}

    jp_serverapp.reraise_server_extension_failures = True
    with pytest.raises(ExtensionModuleNotFound):  # the extension's own error, not SystemExit
        manager.add_extension("not_a_module_anywhere", enabled=True)

    # Without a server, a failing hook is logged, never raised.
    lonely = ExtensionManager()
    assert lonely.add_extension(handmade_ext, enabled=True)
    lonely.link_extension(handmade_ext)
    lonely.load_extension(handmade_ext)
    assert state["loaded"] == 1


async def test_server_web_application_positional(jp_serverapp: Any) -> None:
    from jupyter_server.serverapp import ServerWebApplication

    app = ServerWebApplication(jp_serverapp, [], jp_serverapp.kernel_manager, None, jp_serverapp.session_manager,
                               jp_serverapp.kernel_spec_manager, jp_serverapp.config_manager, None, [],
                               jp_serverapp.log, jp_serverapp.base_url, "/", {"extra_key": 1}, {})
    assert app.context is jp_serverapp.context and app.settings["extra_key"] == 1
    assert app.init_handlers([], app.settings) == []
    from jupyter_server.base.handlers import JupyterHandler

    app.add_handlers(".*$", [("/x", JupyterHandler)])
    assert ("/x$", JupyterHandler) in app.init_handlers([], app.settings)


def test_binary_message_framing() -> None:
    from jupyter_client.session import Session
    from jupyter_server.services.kernels.connection.base import (
        deserialize_binary_message,
        serialize_binary_message,
    )

    msg = Session().msg("data_pub", content={"a": "b"})
    msg["buffers"] = [memoryview(os.urandom(5)) for _ in range(3)]
    frame = serialize_binary_message(msg)
    assert int.from_bytes(frame[:4], "big") == 4  # the JSON part and three buffers
    assert deserialize_binary_message(frame) == msg
    with pytest.raises(ValueError):
        deserialize_binary_message(b"\x00\x00\x00\x09")


def test_toggle_user_level_wins_over_the_sys_prefix_default(jp_environ: dict[str, Path]) -> None:
    from jupyter_server.extension.serverextension import toggle_server_extension_python

    toggle_server_extension_python("some_ext", enabled=True, user=True)
    written = json.loads((jp_environ["config"] / "jupyter_server_config.json").read_text())
    assert written["ServerApp"]["jpserver_extensions"] == {"some_ext": True}
    assert not (jp_environ["env_config"] / "jupyter_server_config.json").exists()


def test_python_dash_m_jupyter_server() -> None:
    done = subprocess.run([sys.executable, "-m", "jupyter_server", "--version"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and done.stdout.strip()
