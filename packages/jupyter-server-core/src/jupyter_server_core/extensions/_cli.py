"""``jupyter server extension``: list, enable, disable, install and explain.

``enable``/``disable`` write ``<NAME>.json`` in the chosen level's
``jupyter_server_config.d`` (``--sys-prefix`` by default, ``--user``, ``--system``),
rewriting that same file when it exists. Errors are one line on stderr and exit status 1.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.util
import sys
from collections.abc import Iterable
from typing import Any

from jupyter_core.application import JupyterApp, base_flags
from traitlets import Bool

from ._levels import SYS_PREFIX, SYSTEM, USER, ManifestError
from ._manager import CORE
from ._report import explain_lines, list_lines, resolve_for_cli, validate_extension
from ._write import find_shipped_manifest, set_enabled, write_manifest

__all__ = [
    "BaseExtensionApp",
    "DisableServerExtensionApp",
    "EnableServerExtensionApp",
    "ExplainServerExtensionApp",
    "InstallServerExtensionApp",
    "ListServerExtensionsApp",
    "ServerExtensionApp",
]


class CLIError(Exception):
    """A user error: printed as one line, exit status 1."""


_COMMAND = "jupyter server extension"

_level_flags: dict[str, Any] = {
    "user": ({"BaseExtensionApp": {"user": True, "sys_prefix": False}}, "Write to the user's config folder (jupyter --config-dir)."),
    "sys-prefix": ({"BaseExtensionApp": {"user": False, "sys_prefix": True}}, "Write to this environment's config folder (sys.prefix/etc/jupyter); the default."),
    "system": ({"BaseExtensionApp": {"user": False, "sys_prefix": False}}, "Write to the system-wide config folder."),
    "py": ({"BaseExtensionApp": {"python": True}}, "NAME is a Python package (accepted for compatibility; always the case)."),
    "python": ({"BaseExtensionApp": {"python": True}}, "Same as --py."),
}


class BaseExtensionApp(JupyterApp):
    """What every extension subcommand shares: the level flags and one-line errors."""

    flags = {**base_flags, **_level_flags}
    user = Bool(False, help="Apply the operation to the user's config folder.").tag(config=True)
    sys_prefix = Bool(True, help="Apply the operation to the environment's config folder (the default).").tag(config=True)
    python = Bool(False, help="NAME is a Python package (always the case; kept for compatibility).").tag(config=True)

    @property
    def level_kind(self) -> str:
        return USER if self.user else SYS_PREFIX if self.sys_prefix else SYSTEM

    def run(self) -> None:  # pragma: no cover - every subcommand overrides it
        raise NotImplementedError

    def start(self) -> None:
        try:
            self.run()
        except (CLIError, ManifestError) as exc:
            print(f"Error: {exc}", file=sys.stderr)
            self.exit(1)

    def one_name(self, what: str) -> str:
        if len(self.extra_args) != 1:
            raise CLIError(f"give exactly one extension package name: jupyter server extension {what} NAME")
        return str(self.extra_args[0])


class ListServerExtensionsApp(BaseExtensionApp):
    name = f"{_COMMAND} list"
    description = "List server extensions: enabled or not, valid or not, and what decided it."

    def run(self) -> None:
        resolved = resolve_for_cli()
        print("\n".join(list_lines(resolved)))
        if resolved.problems:
            for problem in resolved.problems:
                print(f"Error: {problem} (ignored by the server)", file=sys.stderr)
            self.exit(1)


class ExplainServerExtensionApp(BaseExtensionApp):
    name = f"{_COMMAND} explain"
    description = "Show every file at every level that mentions NAME and how its state was decided."

    def run(self) -> None:
        name = self.one_name("explain")
        resolved = resolve_for_cli()
        print("\n".join(explain_lines(name, resolved)))
        for problem in resolved.problems:
            print(f"Warning: {problem} (ignored by the server)", file=sys.stderr)


class _ToggleApp(BaseExtensionApp):
    enable: bool = True
    force = Bool(False, help="Disable jupyter_server_core (kernels and sessions off) or a name nothing installs.").tag(config=True)

    def run(self) -> None:
        verb = "enable" if self.enable else "disable"
        name = self.one_name(verb)
        known = resolve_for_cli().decisions
        if self.enable:
            ok, detail = validate_extension(name)
            if not ok:
                raise CLIError(f"cannot enable {name}: {detail}{_did_you_mean(name, known)}")
        elif not self.force and name not in known and importlib.util.find_spec(name.split(".")[0]) is None:
            # A name neither installed nor mentioned anywhere is most likely a typo.
            raise CLIError(f"no extension {name} is installed or configured{_did_you_mean(name, known)}; "
                           "--force writes the manifest anyway")
        if name == CORE and not self.enable and not self.force:
            raise CLIError(f"disabling {CORE} turns off kernels, kernelspecs and sessions; add --force to do it anyway")
        path = set_enabled(name, self.enable, self.level_kind)
        print(f"{verb.capitalize()}d {name} at the {self.level_kind} level: wrote {path}")
        decision = resolve_for_cli().decisions.get(name)
        if decision is not None and decision.enabled != self.enable:
            state = "enabled" if decision.enabled else "disabled"
            print(f"Note: {name} stays {state}, decided by {decision.decided_by} ({decision.reason}).")
            print(f"      Run `jupyter server extension explain {name}` for every file involved.")


def _did_you_mean(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {close[0]}?)" if close else ""


class EnableServerExtensionApp(_ToggleApp):
    name = f"{_COMMAND} enable"
    description = "Enable a server extension: write NAME.json in a level's jupyter_server_config.d."
    enable = True


class DisableServerExtensionApp(_ToggleApp):
    name = f"{_COMMAND} disable"
    description = "Disable a server extension: write NAME.json in a level's jupyter_server_config.d."
    enable = False
    flags = {**BaseExtensionApp.flags, "force": ({"DisableServerExtensionApp": {"force": True}}, "Disable even jupyter_server_core, or a name that is not installed.")}


class InstallServerExtensionApp(BaseExtensionApp):
    name = f"{_COMMAND} install"
    description = "Place the manifest of a Python package (a development install) at a level."

    def run(self) -> None:
        name = self.one_name("install --py")
        ok, detail = validate_extension(name)
        if not ok:
            raise CLIError(f"cannot install {name}: {detail}")
        source = find_shipped_manifest(importlib.import_module(name))
        path = write_manifest(name, self.level_kind, source)
        origin = f" (copied from {source})" if source else ""
        print(f"Installed the manifest of {name} at the {self.level_kind} level: {path}{origin}")


class ServerExtensionApp(BaseExtensionApp):
    name = _COMMAND
    description = "List, enable, disable and explain server extensions."
    examples = """
    jupyter server extension list
    jupyter server extension enable my_extension --user
    jupyter server extension disable my_extension        # --sys-prefix is the default
    jupyter server extension install --py my_extension   # a development install
    jupyter server extension explain my_extension
    """
    subcommands = {
        "list": (ListServerExtensionsApp, ListServerExtensionsApp.description),
        "enable": (EnableServerExtensionApp, EnableServerExtensionApp.description),
        "disable": (DisableServerExtensionApp, DisableServerExtensionApp.description),
        "install": (InstallServerExtensionApp, InstallServerExtensionApp.description),
        "explain": (ExplainServerExtensionApp, ExplainServerExtensionApp.description),
    }

    def start(self) -> None:
        if self.subapp is not None:
            # jupyter_core's way: the subcommand runs, then NoStart tells launch_instance()
            # not to close the event loop, which a caller in Python (a test) may still use.
            JupyterApp.start(self)
            return
        self.print_help()
        print(f"Error: give a subcommand: {', '.join(self.subcommands)}", file=sys.stderr)
        self.exit(1)
