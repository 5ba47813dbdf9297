"""``jupyter_server.base.call_context``: values local to one request's task.

``CallContext.set(name, value)`` stores a value visible to the current asyncio task (and the
tasks it starts afterwards) only; concurrent requests each see their own. Every ``set``
replaces the task's mapping with a copy, so a child task never changes what its parent sees.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

__all__ = ["CallContext"]

_values: ContextVar[dict[str, Any] | None] = ContextVar("jupyter_server_call_context", default=None)


class CallContext:
    """Named values scoped to the current execution context."""

    #: The name under which a handler may store itself for the code it calls.
    JUPYTER_HANDLER: str = "JupyterHandler"

    @classmethod
    def get(cls, name: str, default: Any = None) -> Any:
        """The value stored under ``name`` in this context, else ``default``."""
        return (_values.get() or {}).get(name, default)

    @classmethod
    def set(cls, name: str, value: Any) -> None:
        """Store ``value`` under ``name`` for this context and the tasks it starts later."""
        _values.set({**(_values.get() or {}), name: value})

    @classmethod
    def context_variable_names(cls) -> list[str]:
        """The names set in this context."""
        return list(_values.get() or {})
