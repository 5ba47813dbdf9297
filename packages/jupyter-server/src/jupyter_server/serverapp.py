"""``jupyter_server.serverapp``: the server application, its command-line aliases and flags.

``ServerApp`` is the core's class itself (not a copy): ``jupyter server``, ``jupyter lab``
and JupyterHub's single-user server all run it. ``aliases`` and ``flags`` are the very
dictionaries the ServerApp parses its command line with, so an extension that adds to them
in place (``flags["core-mode"] = ...``, as JupyterLab does) adds to the server's options.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator
from typing import Any

import jupyter_server_core
from jupyter_server_core import (
    ListApp,
    PasswordApp,
    ServerApp,
    StopApp,
    list_running_servers,
    main,
    pid_alive,
    stop_server,
)

__all__ = [
    "JUPYTER_SERVICE_HANDLERS",
    "JupyterPasswordApp",
    "JupyterServerListApp",
    "JupyterServerStopApp",
    "ServerApp",
    "ServerWebApplication",
    "aliases",
    "flags",
    "list_running_servers",
    "main",
    "random_ports",
    "shutdown_server",
]

#: ``jupyter server list``, ``stop`` and ``password`` under their jupyter_server 2.x names.
JupyterServerListApp = ListApp
JupyterServerStopApp = StopApp
JupyterPasswordApp = PasswordApp


class ServerWebApplication(jupyter_server_core.ServerWebApplication):
    """The server's tornado Application (the core's), also buildable the jupyter_server
    2.x way: ``ServerWebApplication(jupyter_app, default_services, kernel_manager,
    contents_manager, session_manager, kernel_spec_manager, config_manager, event_logger,
    extra_services, log, base_url, default_url, settings_overrides, jinja_env_options)``.

    Built that way it shares the running server's context and settings (plus
    ``settings_overrides``) and starts without routes: the server and its extensions
    mount handlers with their collaborators, never from a list of service names.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if (args and isinstance(args[0], jupyter_server_core.ServerContext)) or "context" in kwargs:
            super().__init__(*args, **kwargs)
            return
        names = ("jupyter_app", "default_services", "kernel_manager", "contents_manager", "session_manager",
                 "kernel_spec_manager", "config_manager", "event_logger", "extra_services", "log", "base_url",
                 "default_url", "settings_overrides", "jinja_env_options")
        given = {**dict(zip(names, args, strict=False)), **kwargs}
        app = given["jupyter_app"]
        settings = dict(app.web_app.settings) if app.web_app is not None else {}
        settings.update(given.get("settings_overrides") or {})
        super().__init__(app.context, [], **settings)

    def init_handlers(self, default_services: Any, settings: Any) -> list[tuple[str, Any]]:
        """The routes this application serves now, as ``(pattern, handler class)``."""
        return [(rule.matcher.regex.pattern, rule.target) for group in self.default_router.rules
                for rule in getattr(group.target, "rules", [])]


def _has_tornado_web_authenticated(method: Any) -> bool:
    """Whether ``method`` is the wrapper ``tornado.web.authenticated`` put around a handler
    method (an ``@authorized`` wrapper on top hides it, as it should be underneath)."""
    code = getattr(method, "__code__", None)
    if code is None or not hasattr(method, "__wrapped__"):
        return False
    qualname = getattr(code, "co_qualname", code.co_name)
    return bool(qualname.startswith("authenticated.")) and code.co_filename.replace(os.sep, "/").endswith("tornado/web.py")


def random_ports(port: int, n: int) -> Iterator[int]:
    """``n`` ports to try: ``port`` and the next few, then random ones around it."""
    for i in range(min(5, n)):
        yield port + i
    for _ in range(n - 5):
        yield max(1, port + random.randint(-2 * n, 2 * n))


def shutdown_server(server_info: dict[str, Any], timeout: float = 5, log: Any = None) -> bool:
    """Stop the server described by ``server_info`` (an info-file dict); True once it is gone.

    It gets SIGTERM (a clean stop: kernels shut down, info file removed) and ``timeout``
    seconds; a server still alive then gets SIGKILL.
    """
    pid = int(server_info["pid"])
    if log is not None:
        log.debug("Asking server %s to stop", pid)
    stop_server(server_info)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return True
        time.sleep(0.1)
    if hasattr(os, "kill"):
        import signal

        os.kill(pid, getattr(signal, "SIGKILL", signal.SIGTERM))
    return not pid_alive(pid)

# Each service of jupyter_server 2.x and the modules whose ``default_handlers`` (URL pattern,
# handler) and ``AUTH_RESOURCE`` describe it; test suites map URLs to auth resources with it.
JUPYTER_SERVICE_HANDLERS: dict[str, list[str] | None] = {
    "auth": None,
    "api": ["jupyter_server.services.api.handlers"],
    "config": ["jupyter_server.services.config.handlers"],
    "contents": ["jupyter_server.services.contents.handlers"],
    "files": ["jupyter_server.files.handlers"],
    "kernels": ["jupyter_server.services.kernels.handlers"],
    "kernelspecs": ["jupyter_server.kernelspecs.handlers", "jupyter_server.services.kernelspecs.handlers"],
    "nbconvert": ["jupyter_server.nbconvert.handlers", "jupyter_server.services.nbconvert.handlers"],
    "security": ["jupyter_server.services.security.handlers"],
    "sessions": ["jupyter_server.services.sessions.handlers"],
    "shutdown": ["jupyter_server.services.shutdown"],
    "view": ["jupyter_server.view.handlers"],
    "events": ["jupyter_server.services.events.handlers"],
}

aliases: dict[str, Any] = ServerApp.aliases
flags: dict[str, Any] = ServerApp.flags
