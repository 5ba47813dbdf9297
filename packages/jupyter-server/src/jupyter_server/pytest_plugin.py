"""``jupyter_server.pytest_plugin``: the fixtures extension test suites load by this name.

Most fixtures (``jp_serverapp``, ``jp_fetch``, ``jp_ws_fetch``, ...) are pytest-jupyter's
server plugin, loaded from here; the few below are the ones jupyter_server 2.x added on top.
Their sample values are part of the contract: tests compare against them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from jupyter_server.services.contents.filemanager import AsyncFileContentsManager
from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager

pytest_plugins = ["pytest_jupyter.jupyter_server"]

# What each sample kernelspec folder holds next to its kernel.json.
some_resource = "The very model of a modern major general"
# A kernelspec whose "kernel" only prints its connection file.
sample_kernel_json: dict[str, Any] = {"argv": ["cat", "{connection_file}"], "display_name": "Test kernel"}

_SAMPLE_SPECS = {"sample": None, "sample2": None, "bad": ["non_existent_path"]}


@pytest.fixture
def jp_kernelspecs(jp_data_dir: Path) -> None:
    """Three kernelspecs in the test's data folder: ``sample``, ``sample2`` and ``bad``
    (whose command does not exist), each with a ``resource.txt``."""
    for name, argv in _SAMPLE_SPECS.items():
        folder = jp_data_dir / "kernels" / name
        folder.mkdir(parents=True)
        spec = dict(sample_kernel_json, argv=argv) if argv else dict(sample_kernel_json)
        (folder / "kernel.json").write_text(json.dumps(spec))
        (folder / "resource.txt").write_text(some_resource)


@pytest.fixture(params=[True, False])
def jp_contents_manager(request: Any, tmp_path: Path) -> AsyncFileContentsManager:
    """An async file contents manager on the test's folder, with and without atomic writes."""
    return AsyncFileContentsManager(root_dir=str(tmp_path), use_atomic_writing=request.param)


@pytest.fixture
def jp_large_contents_manager(tmp_path: Path) -> AsyncLargeFileManager:
    """An async large-file contents manager (chunked uploads) on the test's folder."""
    return AsyncLargeFileManager(root_dir=str(tmp_path))
