"""The conversion core, without a server: formats, real conversions, bad notebooks."""

from __future__ import annotations

import io
import json
import zipfile

import nbformat
import pytest
from jupyter_server_nbconvert import Converter, NotebookError, UnknownFormat, notebook_from_model


@pytest.fixture
async def converter():
    c = Converter()
    yield c
    c.shutdown()


async def test_formats_with_mimetypes(converter):
    formats = await converter.formats()
    assert formats["html"] == {"output_mimetype": "text/html"}
    assert formats["markdown"] == {"output_mimetype": "text/markdown"}
    assert formats["python"] == {"output_mimetype": "text/x-python"}
    assert formats["notebook"] == {"output_mimetype": "application/json"}
    assert formats["script"] == {"output_mimetype": ""}


async def test_html(converter, notebook):
    result = await converter.convert("html", notebook(), name="report")
    assert result.content_type == "text/html; charset=utf-8"
    assert result.filename == "report.html"
    html = result.body.decode()
    assert "<title>report</title>" in html
    assert "Hello from a notebook" in html and "print" in html


async def test_script_uses_the_language(converter, notebook):
    result = await converter.convert("script", notebook(), name="analysis")
    assert result.filename == "analysis.py"
    assert result.content_type == "text/x-python; charset=utf-8"
    assert "print(6 * 7)" in result.body.decode()


async def test_markdown(converter, notebook):
    result = await converter.convert("markdown", notebook(), name="n")
    assert result.content_type == "text/markdown; charset=utf-8"
    text = result.body.decode()
    assert "# Hello from a notebook" in text and "print(6 * 7)" in text


async def test_markdown_with_images_is_a_zip(converter, notebook):
    result = await converter.convert("markdown", notebook(with_image=True), name="fig")
    assert (result.content_type, result.filename) == ("application/zip", "fig.zip")
    with zipfile.ZipFile(io.BytesIO(result.body)) as archive:
        names = archive.namelist()
        assert "fig.md" in names
        images = [n for n in names if n.endswith(".png")]
        assert len(images) == 1
        assert images[0] in archive.read("fig.md").decode()


async def test_unknown_format(converter, notebook):
    with pytest.raises(UnknownFormat, match="'nope'.*html"):
        await converter.convert("nope", notebook(), name="x")


def test_notebook_from_model_upgrades_and_validates(notebook):
    nb = notebook_from_model(json.loads(nbformat.writes(notebook())))
    assert nb.nbformat == 4 and len(nb.cells) == 2
    v3 = {"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": [
        {"cell_type": "markdown", "source": "old", "metadata": {}}]}]}
    assert notebook_from_model(v3).cells[0].source == "old"


@pytest.mark.parametrize("content", [
    None, [1], "text", {"cells": 5}, {"nbformat": 4},
    {"cells": [{"cell_type": "code", "source": 5}], "metadata": {}, "nbformat": 4, "nbformat_minor": 4},
])
def test_bad_notebooks_raise_notebook_error(content):
    with pytest.raises(NotebookError, match="notebook"):
        notebook_from_model(content)


async def test_a_disabled_exporter_is_unknown(notebook):
    from traitlets.config import Config

    converter = Converter(Config({"MarkdownExporter": {"enabled": False}}))
    try:
        assert "markdown" not in await converter.formats()
        with pytest.raises(UnknownFormat):
            await converter.convert("markdown", notebook(), name="x")
    finally:
        converter.shutdown()
