"""Placeholder kernel manager; replaced by the kernels work (issue 3)."""

from __future__ import annotations

from jupyter_client.multikernelmanager import AsyncMultiKernelManager
from traitlets import Unicode
from traitlets.config import LoggingConfigurable


class MappingKernelManager(AsyncMultiKernelManager):
    root_dir = Unicode(help="The root directory kernels start in.").tag(config=True)

    def connection_count(self) -> int:
        return 0


class ZMQChannelsWebsocketConnection(LoggingConfigurable):
    pass
