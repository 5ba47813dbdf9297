"""``jupyter_server.prometheus``: the server's Prometheus metrics."""
