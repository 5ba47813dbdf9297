"""The per-user directories the server prepares at start (in-process, real folders)."""

from __future__ import annotations

import stat

import pytest


@pytest.fixture
def fresh_data_dir(jp_environ, monkeypatch):
    # A fresh account: the data dir and its parent do not exist yet.
    data = jp_environ["home"] / ".local" / "share" / "jupyter"
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(data))
    return data


async def test_the_data_dir_is_created_private(fresh_data_dir, jp_serverapp):
    assert fresh_data_dir.is_dir()
    assert stat.S_IMODE(fresh_data_dir.stat().st_mode) == 0o700


@pytest.fixture
def blocked_data_dir(jp_environ, monkeypatch):
    blocker = jp_environ["home"] / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(blocker / "jupyter"))
    return blocker / "jupyter"


async def test_a_data_dir_that_cannot_be_made_is_named_and_the_server_starts(capfd, blocked_data_dir,
                                                                             jp_serverapp, jp_fetch):
    # capfd comes first: it holds what the server wrote while it started.
    lines = [m for m in capfd.readouterr().err.splitlines() if "Jupyter data directory" in m]
    assert len(lines) == 1 and str(blocked_data_dir) in lines[0], lines
    assert (await jp_fetch("api", "status")).code == 200
