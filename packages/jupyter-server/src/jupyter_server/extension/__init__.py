"""``jupyter_server.extension``: ExtensionApp, its handler mixins and the extension CLI names."""
