"""Listening: TCP port with retries or a UNIX socket, TLS, and the URLs to show.

A mixin of ServerApp, apart from its lifecycle code; reads ServerApp's traits.
"""

from __future__ import annotations

import errno
import os
import socket
from typing import Any
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from jupyter_core.paths import jupyter_runtime_dir
from tornado import httpserver
from tornado.netutil import bind_sockets, bind_unix_socket

from ._server_traits import ServerTraits
from ._urls import url_path_join
from ._version import __version__

__all__ = ["NetworkMixin", "ServerStartError"]


class ServerStartError(Exception):
    """The server cannot start as configured; the message says why and what to do."""


class NetworkMixin(ServerTraits):
    """Binding sockets and building URLs for ServerApp (``self`` is the ServerApp)."""

    # Set by ServerApp; declared for type checkers.
    log: Any
    web_app: Any
    http_server: Any
    identity_provider: Any
    runtime_dir_override: str
    _sockets: list[socket.socket]
    file_to_run_url_path: Any  # StartPathsMixin's

    # -- sockets ---------------------------------------------------------------------

    def _ssl_options(self) -> Any:
        if not (self.certfile or self.ssl_options):
            return None
        import ssl

        options = dict(self.ssl_options or {})
        if self.certfile:
            options.setdefault("certfile", self.certfile)
        if self.keyfile:
            options.setdefault("keyfile", self.keyfile)
        if self.client_ca:
            options.setdefault("ca_certs", self.client_ca)
            options.setdefault("cert_reqs", ssl.CERT_REQUIRED)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(options["certfile"], options.get("keyfile"))
        if options.get("ca_certs"):
            context.load_verify_locations(options["ca_certs"])
            context.verify_mode = options.get("cert_reqs", ssl.CERT_REQUIRED)
        return context

    def bind_sockets(self) -> None:
        """Bind the TCP port (with retries) or the UNIX socket; ServerStartError if neither works."""
        assert self.web_app is not None
        try:
            ssl_options = self._ssl_options()
        except (OSError, ValueError) as exc:
            raise ServerStartError(
                f"Could not load the TLS certificate (ServerApp.certfile/keyfile): {exc}"
            ) from None
        self.http_server = httpserver.HTTPServer(
            self.web_app,
            ssl_options=ssl_options,
            xheaders=self.trust_xheaders,
            max_body_size=self.max_body_size,
            max_buffer_size=self.max_buffer_size,
        )
        self._sockets = [self._bind_unix_socket()] if self.sock else self._bind_port()

    def _bind_unix_socket(self) -> socket.socket:
        if os.path.exists(self.sock):
            if _unix_socket_in_use(self.sock):
                raise ServerStartError(
                    f"The UNIX socket {self.sock} is in use by another server; choose another --sock."
                )
            os.unlink(self.sock)  # left behind by a server that did not stop cleanly
        try:
            return bind_unix_socket(self.sock, mode=int(self.sock_mode, 8))
        except OSError as exc:
            raise ServerStartError(f"Cannot listen on the UNIX socket {self.sock}: {exc.strerror or exc}") from None

    def _bind_port(self) -> list[socket.socket]:
        port = self.port
        tries = 1 if port == 0 else self.port_retries + 1
        for attempt in range(tries):
            candidate = port + attempt if port else 0
            try:
                sockets = bind_sockets(candidate, self.ip or None)
            except OSError as exc:
                if exc.errno in (errno.EADDRINUSE, 10048):
                    self.log.info("Port %i is taken; trying the next one.", candidate)
                    continue
                if exc.errno in (errno.EACCES, 10013):
                    self.log.warning("Not allowed to bind port %i; trying the next one.", candidate)
                    continue
                raise ServerStartError(
                    f"Cannot listen on {self.ip or '*'}:{candidate} (ServerApp.ip/port): {exc.strerror or exc}"
                ) from None
            self.port = sockets[0].getsockname()[1]
            return sockets
        raise ServerStartError(
            f"No free port in {port}..{port + tries - 1}: set another --port or raise --port-retries."
        )

    # -- URLs ------------------------------------------------------------------------

    @property
    def secure(self) -> bool:
        return bool(self.certfile or self.ssl_options)

    def _url(self, host: str, path: str = "") -> str:
        if self.sock:
            return "http+unix://" + self.sock.replace("/", "%2F") + self.base_url
        proto = "https" if self.secure else "http"
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        return f"{proto}://{host}:{self.port}{url_path_join(self.base_url, path) if path else self.base_url}"

    def _start_url(self, host: str, reveal_token: bool = False, path: str = "") -> str:
        """``path`` (default: ``default_url`` under ``base_url``) at ``host``, with the
        token: ``...`` in place of one the operator chose, unless ``reveal_token`` (a
        browser is to open it)."""
        token = getattr(self.identity_provider, "token", "")
        if token and not reveal_token and not getattr(self.identity_provider, "token_generated", False):
            token = "..."
        query = "?" + urlencode({"token": token}) if token else ""
        path = path or url_path_join(self.base_url, self.default_url)
        if self.sock:
            return "http+unix://" + quote(self.sock, safe="") + path + query
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        return f"{'https' if self.secure else 'http'}://{host}:{self.port}{path}{query}"

    @property
    def browser_url(self) -> str:
        """The URL a browser opened at start goes to: the default page at a host it can
        reach (``file_to_run`` if one was given), with the real token (it travels through a
        private local file, see ``use_redirect_file``)."""
        path = self.file_to_run_url_path()
        if self.custom_display_url:
            custom = urlsplit(self.custom_display_url)
            url = urlsplit(self._start_url("", True, path))
            return urlunsplit(url._replace(scheme=custom.scheme, netloc=custom.netloc))
        return self._start_url(self._reachable_host(), True, path)


    @property
    def public_url(self) -> str:
        """Where to open the server from elsewhere: the listening address (or
        ``custom_display_url``), the default page and the token."""
        url = self._start_url(self.ip or "localhost")
        if self.custom_display_url and not self.sock:
            custom = urlsplit(self.custom_display_url)
            url = urlunsplit(urlsplit(url)._replace(scheme=custom.scheme, netloc=custom.netloc))
        return url

    @property
    def local_url(self) -> str:
        """Where to open the server from this machine (the loopback address)."""
        return self._start_url("::1" if ":" in (self.ip or "") else "127.0.0.1")

    @property
    def listens_everywhere(self) -> bool:
        """Whether ``ip`` is a wildcard address (every interface): it names no machine a
        browser could connect to, so URLs name this machine's host name instead."""
        return self.ip in ("0.0.0.0", "::")

    def _reachable_host(self) -> str:
        """The host name put in URLs for clients: the address listened on, unless that is a
        wildcard (this machine's host name then) or unset (``localhost``)."""
        if self.listens_everywhere:
            return socket.gethostname()
        return self.ip or "localhost"

    @property
    def connection_url(self) -> str:
        """The server's base URL for clients (no token): what the info file and ``jupyter
        server list`` give."""
        return self._url(self._reachable_host())

    @property
    def display_urls(self) -> list[str]:
        """URLs to show a person: the default URL with the token, at the host a browser can
        reach and at the loopback address."""
        if self.custom_display_url:
            return [self.custom_display_url]
        if self.sock:
            return [self._start_url("")]
        first = self._start_url(self._reachable_host())
        if self.ip not in ("localhost", "", "0.0.0.0", "::"):
            return [first]  # a specific address: the one URL that reaches it
        return [first, self.local_url]

    @property
    def display_url(self) -> str:
        """:attr:`display_urls` as one string, one URL a line (jupyter_server 2.x's name)."""
        return "\n    ".join(self.display_urls)

    @property
    def connect_url(self) -> str:
        """What to paste in a browser to connect: :attr:`display_url`, plus a note when the
        server listens on every interface (any name of the machine then works, not only the
        one shown)."""
        if self.listens_everywhere and not self.sock and not self.custom_display_url:
            return self.display_url + "\n" + _EVERY_INTERFACE_NOTE
        return self.display_url

    def server_info(self) -> dict[str, Any]:
        """What the info file holds: enough for `jupyter server list` and frontends."""
        return {
            "url": self.connection_url,
            "hostname": self.ip if self.ip else "localhost",
            "port": self.port,
            "sock": self.sock,
            "secure": self.secure,
            "base_url": self.base_url,
            "token": getattr(self.identity_provider, "token", ""),
            "root_dir": os.path.abspath(self.root_dir),
            "password": bool(getattr(self.identity_provider, "hashed_password", "")),
            "pid": os.getpid(),
            "version": __version__,
            "kernels_adopted": getattr(getattr(self, "kernel_manager", None), "kernels_adopted", 0),
        }

    @property
    def _runtime_dir(self) -> str:
        return self.runtime_dir_override or str(getattr(self, "runtime_dir", "") or jupyter_runtime_dir())


_EVERY_INTERFACE_NOTE = "Listening on every network interface: this machine's other host names and addresses reach it as well."


def _unix_socket_in_use(path: str) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(path)
        except OSError:
            return False
    return True
