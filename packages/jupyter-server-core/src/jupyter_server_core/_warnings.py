"""Warnings the server gives extension authors."""

from __future__ import annotations

__all__ = ["JupyterServerAuthWarning"]


class JupyterServerAuthWarning(RuntimeWarning):
    """An extension handler serves without any authentication check.

    Given once per handler class when an extension registers it; the server then applies
    its own check (see ``ServerApp.allow_unauthenticated_access``).
    """
