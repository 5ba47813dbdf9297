"""TerminalManager: named shells in pseudo-terminals, their activity and their culling.

terminado's NamedTermManager owns the ptys and reads them on the event loop; this manager
adds what the server needs around it: a working directory kept inside the server root,
the REST model of each terminal (``{"name", "last_activity"}``), culling of idle
terminals and a shutdown that leaves no process behind.
"""

from __future__ import annotations

import ast
import asyncio
import builtins
import os
import shlex
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from terminado.management import NamedTermManager, PtyWithClients
from traitlets import Integer, TraitError, validate
from traitlets.config import LoggingConfigurable

from ._processes import kill_process_group

__all__ = [
    "NoSuchTerminal",
    "TerminalCwdError",
    "TerminalLimitReached",
    "TerminalManager",
    "default_shell_command",
    "resolve_cwd",
]

# Keys of ServerApp.terminado_settings that terminado's manager understands.
_TERMINADO_KEYS = frozenset({"shell_command", "term_settings", "extra_env", "max_terminals", "server_url"})


class NoSuchTerminal(KeyError):
    """No running terminal has this name."""

    def __str__(self) -> str:
        return f"Terminal not found: {self.args[0]}"


class TerminalCwdError(ValueError):
    """The requested working directory is not usable (outside the root, not a string)."""


class TerminalLimitReached(RuntimeError):
    """``terminado_settings["max_terminals"]`` terminals are already running."""


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _command_line(text: str) -> Any:
    """A shell command given as one string: a Python list literal (how a list reaches a
    Dict trait from the command line, ``shell_command="['/bin/zsh', '-l']"``) or a command
    line split as a shell would."""
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            return ast.literal_eval(stripped)
        except (ValueError, SyntaxError):
            pass
    return shlex.split(text)


def default_shell_command() -> list[str]:
    """The user's login shell (``$SHELL -l``), or ``sh -l`` when SHELL is unset."""
    return [os.environ.get("SHELL") or "/bin/sh", "-l"]


def resolve_cwd(root_dir: str, cwd: Any) -> str | None:
    """The real directory a terminal asked to start in ``cwd`` should use.

    ``cwd`` is relative to ``root_dir`` (or absolute, inside it). Returns None when ``cwd``
    is empty or names no existing directory (the caller falls back to the root, as
    jupyter_server does). Raises :class:`TerminalCwdError` when it is not a string or
    leads outside the root, also through ``..`` or a symlink.
    """
    if cwd is None or cwd == "":
        return None
    if not isinstance(cwd, str):
        raise TerminalCwdError(f"cwd must be a string path relative to the server root, got {cwd!r}")
    root = os.path.realpath(root_dir)
    candidate = os.path.realpath(os.path.join(root, cwd.lstrip("/")) if not os.path.isabs(cwd)
                                 else cwd)
    if os.path.commonpath([root, candidate]) != root:
        raise TerminalCwdError(f"cwd {cwd!r} is outside the server root directory")
    return candidate if os.path.isdir(candidate) else None


class _NamedTerminals(NamedTermManager):
    """terminado's named manager, telling us about output and ends, never creating on connect."""

    def __init__(self, on_output: Callable[[str], None], on_closed: Callable[[str], None],
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._on_output = on_output
        self._on_closed = on_closed

    def get_terminal(self, url_component: Any = None) -> PtyWithClients:
        # terminado would start a new shell for an unknown name; only POST creates terminals.
        if url_component not in self.terminals:
            raise NoSuchTerminal(url_component)
        return self.terminals[url_component]

    def pre_pty_read_hook(self, ptywclients: PtyWithClients) -> None:
        if ptywclients.term_name is not None:
            self._on_output(ptywclients.term_name)

    def on_eof(self, ptywclients: PtyWithClients) -> None:
        super().on_eof(ptywclients)
        if ptywclients.term_name is not None:
            self._on_closed(ptywclients.term_name)


class TerminalManager(LoggingConfigurable):
    """Starts, lists, culls and ends the server's terminals. Async only.

    Configure as ``TerminalManager.cull_inactive_timeout`` and
    ``TerminalManager.cull_interval``; the shell and terminado's options come from
    ``ServerApp.terminado_settings``.
    """

    cull_inactive_timeout = Integer(
        0,
        help="Timeout (in seconds) after which a terminal with no input or output is culled "
        "(its process ended). 0 or less disables culling.",
    ).tag(config=True)

    cull_interval = Integer(
        300, help="The interval (in seconds) on which to check for terminals past the inactive timeout."
    ).tag(config=True)

    @validate("cull_interval")
    def _validate_cull_interval(self, proposal: Any) -> int:
        value = int(proposal["value"])
        if value <= 0:
            raise TraitError(f"TerminalManager.cull_interval must be a positive number of seconds, got {value}")
        return value

    def __init__(self, *, root_dir: str, terminado_settings: dict[str, Any] | None = None,
                 extra_env: dict[str, str] | None = None,
                 on_activity: Callable[[], None] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._on_activity = on_activity
        self.root_dir = os.path.realpath(root_dir)
        settings = dict(terminado_settings or {})
        unknown = sorted(set(settings) - _TERMINADO_KEYS)
        if unknown:
            self.log.warning("Ignoring unknown ServerApp.terminado_settings keys: %s", ", ".join(unknown))
        shell = settings.get("shell_command") or default_shell_command()
        if isinstance(shell, str):
            shell = _command_line(shell)
        if not isinstance(shell, (list, tuple)) or not shell or not all(isinstance(a, str) for a in shell):
            raise ValueError(f"ServerApp.terminado_settings shell_command must be a command line "
                             f"(a list of strings or a string), got {shell!r}")
        env = dict(extra_env or {})
        env.update(settings.get("extra_env") or {})
        self.max_terminals: int | None = settings.get("max_terminals") or None
        self._last_activity: dict[str, datetime] = {}
        self._terms = _NamedTerminals(
            on_output=self.touch,
            on_closed=self._forget_activity,
            shell_command=list(shell),
            term_settings=dict(settings.get("term_settings") or {}),
            extra_env=env,
            server_url=str(settings.get("server_url") or ""),
        )
        self._culler: asyncio.Task[None] | None = None

    @property
    def terminado(self) -> NamedTermManager:
        """The terminado manager, for terminado's TermSocket."""
        return self._terms

    @property
    def shell_command(self) -> list[str]:
        return list(self._terms.shell_command)

    # -- queries ---------------------------------------------------------------------

    def __contains__(self, name: object) -> bool:
        return name in self._terms.terminals

    def __len__(self) -> int:
        return len(self._terms.terminals)

    def __bool__(self) -> bool:
        # A manager with no terminal running is still a manager (``if settings[...]:``).
        return True

    def touch(self, name: str) -> None:
        """Record activity (input or output) on terminal ``name``."""
        self._last_activity[name] = _now()
        if self._on_activity is not None:
            self._on_activity()

    def _forget_activity(self, name: str) -> None:
        self._last_activity.pop(name, None)

    def _model(self, name: str) -> dict[str, Any]:
        return {"name": name, "last_activity": self._last_activity.get(name) or _now()}

    async def list(self) -> list[dict[str, Any]]:
        """The models of every running terminal, oldest first."""
        return [self._model(name) for name in self._terms.terminals]

    async def get(self, name: str) -> dict[str, Any]:
        """The model of terminal ``name``; :class:`NoSuchTerminal` when none runs."""
        if name not in self._terms.terminals:
            raise NoSuchTerminal(name)
        return self._model(name)

    def pid(self, name: str) -> int:
        """The process id of the shell of terminal ``name``."""
        if name not in self._terms.terminals:
            raise NoSuchTerminal(name)
        return int(self._terms.terminals[name].ptyproc.pid)

    # -- lifecycle -------------------------------------------------------------------

    def create(self, name: str | None = None, cwd: Any = None, **kwargs: Any) -> dict[str, Any]:
        """Start a shell and return its model; an existing ``name`` returns that terminal.

        Synchronous, as jupyter_server 2.x callers use it (starting a pty does not block).
        Other keyword arguments are accepted and ignored.

        Raises :class:`TerminalCwdError` for a ``cwd`` outside the root and
        :class:`TerminalLimitReached` past ``max_terminals``; OSError when the shell
        cannot be started.
        """
        if name is not None and name in self._terms.terminals:
            return self._model(name)
        directory = resolve_cwd(self.root_dir, cwd)
        if directory is None:
            if cwd:
                self.log.warning("Terminal cwd %r is not a directory; starting in the server root", cwd)
            directory = self.root_dir
        if self.max_terminals and len(self._terms.terminals) >= self.max_terminals:
            raise TerminalLimitReached(
                f"Already {self.max_terminals} terminals running (terminado_settings max_terminals)"
            )
        options: dict[str, Any] = {"cwd": directory}
        if name is not None:
            options["name"] = name
        name, _ = self._terms.new_named_terminal(**options)
        assert name is not None
        self.touch(name)
        self.log.info("Started terminal %s in %s", name, directory)
        return self._model(name)

    async def terminate(self, name: str) -> None:
        """End terminal ``name``: its shell is signalled until it exits, and reaped."""
        term = self._terms.terminals.get(name)
        if term is None:
            raise NoSuchTerminal(name)
        await self._end(term)

    async def _end(self, term: PtyWithClients) -> None:
        pid = term.ptyproc.pid
        # terminado signals the shell (HUP, CONT, INT, TERM, then KILL) until it exits.
        if not await term.terminate(force=True):
            self.log.error("Terminal %s (pid %s) did not exit on SIGKILL", term.term_name, pid)
        await kill_process_group(pid)
        # Forget it now rather than when the event loop next reads EOF from the pty: the
        # caller (DELETE, culling, shutdown) must not see it any more, and during shutdown
        # the loop may never get there.
        if term.ptyproc.fd in self._terms.ptys_by_fd:
            term.ptyproc.delayafterclose = 0  # the process is gone: no need to wait in close()
            self._terms.on_eof(term)
            for client in list(term.clients):
                client.on_pty_died()
        self._terms.terminals.pop(term.term_name or "", None)
        self._forget_activity(term.term_name or "")
        self.log.info("Terminal %s ended", term.term_name)

    async def terminate_all(self) -> None:
        """End every terminal."""
        terms = list(self._terms.terminals.values())
        if terms:
            await asyncio.gather(*(self._end(term) for term in terms))

    # -- culling and shutdown --------------------------------------------------------

    def start_culling(self) -> None:
        """Start the periodic check for idle terminals, if a timeout is configured."""
        if self.cull_inactive_timeout <= 0 or self._culler is not None:
            return
        self.log.info("Culling terminals idle for %d s, checking every %d s",
                      self.cull_inactive_timeout, self.cull_interval)
        self._culler = asyncio.ensure_future(self._cull_forever())

    async def _cull_forever(self) -> None:
        while True:
            await asyncio.sleep(self.cull_interval)
            try:
                await self.cull_inactive()
            except Exception:  # noqa: BLE001 - the culler must keep running
                self.log.exception("Culling terminals failed")

    async def cull_inactive(self) -> builtins.list[str]:
        """End every terminal idle for longer than the timeout; returns their names."""
        if self.cull_inactive_timeout <= 0:
            return []
        now = _now()
        idle = [
            name for name in list(self._terms.terminals)
            if (now - self._last_activity.get(name, now)).total_seconds() > self.cull_inactive_timeout
        ]
        for name in idle:
            self.log.warning("Culling terminal %s: inactive for more than %d s", name, self.cull_inactive_timeout)
            term = self._terms.terminals.get(name)
            if term is not None:
                await self._end(term)
        return idle

    async def shutdown(self) -> None:
        """Stop culling, end every terminal and release terminado's I/O thread."""
        if self._culler is not None:
            self._culler.cancel()
            self._culler = None
        await self.terminate_all()
        self._terms.blocking_io_executor.shutdown(wait=False, cancel_futures=True)
