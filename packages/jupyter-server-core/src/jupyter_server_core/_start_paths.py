"""Where the server serves from: ``root_dir``, ``preferred_dir`` and ``file_to_run``.

A mixin of ServerApp. ``jupyter server PATH`` takes one positional argument: a folder becomes
``root_dir``, a file becomes ``file_to_run`` (opened in the browser at start). The deprecated
``notebook_dir`` sets ``root_dir`` only while nothing set that explicitly (the notebook shim
forwards it late, after the command line). ``preferred_dir`` must lie inside ``root_dir``.
"""

from __future__ import annotations

import os
from typing import Any

from traitlets import observe
from traitlets.config import Config

from ._server_traits import ServerTraits
from ._urls import url_escape, url_path_join

__all__ = ["StartPathsMixin"]


def is_inside(path: str, folder: str) -> bool:
    """Whether the OS path ``path`` is ``folder`` or lies below it (both made absolute)."""
    path, folder = os.path.abspath(path), os.path.abspath(folder)
    try:
        return os.path.commonpath([path, folder]) == folder
    except ValueError:  # different drives (Windows)
        return False


class StartPathsMixin(ServerTraits):
    """``self`` is the ServerApp."""

    # Provided by ServerApp's Application bases; declared for type checkers.
    log: Any
    extra_args: list[str]
    exit: Any
    update_config: Any

    #: Whether root_dir was given (argument, config, command line), not defaulted to the
    #: working directory; jupyter_server 2.x's name.
    _root_dir_set = False
    _forwarding_notebook_dir = False

    @observe("root_dir")
    def _note_root_dir_set(self, change: Any) -> None:
        if not self._forwarding_notebook_dir:
            self._root_dir_set = True

    @observe("notebook_dir")
    def _forward_notebook_dir(self, change: Any) -> None:
        if not change["new"] or self._root_dir_set:
            return  # root_dir, the current spelling, was given and wins
        self.log.warning("ServerApp.notebook_dir is deprecated, use ServerApp.root_dir")
        self._forwarding_notebook_dir = True
        try:
            self.root_dir = change["new"]
        finally:
            self._forwarding_notebook_dir = False

    def apply_path_argument(self) -> None:
        """Read the positional argument (a folder or a file) into root_dir or file_to_run."""
        if not self.extra_args:
            return
        target = os.path.abspath(os.path.expanduser(self.extra_args[0]))
        config = Config()
        if os.path.isdir(target):
            config.ServerApp.root_dir = target
        elif os.path.isfile(target):
            config.ServerApp.file_to_run = target
        else:
            self.log.critical("No such file or folder: %s", target)
            self.exit(1)
        self.update_config(config)

    def _resolve_file_to_run_and_root_dir(self) -> str:
        """``file_to_run`` as a path relative to ``root_dir`` (what the browser opens).

        A relative ``file_to_run`` is already one. An absolute one must lie inside an
        explicitly set root_dir (else the server exits with an error); with root_dir left
        to its default, root_dir becomes the file's folder.
        """
        path = self.file_to_run
        if not os.path.isabs(path):
            return os.path.normpath(path)
        if not self._root_dir_set:
            self.root_dir = os.path.dirname(path)
            return os.path.basename(path)
        if not is_inside(path, self.root_dir):
            self.log.critical("The file to open, %s, is not inside root_dir %s: serve a folder that holds it.",
                              path, self.root_dir)
            self.exit(1)
        return os.path.relpath(path, self.root_dir)

    def check_start_paths(self) -> None:
        """Once config is loaded: resolve ``file_to_run``; ``preferred_dir`` inside root_dir
        (the server exits with one line otherwise)."""
        if self.file_to_run:
            self.file_to_run_path = self._resolve_file_to_run_and_root_dir()
        if self.preferred_dir and not is_inside(self.preferred_dir, self.root_dir):
            self.log.critical("ServerApp.preferred_dir %s is not inside root_dir %s", self.preferred_dir, self.root_dir)
            self.exit(1)

    #: file_to_run relative to root_dir, once resolved.
    file_to_run_path = ""

    def file_to_run_url_path(self) -> str:
        """The URL path that opens ``file_to_run`` (under ``file_url_prefix``), or ""."""
        if not self.file_to_run_path:
            return ""
        api_path = self.file_to_run_path.replace(os.sep, "/")
        return url_path_join(self.base_url, self.file_url_prefix, url_escape(api_path))
