"""Sessions: which kernel serves which document."""

from ._manager import SessionManager

__all__ = ["SessionManager"]
