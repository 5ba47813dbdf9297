"""``ServerKernelManager``: one real kernel whose actions are reported as kernel_actions events."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from jupyter_server_core.events import KERNEL_ACTIONS_SCHEMA


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.events.append(dict(record.msg))  # type: ignore[call-overload]


async def test_a_standalone_kernel_reports_its_actions() -> None:
    from jupyter_server.services.kernels.kernelmanager import ServerKernelManager

    km = ServerKernelManager(kernel_name="python3")
    seen = Collect()
    km.event_logger.register_handler(seen)
    await km.start_kernel()
    try:
        await km.interrupt_kernel()
        await km.restart_kernel(now=True)
    finally:
        await km.shutdown_kernel(now=True)
    assert [(e["action"], e["status"]) for e in seen.events] == [
        ("start", "success"), ("interrupt", "success"), ("restart", "success"), ("shutdown", "success")]
    assert {e["__schema__"] for e in seen.events} == {KERNEL_ACTIONS_SCHEMA}
    assert all(e["kernel_id"] == km.kernel_id and e["kernel_name"] == "python3" for e in seen.events)


async def test_a_failed_start_is_reported_as_an_error() -> None:
    from jupyter_server.services.kernels.kernelmanager import ServerKernelManager

    km = ServerKernelManager(kernel_name="no-such-kernel-here")
    seen = Collect()
    km.event_logger.register_handler(seen)
    with pytest.raises(Exception):  # noqa: B017 - jupyter_client's own NoSuchKernel
        await km.start_kernel()
    assert [(e["action"], e["status"]) for e in seen.events] == [("start", "error")]
    assert "no-such-kernel-here" in seen.events[0]["msg"]


async def test_kernels_of_the_server_are_reported_once(jp_serverapp: Any) -> None:
    from jupyter_server.services.kernels.kernelmanager import ServerKernelManager

    km = jp_serverapp.kernel_manager
    km.kernel_manager_class = "jupyter_server.services.kernels.kernelmanager.ServerKernelManager"
    seen: list[dict[str, Any]] = []
    unsubscribe = jp_serverapp.events.subscribe(seen.append)
    try:
        kernel_id = await km.start_kernel()
        assert isinstance(km.get_kernel(kernel_id), ServerKernelManager)
        await km.shutdown_kernel(kernel_id, now=True)
        await asyncio.sleep(0)
    finally:
        unsubscribe()
    actions = [e["action"] for e in seen if e["schema_id"] == KERNEL_ACTIONS_SCHEMA]
    assert actions == ["start", "shutdown"]


def test_terminal_initialize_adds_terminals_to_an_application(tmp_path: Any) -> None:
    from jupyter_server.terminal import initialize
    from jupyter_server_terminals import TerminalManager
    from tornado.httputil import HTTPHeaders, HTTPServerRequest, RequestStartLine
    from tornado.web import Application

    app = Application(base_url="/base/")
    manager = initialize(app, str(tmp_path), "http://localhost/base/", {"shell_command": "['/bin/sh']"})
    assert isinstance(manager, TerminalManager) and manager.shell_command == ["/bin/sh"]
    assert app.settings["terminal_manager"] is manager and app.settings["terminals_available"]
    for path, name in (("/base/api/terminals", "TerminalRootHandler"), ("/base/terminals/websocket/1", "TerminalWebSocketHandler")):
        request = HTTPServerRequest(start_line=RequestStartLine("GET", path, "HTTP/1.1"),
                                    headers=HTTPHeaders({"Host": "localhost"}))
        assert app.find_handler(request).handler_class.__name__ == name
