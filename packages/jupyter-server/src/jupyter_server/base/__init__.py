"""``jupyter_server.base``: the handler base classes of jupyter_server 2.x, on our core."""
