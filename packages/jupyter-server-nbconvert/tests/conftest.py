"""Fixtures for the nbconvert tests: contents + nbconvert enabled, notebooks on disk."""

from __future__ import annotations

import base64
import os
import sys
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest

# A 1x1 PNG, as a kernel would send it in a display_data output.
PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)).decode()


@pytest.fixture(autouse=True)
def nbconvert_templates(jp_environ: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """Let nbconvert find its templates: the isolated Jupyter paths hide the environment's."""
    monkeypatch.setenv("JUPYTER_PATH", os.path.join(sys.prefix, "share", "jupyter"))


@pytest.fixture
def jp_extensions() -> dict[str, bool]:
    return {"jupyter_server_contents": True, "jupyter_server_nbconvert": True}


def make_notebook(with_image: bool = False) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python", "file_extension": ".py", "mimetype": "text/x-python"}
    nb.cells.append(nbformat.v4.new_markdown_cell("# Hello from a notebook"))
    nb.cells.append(nbformat.v4.new_code_cell(
        "print(6 * 7)", execution_count=1,
        outputs=[nbformat.v4.new_output("stream", name="stdout", text="42\n")],
    ))
    if with_image:
        nb.cells.append(nbformat.v4.new_code_cell(
            "plot()", execution_count=2,
            outputs=[nbformat.v4.new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"})],
        ))
    return nb


@pytest.fixture
def notebook() -> Callable[..., nbformat.NotebookNode]:
    return make_notebook


@pytest.fixture
def write_notebook(jp_root_dir: Path) -> Callable[..., str]:
    """``write_notebook("sub/a.ipynb", with_image=False)``: saved under the root; returns the path."""

    def write(path: str = "nb.ipynb", with_image: bool = False) -> str:
        target = jp_root_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(make_notebook(with_image), str(target))
        return path

    return write
