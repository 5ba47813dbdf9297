"""RoutingKernelSpecManager: the local kernelspecs and every gateway's, under one list.

A gateway's kernelspec ``python3`` is listed as ``<prefix>python3`` (``gpu-python3``);
its display name says which gateway it is on. A gateway that does not answer is left
out of the listing (with a warning in the log); the rest is listed as usual.
"""

from __future__ import annotations

import asyncio
from typing import Any

from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from traitlets import Instance

from ._errors import GatewayError
from ._kernelspecs import GatewayKernelSpecManager
from ._router import KernelRouter, RemoteGateway

__all__ = ["RoutingKernelSpecManager", "SpecListing"]


class SpecListing:
    """One merged listing: models by our names, where each comes from, what failed."""

    def __init__(self) -> None:
        #: name -> (the gateway, or None for a local kernelspec; the model with ``spec``, ``resources``)
        self.specs: dict[str, tuple[RemoteGateway | None, dict[str, Any]]] = {}
        #: gateway name -> the error that kept its kernelspecs out
        self.unavailable: dict[str, str] = {}
        #: the gateways' own defaults, in configuration order, as our names
        self.remote_defaults: list[str] = []


class RoutingKernelSpecManager(KernelSpecManager):
    """Local kernelspecs (KernelSpecManager's own, unless ``KernelRouter.local_kernels`` is
    off) plus each gateway's under its prefix.

    The synchronous KernelSpecManager methods (``find_kernel_specs``, ``get_kernel_spec``)
    answer for local kernelspecs, as jupyter_client's kernel launching needs; gateway
    kernelspecs are read with the async :meth:`listing` and :meth:`spec_model`.
    """

    kernel_router = Instance(KernelRouter, help="The server's KernelRouter (handed in by the ServerApp).")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.remotes: list[RemoteGateway] = self.kernel_router.build_remotes(self.log)
        self.remote_specs: dict[str, GatewayKernelSpecManager] = {
            r.name: GatewayKernelSpecManager(gateway_client=r.client, log=self.log) for r in self.remotes
        }

    @property
    def local_kernels(self) -> bool:
        return bool(self.kernel_router.local_kernels)

    def route(self, kernel_name: str) -> tuple[RemoteGateway | None, str]:
        """``(gateway, its name for the kernelspec)``; ``(None, name)`` for a local one."""
        for remote in self.remotes:
            remote_name = remote.remote_name(kernel_name)
            if remote_name is not None:
                return remote, remote_name
        return None, kernel_name

    # -- local kernelspecs (jupyter_client's launching reads these) ----------------------

    def find_kernel_specs(self) -> dict[str, str]:
        if not self.local_kernels:
            return {}
        # A local kernelspec whose name looks like a gateway's would be ambiguous: hidden.
        return {name: path for name, path in super().find_kernel_specs().items() if self.route(name)[0] is None}

    def get_kernel_spec(self, kernel_name: str) -> Any:
        if not self.local_kernels or self.route(kernel_name)[0] is not None:
            raise NoSuchKernel(kernel_name)
        return super().get_kernel_spec(kernel_name)

    # -- everything, gateways included ---------------------------------------------------

    async def listing(self) -> SpecListing:
        """Every kernelspec we offer: the local ones, then each reachable gateway's."""
        result = SpecListing()
        for name in sorted(self.find_kernel_specs()):
            try:
                spec = self.get_kernel_spec(name)
            except Exception as exc:  # noqa: BLE001 - one broken kernel.json must not hide the others
                self.log.warning("Skipping the kernel spec %r: %s", name, exc)
                continue
            result.specs[name] = (None, {"spec": spec, "resources": None})
        answers = await asyncio.gather(
            *(self.remote_specs[r.name].list_kernel_specs() for r in self.remotes), return_exceptions=True,
        )
        for remote, answer in zip(self.remotes, answers, strict=True):
            if isinstance(answer, BaseException):
                if not isinstance(answer, GatewayError):
                    raise answer
                self.log.warning("The kernelspecs of the gateway %r are unavailable: %s", remote.name, answer)
                result.unavailable[remote.name] = str(answer)
                continue
            if answer.get("default"):
                result.remote_defaults.append(remote.prefix + str(answer["default"]))
            for name, model in sorted(answer["kernelspecs"].items()):
                result.specs[remote.prefix + name] = (remote, self.renamed(remote, model))
        return result

    def renamed(self, remote: RemoteGateway, model: dict[str, Any]) -> dict[str, Any]:
        """A gateway's kernelspec model with its display name marked with the gateway."""
        spec = dict(model.get("spec") or {})
        spec["display_name"] = remote.display_name(str(spec.get("display_name") or model.get("name") or ""))
        return {**model, "spec": spec}

    async def spec_model(self, kernel_name: str) -> tuple[RemoteGateway | None, dict[str, Any]]:
        """One kernelspec: ``(gateway or None, {"spec", "resources"})``; NoSuchKernel if none.

        Raises GatewayError when its gateway does not answer.
        """
        remote, remote_name = self.route(kernel_name)
        if remote is None:
            return None, {"spec": self.get_kernel_spec(kernel_name), "resources": None}
        model = await self.remote_specs[remote.name].get_kernel_spec_model(remote_name)
        return remote, self.renamed(remote, model)
