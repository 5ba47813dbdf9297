"""Loading the contents service into a server: manager, routes, spec, events."""

from __future__ import annotations

import os
from typing import Any, Protocol

from jupyter_server_core.contracts import ContentsService, ExtensionServer
from traitlets import TraitError
from traitlets.utils.importstring import import_item

from ._handlers import contents_routes
from ._manager import ContentsManager
from ._spec import CONTENTS_PATHS, CONTENTS_SCHEMAS

__all__ = ["load_contents", "stop_contents"]

CONTENTS_SCHEMA_ID = "https://events.jupyter.org/jupyter_server/contents_service/v1"


class ContentsHost(ExtensionServer, Protocol):
    """The ServerApp as this extension uses it: the contract, the traits it reads and the
    manager it sets."""

    contents_manager_class: type | str
    preferred_dir: str
    contents_manager: ContentsService | None


def build_contents_manager(serverapp: ContentsHost) -> Any:
    """An instance of ``ServerApp.contents_manager_class`` configured from the server's config.

    A preferred_dir that names no folder under root_dir stops the server with one line: a
    frontend would otherwise open on an error.
    """
    cls = serverapp.contents_manager_class
    if isinstance(cls, str):
        cls = import_item(cls)
    try:
        manager = cls(parent=serverapp, log=serverapp.log)
        legacy_preferred = serverapp.preferred_dir
        if legacy_preferred and not manager.preferred_dir:
            # ServerApp.preferred_dir (deprecated, checked inside root_dir by the server) is
            # an OS path; the manager's is an API path.
            relative = os.path.relpath(os.path.abspath(legacy_preferred), manager.root_dir)
            manager.preferred_dir = "" if relative == "." else relative.replace(os.sep, "/")
    except TraitError as exc:
        serverapp.log.critical("%s", exc)
        raise SystemExit(1) from None
    # The deprecated ServerApp.preferred_dir follows the manager's, as an OS path.
    manager.observe(lambda change: _follow_preferred_dir(serverapp, manager, change["new"]), "preferred_dir")
    return manager


def _follow_preferred_dir(serverapp: ContentsHost, manager: Any, api_path: str) -> None:
    serverapp.preferred_dir = os.path.join(manager.root_dir, *api_path.split("/")) if api_path else manager.root_dir


def load_contents(serverapp: ContentsHost) -> None:
    """Set ``serverapp.contents_manager`` and add /api/contents, /files/ and their spec."""
    manager = build_contents_manager(serverapp)
    serverapp.contents_manager = manager
    assert serverapp.web_app is not None, "extensions load once the web app exists"
    serverapp.web_app.settings["contents_manager"] = manager
    events = serverapp.events
    manager.emit_event = lambda data: events.emit(CONTENTS_SCHEMA_ID, data)
    serverapp.web_app.add_handlers(".*$", contents_routes(serverapp.base_url, manager))
    serverapp.api_spec.add(CONTENTS_PATHS, CONTENTS_SCHEMAS)
    info = getattr(manager, "info_string", None)
    serverapp.log.info(info() if callable(info) else f"Contents served by {type(manager).__name__}")


def stop_contents(serverapp: ContentsHost) -> None:
    manager = serverapp.contents_manager
    if isinstance(manager, ContentsManager):
        manager.close()
