"""The app: its name, where its pages, templates and static files are, and its config."""

from pathlib import Path

from jupyter_server_extensionapp import ExtensionApp, ExtensionAppJinjaMixin
from traitlets import Unicode

from ._handlers import GreetingHandler, PageHandler

HERE = Path(__file__).parent


class ExampleApp(ExtensionAppJinjaMixin, ExtensionApp):
    """Says hello, in a page and through an API."""

    name = "example"
    description = "An example Jupyter server extension application."
    extension_url = "/example"  # `jupyter example` opens the browser here
    load_other_extensions = True
    static_paths = [str(HERE / "static")]
    template_paths = [str(HERE / "templates")]

    # Set in jupyter_example_config.py (c.ExampleApp.greeting = "Bonjour") or on the
    # command line (jupyter example --ExampleApp.greeting=Bonjour).
    greeting = Unicode("Hello", help="What the page and the API say.").tag(config=True)

    def initialize_handlers(self):
        self.handlers.extend([
            (r"/example/?", PageHandler),
            (r"/example/api/greeting", GreetingHandler),
        ])
