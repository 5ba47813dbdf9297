"""Adds the core services' routes: kernels, kernelspecs, sessions (issue 3 fills this)."""

from __future__ import annotations

from typing import Any

__all__ = ["load_core_services"]


def load_core_services(serverapp: Any) -> None:
    """Add the kernels, kernelspecs and sessions routes to ``serverapp.web_app``."""
