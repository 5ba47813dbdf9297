"""``jupyter_server.services.kernels``: the kernel manager of the server (the core's)."""
