"""``jupyter_server._tz``: timezone-aware UTC datetimes, as models carry them."""

from __future__ import annotations

from datetime import datetime, timezone

__all__ = ["UTC", "isoformat", "utc_aware", "utcfromtimestamp", "utcnow"]

UTC = timezone.utc


def utcnow() -> datetime:
    """Now, in UTC, with its timezone set."""
    return datetime.now(timezone.utc)


def utcfromtimestamp(timestamp: float) -> datetime:
    """A POSIX timestamp as an aware UTC datetime."""
    return datetime.fromtimestamp(timestamp, timezone.utc)


def utc_aware(dt: datetime) -> datetime:
    """``dt`` with UTC as its timezone when it has none."""
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=timezone.utc)


def isoformat(dt: datetime) -> str:
    """ISO 8601 in UTC with a ``Z`` suffix: ``2024-01-02T03:04:05.000006Z``."""
    return utc_aware(dt).astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
