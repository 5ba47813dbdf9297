"""The journaling half of MappingKernelManager: one output journal per kernel.

The manager opens a kernel's journal when it starts watching the kernel (started or
adopted), feeds it from its own iopub watcher, closes it (files kept) when the server
leaves kernels running for the next one, and deletes it when the kernel is shut down
or dies. See docs/kernel-journal.md.
"""

from __future__ import annotations

import os
import re
import shutil
from typing import Any

from traitlets import HasTraits, Int, TraitError, Unicode, default, validate

from ._journal import JournalWriter, KernelJournal

__all__ = ["KernelJournaling"]

_KERNEL_DIR = re.compile(r"^\w+-\w+-\w+-\w+-\w+$")


class KernelJournaling(HasTraits):
    """Keeps a :class:`KernelJournal` for each kernel the manager watches."""

    journal_dir = Unicode(
        help="The directory holding the kernels' output journals, one subdirectory per kernel "
        "(created with mode 0700, files 0600). Default: jupyter-server-journal in the runtime directory.",
    ).tag(config=True)
    journal_max_bytes = Int(
        128 * 1024 * 1024,
        help="The most disk space one kernel's output journal may use, in bytes; past it the oldest "
        "output is deleted first. 0 turns the journal off (and with it replay beyond the in-memory "
        "buffer, unattended output into notebooks and lossless flow control).",
    ).tag(config=True)

    log: Any
    connection_dir: str
    enable_persistence: bool
    _journals: dict[str, KernelJournal]
    _journal_writer: JournalWriter | None = None
    #: The :class:`~._unattended.UnattendedOutput` of the server (set by the services loader).
    unattended_output: Any = None

    @default("journal_dir")
    def _journal_dir_default(self) -> str:
        return os.path.join(self.connection_dir, "jupyter-server-journal")

    @validate("journal_max_bytes")
    def _validate_journal_max_bytes(self, proposal: Any) -> int:
        value = int(proposal["value"])
        if value < 0:
            raise TraitError(f"MappingKernelManager.journal_max_bytes must be 0 (off) or a size in bytes, not {value}")
        return value

    def journal_for(self, kernel_id: str) -> KernelJournal | None:
        """The journal of a kernel (None when journaling is off or the kernel unknown)."""
        return self._journals.get(kernel_id)

    def open_journal(self, kernel_id: str) -> KernelJournal | None:
        """Open (or go on with) a kernel's journal; None when journaling is off."""
        if self.journal_max_bytes <= 0:
            return None
        journals = self._journals
        journal = journals.get(kernel_id)
        if journal is None:
            if self._journal_writer is None:
                self._journal_writer = JournalWriter(self.log)
            try:
                journal = KernelJournal(kernel_id, os.path.join(self.journal_dir, kernel_id),
                                        self.journal_max_bytes, self._journal_writer, self.log)
            except OSError as exc:
                self.log.warning("Kernel %s: no output journal (%s); output reaches connected clients only",
                                 kernel_id, exc)
                return None
            journals[kernel_id] = journal
        return journal

    def remove_journal(self, kernel_id: str) -> None:
        """The kernel is gone: delete its journal."""
        journal = self._journals.pop(kernel_id, None)
        if journal is not None:
            journal.remove()
        if self.unattended_output is not None:
            self.unattended_output.kernel_gone(kernel_id)

    async def flush_journals(self) -> None:
        """Wait until every journal write (and deletion) asked for so far is done."""
        if self._journal_writer is not None:
            await self._journal_writer.drain()

    async def close_journals(self) -> None:
        """Close every journal, keeping the files for the next server; wait for the writes."""
        journals = self._journals
        for journal in journals.values():
            journal.close()
        journals.clear()
        await self.flush_journals()

    def prune_journals(self, keep: set[str]) -> None:
        """Delete the journals of kernels not in ``keep`` (left by a server that crashed).

        Called only while this server owns the runtime directory's kernel store: another
        server on the same directory could otherwise lose the journals of its kernels.
        """
        try:
            names = os.listdir(self.journal_dir)
        except OSError:
            return
        for name in names:
            if _KERNEL_DIR.match(name) and name not in keep:
                self.log.info("Deleting the output journal of kernel %s, which no longer runs", name)
                shutil.rmtree(os.path.join(self.journal_dir, name), ignore_errors=True)
