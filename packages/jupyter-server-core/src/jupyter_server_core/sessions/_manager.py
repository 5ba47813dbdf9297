"""Placeholder session manager; replaced by the sessions work (issue 3)."""

from __future__ import annotations

from typing import Any

from traitlets import Any as AnyTrait
from traitlets.config import LoggingConfigurable


class SessionManager(LoggingConfigurable):
    kernel_manager: Any = AnyTrait()
