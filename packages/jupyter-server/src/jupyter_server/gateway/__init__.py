"""``jupyter_server.gateway``: the gateway client (remote kernels) under jupyter_server 2.x's names.

The gateway code is the core's (``jupyter_server_core.gateway``); these modules give it the
module paths and the few extra methods jupyter_server 2.x's users call. See docs/gateway.md.
"""
