"""RoutingKernelManager: local kernels and the kernels of several gateways, as one manager.

Local kernels are this MappingKernelManager's own; each gateway has a
GatewayMappingKernelManager of its own (child of this one, so ``MappingKernelManager.*``
settings such as culling apply to it too). A kernel's id says where it lives; a new
kernel goes where its kernelspec name says (``<prefix><name>``: that gateway's).
Gateway kernels' models carry our kernelspec name (with the prefix).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from ..kernels import KernelRecord, KernelSpecNotFound, MappingKernelManager
from ..kernels._events import KernelEventCallback
from ._errors import GatewayError
from ._kernels import GatewayMappingKernelManager
from ._router import RemoteGateway
from ._routing_specs import RoutingKernelSpecManager

__all__ = ["RoutingKernelManager"]


class RoutingKernelManager(MappingKernelManager):
    """Routes every kernel action to this server or to the gateway that runs the kernel.

    ``kernel_spec_manager`` must be a :class:`RoutingKernelSpecManager` (the ServerApp
    builds it first). :meth:`connection_route` tells the kernel WebSocket handler which
    manager and connection class serve a kernel.
    """

    routes_kernels = True  # the services loader adds the refreshing handlers for it

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        ksm = self.kernel_spec_manager
        assert isinstance(ksm, RoutingKernelSpecManager), "RoutingKernelManager needs a RoutingKernelSpecManager"
        self.remote_kernels: dict[str, tuple[RemoteGateway, GatewayMappingKernelManager]] = {}
        self.remote_kernels = {
            remote.name: (remote, GatewayMappingKernelManager(
                parent=self, log=self.log, gateway_client=remote.client,
                kernel_spec_manager=ksm.remote_specs[remote.name], root_dir=self.root_dir,
            ))
            for remote in ksm.remotes
        }

    @property
    def routing_specs(self) -> RoutingKernelSpecManager:
        ksm = self.kernel_spec_manager
        assert isinstance(ksm, RoutingKernelSpecManager)
        return ksm

    def _managers(self) -> list[GatewayMappingKernelManager]:
        return [km for _, km in self.remote_kernels.values()]

    def _owner(self, kernel_id: str) -> tuple[RemoteGateway, GatewayMappingKernelManager] | None:
        for remote, km in self.remote_kernels.values():
            if kernel_id in km:
                return remote, km
        return None

    def _share_services(self, km: GatewayMappingKernelManager) -> None:
        # The services loader sets events and activity on this manager after it is built.
        km.events, km.activity = self.events, self.activity

    # -- what the handlers read ----------------------------------------------------------

    def __contains__(self, kernel_id: object) -> bool:
        return super().__contains__(kernel_id) or (  # type: ignore[operator]
            isinstance(kernel_id, str) and self._owner(kernel_id) is not None)

    def __bool__(self) -> bool:
        # traitlets asks ``if self.parent:`` of a child: an empty manager is still a parent.
        return True

    def __len__(self) -> int:
        return super().__len__() + sum(len(km) for km in self._managers())

    def list_kernel_ids(self) -> list[str]:
        return [*super().list_kernel_ids(), *(k for km in self._managers() for k in km.list_kernel_ids())]

    def list_kernels(self) -> list[dict[str, Any]]:
        models = super().list_kernels()
        for remote, km in self.remote_kernels.values():
            models += [self._renamed(remote, m) for m in km.list_kernels()]
        return models

    @staticmethod
    def _renamed(remote: RemoteGateway, model: dict[str, Any]) -> dict[str, Any]:
        return {**model, "name": remote.prefix + str(model.get("name") or "")}

    def kernel_model(self, kernel_id: str) -> dict[str, Any]:
        owner = self._owner(kernel_id)
        if owner is None:
            return super().kernel_model(kernel_id)
        return self._renamed(owner[0], owner[1].kernel_model(kernel_id))

    def kernel_record(self, kernel_id: str) -> KernelRecord:
        owner = self._owner(kernel_id)
        return owner[1].kernel_record(kernel_id) if owner is not None else super().kernel_record(kernel_id)

    def get_kernel(self, kernel_id: str) -> Any:
        owner = self._owner(kernel_id)
        return owner[1].get_kernel(kernel_id) if owner is not None else super().get_kernel(kernel_id)

    def connection_count(self) -> int:
        return super().connection_count() + sum(km.connection_count() for km in self._managers())

    def notify_connect(self, kernel_id: str) -> None:
        owner = self._owner(kernel_id)
        owner[1].notify_connect(kernel_id) if owner is not None else super().notify_connect(kernel_id)

    def notify_disconnect(self, kernel_id: str) -> None:
        owner = self._owner(kernel_id)
        owner[1].notify_disconnect(kernel_id) if owner is not None else super().notify_disconnect(kernel_id)

    def on_kernel_event(self, kernel_id: str | None, callback: KernelEventCallback) -> Callable[[], None]:
        if kernel_id is not None:
            owner = self._owner(kernel_id)
            if owner is not None:
                return owner[1].on_kernel_event(kernel_id, callback)
            return super().on_kernel_event(kernel_id, callback)
        unsubscribes = [super().on_kernel_event(None, callback), *(km.on_kernel_event(None, callback) for km in self._managers())]

        def unsubscribe() -> None:
            for undo in unsubscribes:
                undo()

        return unsubscribe

    def connection_route(self, kernel_id: str, connection_class: type) -> tuple[Any, type]:
        """``(manager, connection class)`` serving the kernel WebSocket of ``kernel_id``."""
        owner = self._owner(kernel_id)
        if owner is None:
            return self, connection_class
        from ._websocket import GatewayWebSocketConnection

        return owner[1], GatewayWebSocketConnection

    # -- refreshing (the REST handlers call these before reading) ------------------------

    async def refresh_kernels(self) -> None:
        """Refresh every gateway's kernels; one that does not answer keeps its last models."""
        managers = self._managers()
        results = await asyncio.gather(*(km.refresh_kernels() for km in managers), return_exceptions=True)
        for (remote, _), result in zip(self.remote_kernels.values(), results, strict=True):
            if isinstance(result, GatewayError):
                self.log.warning("Listing the kernels of the gateway %r with the last known models: %s", remote.name, result)
            elif isinstance(result, BaseException):
                raise result

    async def refresh_kernel(self, kernel_id: str) -> dict[str, Any]:
        """A gateway kernel's model fresh from its gateway (GatewayError if it is away)."""
        owner = self._owner(kernel_id)
        if owner is None:
            return super().kernel_model(kernel_id)
        return self._renamed(owner[0], await owner[1].refresh_kernel(kernel_id))

    # -- lifecycle -----------------------------------------------------------------------

    async def _default_name(self) -> str:
        if self.routing_specs.local_kernels:
            return str(self.default_kernel_name)
        listing = await self.routing_specs.listing()
        if not listing.remote_defaults:
            raise KernelSpecNotFound("No kernel spec given, and no gateway offers a default one")
        return listing.remote_defaults[0]

    async def start_kernel(  # type: ignore[override]
        self,
        *,
        kernel_name: str | None = None,
        kernel_id: str | None = None,
        path: str | None = None,
        env: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> str:
        """Start a kernel where its kernelspec is (see the class docstring)."""
        if kernel_id is not None and kernel_id in self:
            return kernel_id
        name = kernel_name or await self._default_name()
        remote, remote_name = self.routing_specs.route(name)
        if remote is None:
            if not self.routing_specs.local_kernels:
                names = ", ".join(sorted((await self.routing_specs.listing()).specs)) or "none"
                raise KernelSpecNotFound(f"No such kernel spec: {name!r} (available: {names})")
            return await super().start_kernel(kernel_name=name, kernel_id=kernel_id, path=path, env=env, **kwargs)
        km = self.remote_kernels[remote.name][1]
        self._share_services(km)
        return await km.start_kernel(kernel_name=remote_name, kernel_id=kernel_id, path=path, env=env, **kwargs)

    async def shutdown_kernel(self, kernel_id: str, now: bool = False, restart: bool = False) -> None:  # type: ignore[override]
        owner = self._owner(kernel_id)
        if owner is None:
            await super().shutdown_kernel(kernel_id, now=now, restart=restart)
        else:
            await owner[1].shutdown_kernel(kernel_id, now=now, restart=restart)

    async def restart_kernel(self, kernel_id: str, now: bool = False) -> None:  # type: ignore[override]
        owner = self._owner(kernel_id)
        if owner is None:
            await super().restart_kernel(kernel_id, now=now)
        else:
            await owner[1].restart_kernel(kernel_id, now=now)

    async def interrupt_kernel(self, kernel_id: str) -> None:  # type: ignore[override]
        owner = self._owner(kernel_id)
        if owner is None:
            await super().interrupt_kernel(kernel_id)
        else:
            await owner[1].interrupt_kernel(kernel_id)

    async def shutdown_all(self, now: bool = False) -> None:  # type: ignore[override]
        """Shut down the local kernels and those this server started on each gateway."""
        await asyncio.gather(super().shutdown_all(now=now), *(km.shutdown_all(now=now) for km in self._managers()))
