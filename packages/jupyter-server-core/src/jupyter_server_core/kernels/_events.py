"""Kernel lifecycle events: who wants to hear that a kernel restarted, died or stopped."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable
from typing import Any

__all__ = ["KernelEventCallback", "KernelEvents"]

#: ``callback(kernel_id, event)``; may return an awaitable, which is scheduled.
KernelEventCallback = Callable[[str, str], Any]


class KernelEvents:
    """Subscribers by kernel id (``None``: every kernel); the manager fires, they listen."""

    def __init__(self, log: logging.Logger | logging.LoggerAdapter[Any]) -> None:
        self.log = log
        self._subscribers: dict[str | None, list[KernelEventCallback]] = {}

    def subscribe(self, kernel_id: str | None, callback: KernelEventCallback) -> Callable[[], None]:
        """Add ``callback``; return the function that removes it."""
        self._subscribers.setdefault(kernel_id, []).append(callback)

        def unsubscribe() -> None:
            callbacks = self._subscribers.get(kernel_id, [])
            if callback in callbacks:
                callbacks.remove(callback)

        return unsubscribe

    def fire(self, kernel_id: str, event: str) -> None:
        """Call the kernel's subscribers, then everyone's; a failing callback is logged."""
        for callback in [*self._subscribers.get(kernel_id, []), *self._subscribers.get(None, [])]:
            try:
                result = callback(kernel_id, event)
                if inspect.isawaitable(result):
                    asyncio.ensure_future(result)
            except Exception:
                self.log.exception("Kernel %s: %r callback for %r failed", kernel_id, callback, event)

    def forget(self, kernel_id: str) -> None:
        """Drop the subscriptions to a kernel that is gone."""
        self._subscribers.pop(kernel_id, None)
