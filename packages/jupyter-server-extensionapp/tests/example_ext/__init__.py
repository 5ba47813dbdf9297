"""An example extension app: `jupyter example` (see docs/extension-author-guide.md)."""

from ._app import ExampleApp


def _jupyter_server_extension_points():
    return [{"module": "example_ext", "app": ExampleApp}]


# The console script `jupyter-example = "example_ext:main"` makes `jupyter example` work.
main = launch_new_instance = ExampleApp.launch_instance
