"""A page rendered from a template, and a JSON API."""

from jupyter_server_core import APIHandler, JupyterHandler
from jupyter_server_extensionapp import ExtensionHandlerJinjaMixin, ExtensionHandlerMixin


class PageHandler(ExtensionHandlerJinjaMixin, ExtensionHandlerMixin, JupyterHandler):
    def get(self):
        self.finish(self.render_template("page.html", greeting=self.config["greeting"]))


class GreetingHandler(ExtensionHandlerMixin, APIHandler):
    def get(self):
        who = self.get_argument("who", "world")
        self.write_json({"greeting": f"{self.config['greeting']}, {who}!", "extension": self.name})
