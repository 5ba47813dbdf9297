"""``jupyter_server.services.kernelspecs``: see its ``handlers`` module."""
