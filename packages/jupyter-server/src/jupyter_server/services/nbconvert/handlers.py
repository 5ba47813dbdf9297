"""``jupyter_server.services.nbconvert.handlers``: the URL patterns of ``/api/nbconvert``.

The handlers themselves are the service wheel's (mounted by the server with their
collaborators); this module describes the routes the way jupyter_server 2.x modules did:
``AUTH_RESOURCE`` names the resource the handlers check, ``default_handlers`` lists
``(URL pattern under base_url, handler)`` pairs, the handler left None because the wheel
mounts its own.
"""

from __future__ import annotations

from typing import Any

from jupyter_server.auth.utils import _urls_of

__all__ = ["AUTH_RESOURCE", "default_handlers"]

AUTH_RESOURCE = "nbconvert"

default_handlers: list[tuple[str, Any]] = [(pattern, None) for pattern in _urls_of("nbconvert", prefix="/api/nbconvert")]
