"""``jupyter_server.services.kernels.connection``: kernel WebSocket connections (names of
jupyter_server 2.x)."""
