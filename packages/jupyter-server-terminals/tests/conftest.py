"""Fixtures for the terminals tests: the extension enabled, and a terminado WebSocket client."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from jupyter_server_core.pytest_plugin import process_alive
from tornado.websocket import WebSocketClientConnection

_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r")


@pytest.fixture
def jp_extensions() -> dict[str, bool]:
    return {"jupyter_server_terminals": True}


class TerminalClient:
    """A terminado WebSocket client: send ``stdin`` lines, wait for output lines."""

    def __init__(self, ws: WebSocketClientConnection) -> None:
        self.ws = ws
        self.output = ""
        self.messages: list[list[Any]] = []
        self.closed = False

    async def receive(self, timeout: float = 20) -> list[Any] | None:
        raw = await asyncio.wait_for(self.ws.read_message(), timeout)
        if raw is None:
            self.closed = True
            return None
        message = json.loads(raw)
        self.messages.append(message)
        if message[0] == "stdout":
            self.output += message[1]
        return message  # type: ignore[no-any-return]

    def lines(self) -> list[str]:
        """Output lines without terminal escape sequences."""
        return [line.strip() for line in _ESCAPES.sub("", self.output).split("\n")]

    def send(self, *message: Any) -> None:
        self.ws.write_message(json.dumps(list(message)))

    async def run(self, command: str) -> None:
        self.send("stdin", command + "\r")

    async def wait_for_line(self, predicate: Callable[[str], bool], timeout: float = 20) -> str:
        """Read until an output line satisfies ``predicate``; returns that line."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for line in self.lines():
                if predicate(line):
                    return line
            if self.closed:
                raise AssertionError(f"terminal closed; output was {self.output!r}")
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"no matching line within {timeout}s; output was {self.output!r}")
            try:
                await self.receive(remaining)
            except asyncio.TimeoutError:
                continue

    async def wait_for(self, kind: str, timeout: float = 20) -> list[Any]:
        """Read until a message of ``kind`` (``"setup"``, ``"disconnect"``) arrives."""
        for message in self.messages:
            if message[0] == kind:
                return message
        while True:
            message = await self.receive(timeout)
            if message is None:
                raise AssertionError(f"closed before a {kind!r} message; got {self.messages!r}")
            if message[0] == kind:
                return message

    async def shell_pid(self) -> int:
        """The pid of the shell, as the shell itself reports it."""
        await self.run("echo PID=$(( $$ + 0 ))")
        line = await self.wait_for_line(lambda s: re.fullmatch(r"PID=\d+", s) is not None)
        return int(line.split("=")[1])

    def close(self) -> None:
        self.ws.close()


@pytest.fixture
def terminal_client_class() -> type[TerminalClient]:
    return TerminalClient


@pytest.fixture
def terminal_client(jp_ws_fetch: Callable[..., Awaitable[WebSocketClientConnection]]) -> Callable[..., Awaitable[TerminalClient]]:
    """``client = await terminal_client(name)``: connected, setup message received."""
    clients: list[TerminalClient] = []

    async def connect(name: str, **kwargs: Any) -> TerminalClient:
        ws = await jp_ws_fetch("terminals", "websocket", name, **kwargs)
        client = TerminalClient(ws)
        clients.append(client)
        await client.wait_for("setup")
        return client

    yield connect  # type: ignore[misc]
    for client in clients:
        client.close()


@pytest.fixture
def new_terminal(jp_fetch: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[dict[str, Any]]]:
    """``model = await new_terminal(cwd="sub")``: POST /api/terminals."""

    async def create(**body: Any) -> dict[str, Any]:
        r = await jp_fetch("api", "terminals", method="POST", body=json.dumps(body))
        return json.loads(r.body)  # type: ignore[no-any-return]

    return create


@pytest.fixture
def alive() -> Callable[[int], bool]:
    return process_alive
