"""Typed contracts between the server and its extensions.

An extension's hooks receive the ServerApp; these protocols name the part of it an
extension may rely on, and the services it reaches through it. They are structural: any
object with these members fits (the gateway managers, a custom ContentsManager, a test
double), and nothing needs to inherit from them. Annotate a hook as
``def _load_jupyter_server_extension(serverapp: ExtensionServer) -> None`` and mypy checks
what the extension uses.

Only what extensions use is listed; the managers have more (see their own docs).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from traitlets.config import Config

    from ._apispec import ApiSpec
    from ._metrics import ServerMetrics
    from ._web import ActivityTracker, ServerWebApplication
    from .events import EventBus

__all__ = ["ContentsService", "ExtensionServer", "IdentityService", "KernelService", "SessionService"]


@runtime_checkable
class ContentsService(Protocol):
    """Files and notebooks by API path (``a/b.ipynb``, relative to ``root_dir``); async."""

    root_dir: str

    async def get(self, path: str, content: bool = True, type: str | None = None,
                  format: str | None = None) -> dict[str, Any]: ...

    async def save(self, model: dict[str, Any], path: str = "") -> dict[str, Any]: ...

    async def new(self, model: dict[str, Any] | None = None, path: str = "") -> dict[str, Any]: ...

    async def delete(self, path: str) -> None: ...

    async def rename(self, old_path: str, new_path: str) -> None: ...

    async def file_exists(self, path: str = "") -> bool: ...

    async def dir_exists(self, path: str) -> bool: ...


@runtime_checkable
class KernelService(Protocol):
    """The running kernels by id; start and shutdown are async."""

    def list_kernel_ids(self) -> list[str]: ...

    def get_kernel(self, kernel_id: str) -> Any: ...

    async def start_kernel(self, *, kernel_name: str | None = None, **kwargs: Any) -> str: ...

    async def shutdown_kernel(self, kernel_id: str, now: bool = False, restart: bool = False) -> None: ...


@runtime_checkable
class SessionService(Protocol):
    """Sessions: a document (path) bound to a kernel; async."""

    async def list_sessions(self) -> list[dict[str, Any]]: ...

    async def get_session(self, **kwargs: Any) -> dict[str, Any]: ...


@runtime_checkable
class IdentityService(Protocol):
    """Who makes a request; ``get_user`` returns None for an anonymous one."""

    def get_user(self, handler: Any) -> Any: ...


class ExtensionServer(Protocol):
    """What an extension's hooks may use on the ``serverapp`` they receive.

    Read-only members: an extension reads them; it adds routes through ``web_app`` and
    OpenAPI fragments through ``api_spec``. ``contents_manager`` is None until the contents
    extension has loaded (it loads before any extension not named ``jupyter_server_*``).
    """

    @property
    def base_url(self) -> str: ...

    @property
    def root_dir(self) -> str: ...

    @property
    def config(self) -> Config: ...

    @property
    def log(self) -> logging.Logger: ...

    @property
    def web_app(self) -> ServerWebApplication | None: ...

    @property
    def api_spec(self) -> ApiSpec: ...

    @property
    def metrics(self) -> ServerMetrics: ...

    @property
    def activity(self) -> ActivityTracker: ...

    @property
    def kernel_manager(self) -> KernelService: ...

    @property
    def kernel_spec_manager(self) -> Any: ...

    @property
    def session_manager(self) -> SessionService: ...

    @property
    def contents_manager(self) -> ContentsService | None: ...

    @property
    def identity_provider(self) -> IdentityService: ...

    @property
    def events(self) -> EventBus: ...

    @property
    def connection_url(self) -> str: ...


if TYPE_CHECKING:
    from ._serverapp import ServerApp

    def _serverapp_fulfils_the_contract(app: ServerApp) -> ExtensionServer:
        return app  # mypy checks here that ServerApp offers every member above
