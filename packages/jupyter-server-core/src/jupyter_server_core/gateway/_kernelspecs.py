"""GatewayKernelSpecManager: the kernelspecs of the gateway, as if installed here."""

from __future__ import annotations

import asyncio
import os
import time
from typing import Any
from urllib.parse import urlencode

from jupyter_client.kernelspec import KernelSpec, KernelSpecManager, NoSuchKernel
from traitlets import Float, Instance

from .._urls import url_escape
from ._client import GatewayClient
from ._errors import GatewayError

__all__ = ["GatewayKernelSpecManager"]


class GatewayKernelSpecManager(KernelSpecManager):
    """Kernelspecs listed by the gateway (``GET kernelspecs_endpoint``). Async only.

    ``allowed_kernelspecs`` (KernelSpecManager's trait) filters the gateway's list.
    :meth:`find_kernel_specs` answers from the last listing, for code that needs the
    names synchronously; everything else asks the gateway.
    """

    gateway_client = Instance(GatewayClient, help="The server's GatewayClient (handed in by the ServerApp).")
    listing_max_age = Float(
        2.0, help="Seconds a listing of the gateway's kernelspecs is reused before asking again."
    ).tag(config=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._listing: dict[str, Any] | None = None
        self._listed_at = 0.0
        self._inflight: asyncio.Future[dict[str, Any]] | None = None

    # -- the gateway's listing -----------------------------------------------------------

    async def list_kernel_specs(self) -> dict[str, Any]:
        """``{"default": name, "kernelspecs": {name: model}}`` as the gateway lists them.

        Models keep the gateway's ``resources`` URLs; the REST handler points them here.
        Concurrent callers share one request.
        """
        if self._listing is not None and time.monotonic() - self._listed_at < self.listing_max_age:
            return self._listing
        if self._inflight is None:
            self._inflight = asyncio.ensure_future(self._fetch_listing())
            self._inflight.add_done_callback(self._clear_inflight)
        return await asyncio.shield(self._inflight)

    def _clear_inflight(self, future: asyncio.Future[Any]) -> None:
        self._inflight = None
        if not future.cancelled():
            future.exception()  # retrieved: a failed listing is raised to its callers

    async def _fetch_listing(self) -> dict[str, Any]:
        client = self.gateway_client
        endpoint = client.kernelspecs_endpoint
        user = os.environ.get("KERNEL_USERNAME")
        if user:
            # Enterprise Gateway lists only the kernelspecs this user may start.
            endpoint = f"{endpoint}?{urlencode({'user': user})}"
        model = await client.fetch_json(endpoint)
        if not isinstance(model, dict) or not isinstance(model.get("kernelspecs"), dict):
            raise GatewayError(f"The gateway at {client.url} answered its kernelspecs with an unexpected model", 502)
        specs = {name: spec for name, spec in model["kernelspecs"].items() if self._allowed(name) and isinstance(spec, dict)}
        default = model.get("default")
        if not isinstance(default, str) or default not in specs:
            default = next(iter(sorted(specs)), default if isinstance(default, str) else "")
        self._listing = {"default": default, "kernelspecs": specs}
        self._listed_at = time.monotonic()
        return self._listing

    def _allowed(self, name: str) -> bool:
        return not self.allowed_kernelspecs or name in self.allowed_kernelspecs

    @property
    def default_kernel_name(self) -> str | None:
        """The gateway's default kernel, as last listed (None before the first listing)."""
        return self._listing["default"] if self._listing else None

    # -- KernelSpecManager's interface ---------------------------------------------------

    def find_kernel_specs(self) -> dict[str, str]:
        """Names of the gateway's kernelspecs as last listed (no resource dirs here)."""
        return dict.fromkeys(self._listing["kernelspecs"], "") if self._listing else {}

    async def get_kernel_spec_model(self, kernel_name: str) -> dict[str, Any]:
        """The gateway's model of one kernelspec; NoSuchKernel if it has none by that name."""
        if not self._allowed(kernel_name):
            raise NoSuchKernel(kernel_name)
        client = self.gateway_client
        try:
            model = await client.fetch_json(f"{client.kernelspecs_endpoint}/{url_escape(kernel_name)}")
        except GatewayError as exc:
            if exc.gateway_status == 404:
                raise NoSuchKernel(kernel_name) from None
            raise
        if not isinstance(model, dict) or not isinstance(model.get("spec"), dict):
            raise GatewayError(f"The gateway at {client.url} answered the kernelspec {kernel_name!r} with an unexpected model", 502)
        return model

    async def get_kernel_spec(self, kernel_name: str, *args: Any, **kwargs: Any) -> KernelSpec:  # type: ignore[override]
        """The kernelspec as a KernelSpec (its resource_dir is empty: resources are remote)."""
        model = await self.get_kernel_spec_model(kernel_name)
        spec = dict(model["spec"])
        spec.setdefault("argv", [])
        spec.setdefault("display_name", kernel_name)
        return KernelSpec(resource_dir="", **{k: v for k, v in spec.items() if k in KernelSpec.class_trait_names()})

    async def get_all_specs(self) -> dict[str, Any]:  # type: ignore[override]
        """``{name: {"resource_dir": "", "spec": {...}}}`` of the gateway's kernelspecs."""
        listing = await self.list_kernel_specs()
        return {name: {"resource_dir": "", "spec": model.get("spec", {})} for name, model in listing["kernelspecs"].items()}

    async def get_kernel_spec_resource(self, kernel_name: str, path: str) -> tuple[bytes, str] | None:
        """A resource file of a kernelspec (a logo...): ``(body, content type)``, None if absent."""
        if any(part in ("", ".", "..") for part in path.split("/")):
            return None  # only files of the kernelspec's own directory
        client = self.gateway_client
        try:
            response = await client.fetch(f"{client.kernelspecs_resource_endpoint}/{url_escape(kernel_name)}/{url_escape(path)}")
        except GatewayError as exc:
            if exc.gateway_status == 404:
                return None
            raise
        return response.body, response.headers.get("Content-Type", "application/octet-stream")

    def remove_kernel_spec(self, name: str) -> str:
        raise NotImplementedError("Kernelspecs of a gateway are managed on the gateway")

    def install_kernel_spec(self, *args: Any, **kwargs: Any) -> str:
        raise NotImplementedError("Kernelspecs of a gateway are managed on the gateway")
