"""``jupyter_server.services.kernels.connection``: what relays a kernel WebSocket to a kernel."""
