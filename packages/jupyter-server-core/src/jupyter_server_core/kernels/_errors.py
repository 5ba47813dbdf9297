"""What the kernel and session managers raise; handlers turn each into a 4xx."""

from __future__ import annotations

__all__ = [
    "KernelError",
    "KernelNotFound",
    "KernelPathError",
    "KernelPending",
    "KernelSpecNotFound",
    "KernelStartError",
]


class KernelError(Exception):
    """Base of the kernel manager's errors; ``str(exc)`` is a message for a person."""

    status_code = 400


class KernelNotFound(KernelError, KeyError):
    """No running kernel has this id (a KeyError, as jupyter_client raises)."""

    status_code = 404

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else "No such kernel"


class KernelSpecNotFound(KernelError, LookupError):
    """No installed kernelspec has this name."""


class KernelPathError(KernelError, ValueError):
    """A kernel's working directory would be outside root_dir, or is not a path."""


class KernelPending(KernelError, RuntimeError):
    """The kernel is still starting (pending kernels); retry when it is ready."""

    status_code = 409


class KernelStartError(KernelError, RuntimeError):
    """The kernel process could not be started (a broken kernelspec, a missing program)."""

    status_code = 500
