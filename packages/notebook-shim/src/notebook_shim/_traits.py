"""Where each classic notebook setting lives in the Jupyter Server.

One table, read by the runtime shim (``_apply``) and by ``jupyter server migrate``: a
``NotebookApp`` trait either stays with the notebook frontend (the JEP "Standalone Jupyter
server" list), moved to another class (``token`` to ``IdentityProvider``), or kept its name
on ``ServerApp``. Sections other than ``NotebookApp`` that configure server classes
(``MappingKernelManager``, ``FileContentsManager``, ...) keep their spelling; only the file
they live in changes.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

__all__ = [
    "CLASS_RENAMES",
    "SECRET_TRAITS",
    "display_value",
    "MOVED",
    "NOTEBOOK_ONLY",
    "SERVER_SECTIONS",
    "Spelling",
    "rename_class_value",
    "server_spelling",
    "server_spellings_of",
]

Spelling = tuple[str, str]  # (section, trait)

#: NotebookApp traits that stay with the notebook frontend; the server ignores them.
NOTEBOOK_ONLY = frozenset(
    {
        "extra_nbextensions_path",
        "enable_mathjax",
        "max_body_size",
        "max_buffer_size",
        "mathjax_url",
        "get_secure_cookie_kwargs",
        "mathjax_config",
        "ignore_minified_js",
    }
)

#: NotebookApp traits whose server spelling differs from ``ServerApp.<same name>``.
MOVED: dict[str, Spelling] = {
    "notebook_dir": ("ServerApp", "root_dir"),
    "token": ("IdentityProvider", "token"),
    "password": ("PasswordIdentityProvider", "hashed_password"),
    "password_required": ("PasswordIdentityProvider", "password_required"),
    "allow_password_change": ("PasswordIdentityProvider", "allow_password_change"),
    "cookie_options": ("IdentityProvider", "cookie_options"),
    "preferred_dir": ("FileContentsManager", "preferred_dir"),
    "nbserver_extensions": ("ServerApp", "jpserver_extensions"),
    "base_project_url": ("ServerApp", "base_url"),
    "webapp_settings": ("ServerApp", "tornado_settings"),
}

#: Other spellings of the same server setting: if any is set, the server has decided.
_ALIASES: dict[Spelling, list[Spelling]] = {
    ("IdentityProvider", "token"): [("PasswordIdentityProvider", "token"), ("ServerApp", "token")],
    ("PasswordIdentityProvider", "hashed_password"): [("ServerApp", "password")],
    ("PasswordIdentityProvider", "password_required"): [("ServerApp", "password_required")],
    ("PasswordIdentityProvider", "allow_password_change"): [("ServerApp", "allow_password_change")],
    ("IdentityProvider", "cookie_options"): [
        ("PasswordIdentityProvider", "cookie_options"), ("ServerApp", "cookie_options"),
    ],
    ("ServerApp", "root_dir"): [("ServerApp", "notebook_dir")],
    ("FileContentsManager", "preferred_dir"): [
        ("ContentsManager", "preferred_dir"), ("ServerApp", "preferred_dir"),
    ],
}

#: Config sections of a classic config file that configure server classes under the same name.
SERVER_SECTIONS = frozenset(
    {
        "MappingKernelManager", "AsyncMappingKernelManager", "KernelManager", "AsyncKernelManager",
        "KernelRestarter", "KernelSpecManager", "Session", "SessionManager",
        "ContentsManager", "FileContentsManager", "LargeFileManager", "AsyncContentsManager",
        "AsyncFileContentsManager", "AsyncLargeFileManager", "Checkpoints", "FileCheckpoints",
        "GenericFileCheckpoints", "AsyncCheckpoints", "AsyncFileCheckpoints", "NotebookNotary",
        "GatewayClient", "GatewayKernelManager", "GatewayKernelSpecManager", "TerminalManager",
        "ConfigManager",
    }
)  # fmt: skip

#: Classic class paths (values of ``*_class`` traits) and their server equivalents.
CLASS_RENAMES: dict[str, str] = {
    "notebook.services.contents.filemanager.FileContentsManager": "jupyter_server_contents.AsyncFileContentsManager",
    "notebook.services.contents.largefilemanager.LargeFileManager": "jupyter_server_contents.AsyncLargeFileManager",
    "notebook.services.kernels.kernelmanager.MappingKernelManager": "jupyter_server_core.kernels.MappingKernelManager",
    "notebook.services.kernels.kernelmanager.AsyncMappingKernelManager": "jupyter_server_core.kernels.MappingKernelManager",
    "notebook.services.sessions.sessionmanager.SessionManager": "jupyter_server_core.sessions.SessionManager",
    "notebook.services.config.manager.ConfigManager": "jupyter_server_core.config.ConfigManager",
    "notebook.auth.login.LoginHandler": "jupyter_server_core.auth.LoginHandler",
    "notebook.auth.logout.LogoutHandler": "jupyter_server_core.auth.LogoutHandler",
}


#: Traits whose values never appear in a warning or a migration report.
SECRET_TRAITS = frozenset({"token", "password", "hashed_password", "cookie_secret"})


def display_value(trait: str, value: Any) -> str:
    """How a value appears in a message: repr of it, but secrets are never shown."""
    if trait in SECRET_TRAITS:
        return "<hidden>"
    if type(value).__module__.startswith("traitlets"):  # a command-line or lazy value
        value = str(value)
    return repr(value)


@lru_cache(maxsize=1)
def _server_app_traits() -> frozenset[str]:
    from jupyter_server_core import ServerApp

    return frozenset(ServerApp.class_trait_names(config=True))


def server_spelling(section: str, trait: str) -> Spelling | None:
    """The server spelling of a classic ``section.trait``, or None if the server has none.

    ``("NotebookApp", "port")`` → ``("ServerApp", "port")``; ``("NotebookApp", "token")`` →
    ``("IdentityProvider", "token")``; notebook-only traits and unknown names → None; a
    server class section (``MappingKernelManager``) keeps its spelling.
    """
    if section != "NotebookApp":
        return (section, trait) if section in SERVER_SECTIONS else None
    if trait in NOTEBOOK_ONLY:
        return None
    if trait in MOVED:
        return MOVED[trait]
    if trait in _server_app_traits():
        return ("ServerApp", trait)
    return None


def server_spellings_of(target: Spelling) -> list[Spelling]:
    """``target`` and the other server spellings that set the same thing."""
    return [target, *_ALIASES.get(target, [])]


def rename_class_value(value: Any) -> Any:
    """A classic ``notebook.*`` class path becomes its server equivalent; others are kept."""
    if isinstance(value, str):
        return CLASS_RENAMES.get(value, value)
    return value
