"""``jupyter_server.terminal``: terminals, now the jupyter-server-terminals wheel.

Kept as an import path for code written against jupyter_server 1.x/2.x; the classes are the
terminals wheel's own (``/api/terminals``, ``/terminals/websocket/<name>``).
"""

from __future__ import annotations

from jupyter_server_terminals import TerminalManager

__all__ = ["TerminalManager"]
