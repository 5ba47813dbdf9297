"""``jupyter_server.terminal.terminalmanager``: the terminal manager (the terminals wheel's)."""

from __future__ import annotations

from jupyter_server_terminals import NoSuchTerminal, TerminalManager

__all__ = ["NoSuchTerminal", "TerminalManager"]
