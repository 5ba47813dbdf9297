"""Serving: start listening, the startup banner, signals, idle shutdown, clean stop.

A mixin of ServerApp apart from its configuration code. ``_start_serving`` and
``_stop_serving`` are what tests drive in their own event loop; ``_run`` is the whole life
of ``jupyter server`` between the banner and SIGINT/SIGTERM.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path
from typing import Any
from urllib.parse import urljoin
from urllib.request import pathname2url

from ._network import NetworkMixin, ServerStartError
from ._serverinfo import (
    browser_open_file_path,
    info_file_path,
    remove_info_file,
    write_browser_open_file,
    write_info_file,
)
from ._version import __version__

__all__ = ["RunningMixin"]


class RunningMixin(NetworkMixin):
    """The running server's lifecycle for ServerApp (``self`` is the ServerApp)."""

    # Set by ServerApp.initialize; declared for type checkers.
    extension_manager: Any
    kernel_manager: Any
    activity: Any
    _stopping: asyncio.Event
    _io_loop: Any = None

    @property
    def io_loop(self) -> Any:
        """tornado's IOLoop that runs (or will run) the server.

        jupyter_server 2.x extensions schedule work on it when they load, before the server
        runs (``serverapp.io_loop.call_later(0, ...)``): asked for then, it is a new event
        loop that :meth:`_run_forever` runs; asked for inside a running loop (tests), it is
        that loop's.
        """
        if self._io_loop is None:
            from tornado.ioloop import IOLoop

            try:
                asyncio.get_running_loop()
            except RuntimeError:
                asyncio.set_event_loop(asyncio.new_event_loop())
            self._io_loop = IOLoop.current()
        return self._io_loop

    def _run_forever(self) -> None:
        """Serve until stopped, on the loop extensions were handed as ``io_loop`` if any."""
        if self._io_loop is None:
            asyncio.run(self._run())
            return
        loop = self._io_loop.asyncio_loop
        try:
            loop.run_until_complete(self._run())
        finally:
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            asyncio.set_event_loop(None)
            loop.close()

    # -- running ---------------------------------------------------------------------

    async def _start_serving(self) -> None:
        """Start listening, write the info file, start extensions."""
        assert self.http_server is not None
        await self._adopt_kernels()
        self.http_server.add_sockets(self._sockets)
        self.write_server_info_file()
        self._stopping = asyncio.Event()
        await self._post_start()

    def start_app(self) -> None:
        """Serve on a web application someone else listens for (``initialize(...,
        new_httpserver=False)``, as pytest-jupyter does): write the info file and start the
        extensions, without running an event loop. :meth:`_cleanup` undoes it."""
        self.write_server_info_file()
        self._stopping = asyncio.Event()
        _run_soon_or_now(self._post_start())

    async def _post_start(self) -> None:
        """Once listening: the browser-open file, the banner, the extensions' start hooks,
        the idle watcher and the browser."""
        if not self.no_browser_open_file:
            self.write_browser_open_file()
        self.log_banner()
        if getattr(self, "extension_manager", None) is not None:  # None: no initialize() ran
            await self.extension_manager.start_all()
        self.init_shutdown_no_activity()
        if self.open_browser:
            from ._browser import launch_browser

            launch_browser(self)

    # -- the files in the runtime directory ------------------------------------------

    @property
    def info_file(self) -> str:
        """The server info file (``jpserver-<pid>.json``) that ``jupyter server list`` reads."""
        return str(info_file_path(self._runtime_dir))

    @property
    def browser_open_file(self) -> str:
        """The local page (``jpserver-<pid>-open.html``) that redirects a browser to the server."""
        return str(browser_open_file_path(self._runtime_dir))

    def write_server_info_file(self) -> None:
        """Write the info file (owner-readable only: it holds the token)."""
        write_info_file(self.server_info(), self._runtime_dir)

    def remove_server_info_file(self) -> None:
        """Remove the info file and the browser-open file; fine if they are gone already."""
        remove_info_file(self._runtime_dir)

    def write_browser_open_file(self) -> Path:
        """Write the page that sends a browser to :attr:`browser_url`; return its path."""
        return write_browser_open_file(self.browser_url, self._runtime_dir)

    def running_server_info(self, kernel_count: bool = True) -> str:
        """A short text on the running server: kernels running (when ``kernel_count``) and
        where it serves from."""
        lines = []
        if kernel_count and getattr(self, "kernel_manager", None) is not None:
            count = len(self.kernel_manager.list_kernel_ids())
            lines.append(f"{count} active kernel{'s' if count != 1 else ''}")
        lines.append(f"Jupyter Server {__version__} serves {self.root_dir} at:")
        lines.append(self.display_url)
        return "\n".join(lines)

    async def _cleanup(self) -> None:
        """Stop what :meth:`start_app` (or ``initialize``) started; safe on an app that never
        initialized."""
        if getattr(self, "extension_manager", None) is None:
            return
        await self._stop_serving()

    async def _adopt_kernels(self) -> None:
        """Kernel persistence: take over the kernels an earlier server left, before serving."""
        adopt = getattr(self.kernel_manager, "adopt_kernels", None)
        if adopt is None:
            return
        from .kernels._store import StoreLocked

        try:
            await adopt()
        except StoreLocked as exc:
            raise ServerStartError(f"Cannot adopt kernels: {exc}") from None

    def log_banner(self) -> None:
        """Say where to connect. At CRITICAL level, so that a quiet ``--log-level`` still
        shows it: without these lines nobody can reach the server."""
        lines = [f"Jupyter Server {__version__} is running. Connect at:", f"    {self.connect_url}"]
        if os.path.exists(self.browser_open_file):
            lines.append(f"or open {urljoin('file:', pathname2url(self.browser_open_file))} in a browser.")
        self.log.critical("\n".join(lines))
        self.log.info("Use Control-C to stop this server and shut down all kernels.")

    def init_shutdown_no_activity(self) -> None:
        """Start watching for idleness when ``shutdown_no_activity_timeout`` is set."""
        if self.shutdown_no_activity_timeout > 0 and getattr(self, "_idle_task", None) is None:
            self.log.info("The server stops after %d seconds without activity.", self.shutdown_no_activity_timeout)
            self._idle_task = asyncio.ensure_future(self._watch_idle())

    def shutdown_no_activity(self) -> bool:
        """Stop the server if it has been idle (no kernels, no busy extension, no request)
        for longer than ``shutdown_no_activity_timeout``; True when it asked to stop."""
        timeout = self.shutdown_no_activity_timeout
        if timeout <= 0:
            return False
        busy = len(self.kernel_manager.list_kernel_ids()) + sum(self.extension_manager.activity_counts())
        if busy or time.time() - self.activity.last_activity() <= timeout:
            return False
        self.log.info("No activity for %d seconds: shutting down the server.", timeout)
        self.request_stop()
        return True

    async def _watch_idle(self) -> None:
        timeout = self.shutdown_no_activity_timeout
        while True:
            if self.shutdown_no_activity():
                return
            await asyncio.sleep(min(60, max(1, timeout / 4)))

    def request_stop(self) -> None:
        """Ask the running server to stop, as SIGTERM does."""
        event = getattr(self, "_stopping", None)
        if event is not None:
            event.set()

    async def _stop_serving(self) -> None:
        """Stop extensions in reverse order, shut down kernels, close sockets, remove the info file."""
        if self.http_server is not None:
            self.http_server.stop()
        try:
            await self.extension_manager.stop_all()
        finally:
            if getattr(self, "kernel_manager", None) is not None:
                await self.kernel_manager.shutdown_all()
            if self.http_server is not None:
                await self.http_server.close_all_connections()
            self.remove_server_info_file()
            if self.sock and os.path.exists(self.sock):  # noqa: ASYNC240 - one stat at shutdown
                os.unlink(self.sock)
            idle = getattr(self, "_idle_task", None)
            if idle is not None:
                idle.cancel()

    async def _run(self) -> None:
        await self._start_serving()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, self._on_signal, sig)
            except (NotImplementedError, RuntimeError):
                pass
        await self._stopping.wait()
        self.log.info("Shutting down the server: stopping extensions and %d kernel(s).",
                      len(self.kernel_manager.list_kernel_ids()) if self.kernel_manager else 0)
        await self._stop_serving()

    def _on_signal(self, sig: int) -> None:
        self.log.info("Received %s", signal.Signals(sig).name)
        self.request_stop()


def _run_soon_or_now(coro: Any) -> None:
    """Run ``coro`` as a task of the running loop, or to its end on the current one."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        from tornado.ioloop import IOLoop

        IOLoop.current().asyncio_loop.run_until_complete(coro)  # type: ignore[attr-defined]
        return
    loop.create_task(coro)
