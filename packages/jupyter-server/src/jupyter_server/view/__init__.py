"""``jupyter_server.view``: see its ``handlers`` module."""
