"""Unattended execution: output produced while nobody watches goes into the notebook file.

JupyterLab and Notebook 7 put the id of the cell they run in the ``execute_request``'s
metadata (``cellId``). The kernel WebSocket tells :class:`UnattendedOutput` of each such
request (:meth:`~UnattendedOutput.note_request`); from then on the cell's outputs are
followed in the kernel's journal, as the frontend would build them. While no client is
connected to the kernel, they are written into that cell of the notebook of the
kernel's session(s), through the contents manager (so the save hooks, checkpoints and
atomic writing apply): at most every ``write_interval`` seconds, and once more when the
execution ends, with its execution count. The code that ran becomes the cell's source
when the file has something else there. A cell whose id is not in the file is left
alone: its output stays in the journal only.

When a client connects to the kernel again, the executions that started before are
never written again: the client's copy of the notebook is the one that counts from
then on (what they print after that is in the journal, and a returning session is sent
it). See docs/kernel-journal.md.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from traitlets import Bool, Float
from traitlets.config import LoggingConfigurable

from ._wsprotocol import RawMessage

__all__ = ["Execution", "UnattendedOutput"]


@dataclass
class Execution:
    """One ``execute_request`` of a notebook cell, and the outputs it produced so far."""

    msg_id: str
    cell_id: str
    code: str
    execution_count: int | None = None
    outputs: list[dict[str, Any]] = field(default_factory=list)
    #: Written into the file while no client is connected; False once a client connects.
    unattended: bool = False
    handed_back: bool = False
    dirty: bool = False
    done: bool = False
    _clear_on_next: bool = False
    _displays: dict[str, list[int]] = field(default_factory=dict)

    def apply(self, msg_type: str, content: dict[str, Any]) -> bool:
        """Update the outputs as a frontend would for one iopub message; True if they changed."""
        if msg_type == "execute_input":
            count = content.get("execution_count")
            self.execution_count = count if isinstance(count, int) else self.execution_count
            return True
        if msg_type == "clear_output":
            if content.get("wait"):
                self._clear_on_next = True
                return False
            self.outputs.clear()
            self._displays.clear()
            return True
        if msg_type == "update_display_data":
            display_id = (content.get("transient") or {}).get("display_id")
            if not isinstance(display_id, str):
                return False
            for index in self._displays.get(display_id, []):
                self.outputs[index].update(data=content.get("data", {}), metadata=content.get("metadata", {}))
            return display_id in self._displays
        output = _output(msg_type, content)
        if output is None:
            return False
        if self._clear_on_next:
            self._clear_on_next = False
            self.outputs.clear()
            self._displays.clear()
        last = self.outputs[-1] if self.outputs else None
        if output["output_type"] == "stream" and last is not None and last["output_type"] == "stream" \
                and last["name"] == output["name"]:
            last["text"] += output["text"]
            return True
        display_id = (content.get("transient") or {}).get("display_id")
        if isinstance(display_id, str):
            self._displays.setdefault(display_id, []).append(len(self.outputs))
        self.outputs.append(output)
        return True


def _output(msg_type: str, content: dict[str, Any]) -> dict[str, Any] | None:
    """The nbformat v4 output of one iopub message; None for a message that is not one."""
    if msg_type == "stream":
        return {"output_type": "stream", "name": content.get("name", "stdout"), "text": str(content.get("text", ""))}
    if msg_type == "display_data":
        return {"output_type": "display_data", "data": content.get("data", {}), "metadata": content.get("metadata", {})}
    if msg_type == "execute_result":
        return {"output_type": "execute_result", "execution_count": content.get("execution_count"),
                "data": content.get("data", {}), "metadata": content.get("metadata", {})}
    if msg_type == "error":
        return {"output_type": "error", "ename": str(content.get("ename", "")),
                "evalue": str(content.get("evalue", "")), "traceback": list(content.get("traceback", []))}
    return None


class UnattendedOutput(LoggingConfigurable):
    """Writes the output of notebook cells that run while nobody is connected into the file.

    ``kernel_manager`` gives the journals and connection counts, ``session_manager`` the
    notebook of each kernel, ``contents_manager()`` the contents manager (made later than
    this object, hence a function).
    """

    enabled = Bool(
        True, help="Write the output of notebook cells that run while no client is connected into the "
        "notebook file on disk (needs the kernel output journal).",
    ).tag(config=True)
    write_interval = Float(
        3.0, help="Seconds between two writes of a running cell's new output into its notebook file "
        "(it is also written once when the cell finishes).",
    ).tag(config=True)

    def __init__(self, kernel_manager: Any, session_manager: Any, contents_manager: Callable[[], Any],
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.kernel_manager = kernel_manager
        self.session_manager = session_manager
        self.contents_manager = contents_manager
        self._executions: dict[str, dict[str, Execution]] = {}
        self._stop_listening: dict[str, Callable[[], None]] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    # -- what the kernel WebSocket reports -------------------------------------------------

    def note_request(self, kernel_id: str, message: RawMessage) -> None:
        """A client sent ``message`` to the kernel: follow it if it runs a notebook cell."""
        if not self.enabled or message.msg_type != "execute_request":
            return
        try:
            metadata = json.loads(message.parts[2])
            content = json.loads(message.parts[3])
        except ValueError:
            return
        cell_id = metadata.get("cellId") if isinstance(metadata, dict) else None
        msg_id = message.header.get("msg_id")
        if not isinstance(cell_id, str) or not isinstance(msg_id, str) or not isinstance(content, dict):
            return
        if content.get("silent"):
            return
        journal = self.kernel_manager.journal_for(kernel_id)
        if journal is None:
            return
        self._executions.setdefault(kernel_id, {})[msg_id] = Execution(msg_id, cell_id, str(content.get("code", "")))
        if kernel_id not in self._stop_listening:
            self._stop_listening[kernel_id] = journal.listen(lambda seq, m: self._on_output(kernel_id, m))

    def client_connected(self, kernel_id: str) -> None:
        """A client connected: the executions running now are its business from here on."""
        for execution in self._executions.get(kernel_id, {}).values():
            execution.handed_back = True
            execution.unattended = False
        timer = self._timers.pop(kernel_id, None)
        if timer is not None:
            timer.cancel()
        self._forget_finished(kernel_id)

    def client_disconnected(self, kernel_id: str) -> None:
        """A client left; with nobody left, the running cells' output goes to the file."""
        if self._connections(kernel_id) > 0:
            return
        executions = [e for e in self._executions.get(kernel_id, {}).values() if not e.handed_back]
        for execution in executions:
            execution.unattended = execution.dirty = True
        if executions:
            self._schedule(kernel_id, self.write_interval)

    def kernel_gone(self, kernel_id: str) -> None:
        """The kernel was shut down or died: stop following it."""
        self._executions.pop(kernel_id, None)
        stop = self._stop_listening.pop(kernel_id, None)
        if stop is not None:
            stop()
        timer = self._timers.pop(kernel_id, None)
        if timer is not None:
            timer.cancel()

    # -- following the output ----------------------------------------------------------------

    def _connections(self, kernel_id: str) -> int:
        try:
            return int(self.kernel_manager.kernel_record(kernel_id).connections)
        except Exception:  # noqa: BLE001 - a kernel that is gone has nobody connected
            return 0

    def _on_output(self, kernel_id: str, message: RawMessage) -> None:
        executions = self._executions.get(kernel_id)
        if not executions:
            return
        execution = executions.get(message.parent_msg_id())
        if execution is None:
            return
        msg_type = message.msg_type
        try:
            content = json.loads(message.parts[3])
        except ValueError:
            return
        if not isinstance(content, dict):
            return
        if msg_type == "status":
            if content.get("execution_state") == "idle":
                execution.done = True
                if execution.unattended:
                    self._schedule(kernel_id, 0)
                else:
                    self._forget_finished(kernel_id)
            return
        if execution.apply(msg_type, content) and execution.unattended:
            execution.dirty = True
            self._schedule(kernel_id, self.write_interval)

    def _schedule(self, kernel_id: str, delay: float) -> None:
        timer = self._timers.get(kernel_id)
        if timer is not None:
            if delay > 0:
                return  # a write is coming anyway
            timer.cancel()
        loop = asyncio.get_running_loop()
        self._timers[kernel_id] = loop.call_later(delay, self._start_write, kernel_id)

    def _start_write(self, kernel_id: str) -> None:
        self._timers.pop(kernel_id, None)
        task = asyncio.ensure_future(self._write(kernel_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _forget_finished(self, kernel_id: str) -> None:
        executions = self._executions.get(kernel_id, {})
        for msg_id in [m for m, e in executions.items() if e.done and not (e.unattended and e.dirty)]:
            del executions[msg_id]
        if not executions:
            self._executions.pop(kernel_id, None)
            stop = self._stop_listening.pop(kernel_id, None)
            if stop is not None:
                stop()

    # -- writing the file ----------------------------------------------------------------

    async def _write(self, kernel_id: str) -> None:
        lock = self._locks.setdefault(kernel_id, asyncio.Lock())
        async with lock:
            if self._connections(kernel_id) > 0:
                return
            due = [e for e in self._executions.get(kernel_id, {}).values() if e.unattended and e.dirty]
            if not due:
                return
            for execution in due:
                execution.dirty = False
            try:
                for path in await self._notebook_paths(kernel_id):
                    await self._write_cells(path, due)
            except Exception as exc:  # noqa: BLE001 - the output is still in the journal
                self.log.warning("Kernel %s: writing unattended output into its notebook failed: %s", kernel_id, exc)
            self._forget_finished(kernel_id)

    async def _notebook_paths(self, kernel_id: str) -> list[str]:
        if self.session_manager is None:
            return []
        sessions = await self.session_manager.list_sessions()
        return [s["path"] for s in sessions
                if (s.get("kernel") or {}).get("id") == kernel_id
                and (s.get("type") == "notebook" or str(s.get("path", "")).endswith(".ipynb"))]

    async def _write_cells(self, path: str, executions: list[Execution]) -> None:
        cm = self.contents_manager()
        if cm is None:
            return
        model = await cm.get(path, content=True, type="notebook")
        notebook = model["content"]
        cells = {c.get("id"): c for c in notebook.get("cells", []) if c.get("cell_type") == "code"}
        changed = False
        for execution in executions:
            cell = cells.get(execution.cell_id)
            if cell is None:
                self.log.debug("Cell %s is not in %s: its output stays in the journal", execution.cell_id, path)
                continue
            source = cell.get("source", "")
            if ("".join(source) if isinstance(source, list) else source) != execution.code:
                cell["source"] = execution.code  # outputs never sit under code that did not make them
            cell["outputs"] = [dict(o) for o in execution.outputs]
            cell["execution_count"] = execution.execution_count
            changed = True
        if changed:
            await cm.save({"type": "notebook", "format": "json", "content": notebook}, path)
            self.log.info("Wrote the output of %d unattended cell(s) into %s", len(executions), path)
