"""``jupyter_server.services.kernelspecs.handlers``: the URL patterns of ``/api/kernelspecs``.

See ``route_table`` in :mod:`jupyter_server.auth.utils` for what these modules hold.
"""

from __future__ import annotations

from jupyter_server.auth.utils import route_table

__all__ = ["AUTH_RESOURCE", "default_handlers"]

AUTH_RESOURCE = "kernelspecs"

default_handlers = route_table("kernelspecs", prefix="/api/kernelspecs")
