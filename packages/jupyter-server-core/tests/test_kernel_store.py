"""The kernel store and its lock, on real SQLite files (kernel persistence)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest
from jupyter_server_core.kernels._adopt import kernel_process_alive
from jupyter_server_core.kernels._store import KernelStore, StoredKernel, StoreLock, StoreLocked
from jupyter_server_core.sessions._store import SessionRow, SessionStore


def kernel(kernel_id: str = "k1") -> StoredKernel:
    return StoredKernel(kernel_id, "python3", "/srv", f"/run/kernel-{kernel_id}.json",
                        {"shell_port": 5001, "key": "abc"}, {"provisioner_name": "local-provisioner", "pid": 7},
                        "2026-01-01T00:00:00+00:00", "idle")


def test_rows_round_trip_and_a_kernel_takes_its_sessions_along(tmp_path):
    path = str(tmp_path / "store.sqlite")
    store = KernelStore(path)
    store.save(kernel("k1"))
    store.save(kernel("k2"))
    store.update_activity("k2", "2026-02-02T00:00:00+00:00", "busy")
    sessions = SessionStore(path)  # one file: the session table lives beside the kernel table
    sessions.insert(SessionRow("s1", "a.ipynb", "", "notebook", "k1"))
    sessions.insert(SessionRow("s2", "b.ipynb", "", "notebook", "k2"))

    reopened = KernelStore(path)
    assert [k.kernel_id for k in reopened.all()] == ["k1", "k2"]
    assert reopened.all()[0] == kernel("k1")
    assert (reopened.all()[1].last_activity, reopened.all()[1].execution_state) == ("2026-02-02T00:00:00+00:00", "busy")
    reopened.delete("k1")
    assert [k.kernel_id for k in reopened.all()] == ["k2"]
    assert [s.session_id for s in sessions.select()] == ["s2"]


def test_a_row_that_does_not_parse_is_skipped(tmp_path):
    path = str(tmp_path / "store.sqlite")
    store = KernelStore(path)
    store.save(kernel("good"))
    db = sqlite3.connect(path)
    db.execute("INSERT INTO kernel VALUES ('bad', 'python3', '', '', '{not json', '{}', '', '')")
    db.commit()
    assert [k.kernel_id for k in store.all()] == ["good"]


def test_a_foreign_kernel_table_is_refused(tmp_path):
    path = str(tmp_path / "store.sqlite")
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE kernel (id TEXT)")
    db.commit()
    with pytest.raises(sqlite3.DatabaseError, match="columns"):
        KernelStore(path)


def test_one_owner_at_a_time(tmp_path):
    path = str(tmp_path / "store.sqlite")
    first, second = StoreLock(path), StoreLock(path)
    first.acquire()
    with pytest.raises(StoreLocked, match=f"another running server \\(pid {os.getpid()}\\)"):
        second.acquire()
    first.release()
    second.acquire()  # released: the next server may own it
    second.release()


def test_a_lock_dies_with_its_process(tmp_path):
    path = str(tmp_path / "store.sqlite")
    code = ("import sys; from jupyter_server_core.kernels._store import StoreLock; "
            "lock = StoreLock(sys.argv[1]); lock.acquire(); print('locked', flush=True); sys.stdin.read()")
    holder = subprocess.Popen([sys.executable, "-c", code, path], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"locked"
        with pytest.raises(StoreLocked, match=f"pid {holder.pid}"):
            StoreLock(path).acquire()
    finally:
        holder.kill()
        holder.wait()
    lock = StoreLock(path)
    lock.acquire()  # kill -9 left no stale lock
    lock.release()


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="checks command lines through /proc")
def test_a_pid_is_only_our_kernel_if_its_command_line_says_so(tmp_path):
    connection_file = str(tmp_path / "kernel-abc.json")
    proc = subprocess.Popen([sys.executable, "-c", "import sys; print('up', flush=True); sys.stdin.read()",
                             connection_file], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        # Until the child has exec'd, /proc shows the parent's command line.
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"up"
        assert kernel_process_alive(proc.pid, "abc", connection_file)
        assert not kernel_process_alive(proc.pid, "other", str(tmp_path / "kernel-other.json"))
    finally:
        proc.kill()
        proc.wait()
    assert not kernel_process_alive(proc.pid, "abc", connection_file)
    assert not kernel_process_alive(None, "abc", connection_file)
