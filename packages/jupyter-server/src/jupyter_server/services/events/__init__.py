"""``jupyter_server.services.events``: see its ``handlers`` module."""
