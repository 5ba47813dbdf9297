"""Adopting a kernel an earlier server started: a KernelManager rebuilt from the store.

jupyter_client's LocalProvisioner controls its kernel through the ``subprocess.Popen`` it
launched; a kernel another server launched has none. :class:`AdoptedProcess` stands in for
it, addressing the process by pid (signals go to its process group first, as the
provisioner does), so polling, interrupt, restart and shutdown work unchanged.
"""

from __future__ import annotations

import asyncio
import os
import signal
from typing import Any

from ._store import StoredKernel

__all__ = ["AdoptedProcess", "build_kernel_manager", "kernel_process_alive"]


def _is_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            # The state is the field after the parenthesised command name.
            return f.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except (OSError, IndexError):
        return False


def _cmdline(pid: int) -> bytes | None:
    """The process's command line, or None where /proc cannot tell."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read()
    except OSError:
        return None


def kernel_process_alive(pid: Any, kernel_id: str, connection_file: str) -> bool:
    """Whether ``pid`` still runs and (where /proc says) is this kernel, not a reused pid."""
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists; another user's process is not our kernel, but let cmdline decide
    if _is_zombie(pid):
        return False
    cmdline = _cmdline(pid)
    if cmdline is None or not os.path.isdir("/proc/self"):
        return True
    # ipykernel (and most kernels) are started with their connection file on the command line.
    names = {kernel_id.encode(), os.path.basename(connection_file).encode()}
    return any(name and name in cmdline for name in names)


class AdoptedProcess:
    """The slice of ``subprocess.Popen`` LocalProvisioner uses, for a process we did not start.

    Not our child, so no exit status: ``poll`` and ``wait`` report -1 once it is gone.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int, kernel_id: str, connection_file: str) -> None:
        self.pid = pid
        self._kernel_id = kernel_id
        self._connection_file = connection_file
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None and not kernel_process_alive(self.pid, self._kernel_id, self._connection_file):
            self.returncode = -1
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        # LocalProvisioner.wait() calls this only after poll() said the process is gone.
        code = self.poll()
        return -1 if code is None else code

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


async def build_kernel_manager(mkm: Any, stored: StoredKernel, launch_args: dict[str, Any]) -> Any:
    """A ready KernelManager for ``stored``, attached to its running process.

    ``mkm`` is the MappingKernelManager (its factory, spec manager and provisioner
    factory are used); ``launch_args`` are what a restart will launch the kernel with.
    """
    from jupyter_client.provisioning.factory import KernelProvisionerFactory
    from jupyter_client.provisioning.local_provisioner import LocalProvisioner

    km = mkm.kernel_manager_factory(
        connection_file=stored.connection_file,
        parent=mkm,
        log=mkm.log,
        kernel_name=stored.kernel_name,
        kernel_spec_manager=mkm.kernel_spec_manager,
    )
    km.kernel_id = stored.kernel_id
    km.load_connection_info(stored.connection_info)
    if not os.path.exists(stored.connection_file):  # noqa: ASYNC240 - one stat per adopted kernel
        # `jupyter console --existing` and friends look for it; the kernel does not need it.
        km.write_connection_file()
    provisioner = KernelProvisionerFactory.instance(parent=mkm).create_provisioner_instance(
        stored.kernel_id, km.kernel_spec, parent=km
    )
    await provisioner.load_provisioner_info(stored.provisioner_info)
    if isinstance(provisioner, LocalProvisioner):
        provisioner.process = AdoptedProcess(  # type: ignore[assignment]
            int(stored.provisioner_info["pid"]), stored.kernel_id, stored.connection_file
        )
    provisioner.connection_info = km.get_connection_info()
    km.provisioner = provisioner
    km._launch_args = {**launch_args, "cwd": stored.cwd}
    ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    ready.set_result(None)
    km._ready = ready
    km._attempted_start = True  # a restart then makes itself a new ready future
    km.start_restarter()
    return km
