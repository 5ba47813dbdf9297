"""Token renewal: operators whose gateway tokens expire plug in a renewer."""

from __future__ import annotations

from typing import Any

from traitlets.config import LoggingConfigurable

__all__ = ["GatewayTokenRenewerBase", "NoOpTokenRenewer"]


class GatewayTokenRenewerBase(LoggingConfigurable):
    """Called before every gateway request; returns the token to send.

    Subclass it and name the subclass in ``GatewayClient.gateway_token_renewer_class`` to
    fetch a fresh token (from a file a sidecar refreshes, a vault...) when the old one
    expires. :meth:`get_token` runs on the event loop: keep it quick (cache the token).
    """

    def get_token(self, auth_header_key: str, auth_scheme: str | None, auth_token: str, **kwargs: Any) -> str:
        """The token to send (``auth_token`` is the current one). Subclasses must override it."""
        raise NotImplementedError(f"{type(self).__name__}.get_token")


class NoOpTokenRenewer(GatewayTokenRenewerBase):
    """The default: the configured ``GatewayClient.auth_token``, unchanged."""

    def get_token(self, auth_header_key: str, auth_scheme: str | None, auth_token: str, **kwargs: Any) -> str:
        return auth_token
