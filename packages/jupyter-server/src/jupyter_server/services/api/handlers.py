"""``jupyter_server.services.api.handlers``: the URL patterns of ``/api``, ``/api/spec.yaml``, ``/api/status``, ``/api/me``.

See ``route_table`` in :mod:`jupyter_server.auth.utils` for what these modules hold.
"""

from __future__ import annotations

from jupyter_server.auth.utils import route_table

__all__ = ["AUTH_RESOURCE", "default_handlers"]

AUTH_RESOURCE = "api"

default_handlers = route_table("api")
