"""``jupyter_server.services.api``: see its ``handlers`` module."""
