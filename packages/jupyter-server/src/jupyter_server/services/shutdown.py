"""``jupyter_server.services.shutdown``: the URL patterns of ``/api/shutdown``.

See ``route_table`` in :mod:`jupyter_server.auth.utils` for what these modules hold.
"""

from __future__ import annotations

from jupyter_server.auth.utils import route_table

__all__ = ["AUTH_RESOURCE", "default_handlers"]

AUTH_RESOURCE = "server"

default_handlers = route_table("server")
