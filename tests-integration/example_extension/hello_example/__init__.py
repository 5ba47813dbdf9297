"""A page at /hello greeting in the configured words, and a static file under /static/hello/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jupyter_server_core import JupyterHandler
from jupyter_server_extensionapp import ExtensionApp, ExtensionHandlerMixin
from traitlets import Unicode, default


class GreetingHandler(ExtensionHandlerMixin, JupyterHandler):
    def get(self) -> None:
        self.finish(f"{self.config['greeting']} from {self.name}")


class HelloApp(ExtensionApp):
    name = "hello"
    extension_url = "/hello"
    load_other_extensions = True
    greeting = Unicode("Hello", help="The words the /hello page greets with.").tag(config=True)

    @default("static_paths")
    def _static_paths_default(self) -> list[str]:
        return [str(Path(__file__).parent / "static")]

    def initialize_handlers(self) -> None:
        self.handlers.append((r"/hello", GreetingHandler))


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    return [{"module": "hello_example", "app": HelloApp}]


main = HelloApp.launch_instance
