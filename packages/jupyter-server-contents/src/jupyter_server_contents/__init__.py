"""jupyter-server-contents: files and notebooks for the Jupyter Server, as an extension.

Installing the wheel enables it (conf.d manifest). On load it builds
``ServerApp.contents_manager_class`` (default :class:`AsyncLargeFileManager`), sets
``serverapp.contents_manager`` and serves ``/api/contents``, ``/files/`` and ``/view/``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._checkpoints import AsyncCheckpoints, AsyncFileCheckpoints, Checkpoints, FileCheckpoints
from ._compat import FileManagerCompatMixin
from ._filemanager import AsyncFileContentsManager, FileContentsManager
from ._files_handler import FilesHandler
from ._handlers import contents_routes
from ._largefile import AsyncLargeFileManager, LargeFileManager
from ._manager import AsyncContentsManager, ContentsManager
from ._view import ViewHandler

#: jupyter_server's names of the file-helper mixins (see _compat.py).
FileManagerMixin = AsyncFileManagerMixin = FileManagerCompatMixin

if TYPE_CHECKING:
    from ._extension import ContentsHost

__all__ = [
    "AsyncFileManagerMixin",
    "FileManagerMixin",
    "AsyncCheckpoints",
    "AsyncContentsManager",
    "AsyncFileCheckpoints",
    "AsyncFileContentsManager",
    "AsyncLargeFileManager",
    "Checkpoints",
    "ContentsManager",
    "FileCheckpoints",
    "FileContentsManager",
    "FilesHandler",
    "LargeFileManager",
    "ViewHandler",
    "contents_routes",
]


def _jupyter_server_config_classes() -> list[type]:
    """Listed by ``jupyter server --help-all`` and ``--generate-config``."""
    return [AsyncLargeFileManager, AsyncFileCheckpoints]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "jupyter_server_contents"}]


def _load_jupyter_server_extension(serverapp: ContentsHost) -> None:
    """Build the contents manager and add /api/contents, /files/ and their OpenAPI spec."""
    from ._extension import load_contents

    load_contents(serverapp)


async def _stop_jupyter_server_extension(serverapp: ContentsHost) -> None:
    from ._extension import stop_contents

    stop_contents(serverapp)
