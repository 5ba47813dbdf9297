"""``jupyter_server.kernelspecs``: see its ``handlers`` module."""
