"""Private ServerApp methods of jupyter_server 2.x that extension test suites call.

A mixin of ServerApp. The server itself never calls these: it binds with
:meth:`NetworkMixin.bind_sockets` and handles signals in ``_run``. They exist so that
tests written against jupyter_server 2.x (which patch ``http_server`` and call the binding
steps one by one, or poke the Control-C handlers) run unchanged, each doing here what its
name says with our parts.
"""

from __future__ import annotations

import errno
import signal
import socket
from typing import Any

from ._server_traits import ServerTraits

__all__ = ["LegacyMethodsMixin"]

_IN_USE = (errno.EADDRINUSE, 10048)  # 10048: WSAEADDRINUSE
_DENIED = (errno.EACCES, 10013)  # 10013: WSAEACCES


class LegacyMethodsMixin(ServerTraits):
    """``self`` is the ServerApp."""

    # Provided by ServerApp; declared for type checkers.
    log: Any
    http_server: Any
    exit: Any
    request_stop: Any
    running_server_info: Any

    # -- binding, one step at a time -------------------------------------------------

    def _find_http_port(self) -> None:
        """Turn ``port = 0`` into a port that is free now (asked of the OS)."""
        if self.port:
            return
        family = socket.AF_INET6 if ":" in (self.ip or "") else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.bind((self.ip or "", 0))
            self.port = probe.getsockname()[1]

    def _bind_http_server_tcp(self) -> bool:
        """Listen with ``http_server`` on ``port`` or one of the next ``port_retries``
        ports. False (after a warning) when every one is taken or refused; any other
        OSError is raised."""
        first = self.port
        for candidate in range(first, first + self.port_retries + 1):
            try:
                self.http_server.listen(candidate, self.ip)
            except OSError as exc:
                if exc.errno in _IN_USE:
                    self.log.info("Port %i is already in use; trying the next one.", candidate)
                    continue
                if exc.errno in _DENIED:
                    self.log.info("Permission denied to listen on port %i; trying the next one.", candidate)
                    continue
                raise
            self.port = candidate
            return True
        tried = f"port {first}" if not self.port_retries else f"ports {first} to {first + self.port_retries}"
        self.log.warning("Could not listen on %s: already in use or permission denied. "
                         "Choose another --port or raise --port-retries.", tried)
        return False

    def _bind_http_server(self) -> None:
        """Listen on the TCP port (see :meth:`_bind_http_server_tcp`); exit status 1 when
        no port could be had."""
        if not self._bind_http_server_tcp():
            self.exit(1)

    # -- Control-C -------------------------------------------------------------------

    def _handle_sigint(self, sig: Any, frame: Any) -> None:
        """What SIGINT does: stop the server (cleanly, as SIGTERM)."""
        self.request_stop()

    def _restore_sigint_handler(self) -> None:
        """Make SIGINT stop the server again (after something else took it over)."""
        signal.signal(signal.SIGINT, self._handle_sigint)

    def _confirm_exit(self) -> None:
        """Control-C asks nothing here (``answer_yes`` or not): stop."""
        self.request_stop()

    def _signal_info(self, sig: Any, frame: Any) -> None:
        """What SIGINFO (Control-T) shows: the running server's summary."""
        self.log.info("%s", self.running_server_info())
