"""``jupyter server extension``: list, enable, disable."""

from __future__ import annotations

from jupyter_core.application import JupyterApp

from ._confd import resolve_enabled_extensions

__all__ = ["ServerExtensionApp"]


class ListExtensionsApp(JupyterApp):
    name = "jupyter server extension list"
    description = "List server extensions, whether they are enabled, and what decided it."

    def start(self) -> None:
        for name, decision in sorted(resolve_enabled_extensions().items()):
            state = "enabled" if decision.enabled else "disabled"
            print(f"    {name} {state}  ({decision.decided_by})")


class ServerExtensionApp(JupyterApp):
    name = "jupyter server extension"
    description = "Work with Jupyter server extensions"
    subcommands = {
        "list": (ListExtensionsApp, ListExtensionsApp.description),
    }

    def start(self) -> None:
        super().start()
        if self.subapp is None:
            self.print_help()
