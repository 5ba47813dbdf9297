"""``jupyter_server.nbconvert``: see its ``handlers`` module."""
