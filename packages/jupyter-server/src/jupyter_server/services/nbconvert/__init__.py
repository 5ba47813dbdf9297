"""``jupyter_server.services.nbconvert``: see its ``handlers`` module."""
