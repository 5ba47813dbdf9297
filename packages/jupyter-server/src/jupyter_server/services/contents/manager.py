"""``jupyter_server.services.contents.manager``: the contents manager base classes.

``validate_nb`` is nbformat's ``validate``, under the name jupyter_server 2.x's module
gives it (code that patches or imports it finds it here).
"""

from __future__ import annotations

from jupyter_server_contents import AsyncContentsManager, ContentsManager
from nbformat import validate as validate_nb

__all__ = ["AsyncContentsManager", "ContentsManager", "validate_nb"]
