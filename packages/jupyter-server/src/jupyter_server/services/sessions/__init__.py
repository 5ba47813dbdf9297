"""``jupyter_server.services.sessions``: the session manager (the core's)."""
