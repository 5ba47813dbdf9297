"""The conversion core: nbconvert's exporters, run off the event loop.

:class:`Converter` lists the export formats and converts notebooks with a fresh exporter
per request, in its own small thread pool, so a long conversion never blocks the server.
A conversion that writes extra files (the images of a Markdown export) comes back as a
zip archive holding the document and those files.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from jupyter_core.paths import jupyter_config_dir
from traitlets.config import Config

if TYPE_CHECKING:
    import nbformat

__all__ = ["Conversion", "Converter", "NotebookError", "UnknownFormat", "notebook_from_model"]


class UnknownFormat(LookupError):
    """No exporter of that name."""

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(name)
        self.name, self.known = name, known

    def __str__(self) -> str:
        return f"Unknown export format {self.name!r}: use one of {', '.join(self.known)}"


class NotebookError(ValueError):
    """The given content is not a valid notebook."""


@dataclass
class Conversion:
    """A converted document, ready to send."""

    body: bytes
    content_type: str
    filename: str


def notebook_from_model(content: Any) -> nbformat.NotebookNode:
    """A validated v4 notebook from the ``content`` of a posted notebook model.

    Older nbformat versions are upgraded. Raises :class:`NotebookError` saying what is wrong.
    """
    import nbformat  # about a second of jsonschema format checkers: only when converting

    if not isinstance(content, dict):
        raise NotebookError("The body must be a notebook model: {\"content\": {\"cells\": [...], ...}}")
    try:
        nb: nbformat.NotebookNode = nbformat.reads(json.dumps(content), as_version=4)  # type: ignore[no-untyped-call]
        nbformat.validate(nb)
    except nbformat.ValidationError as exc:
        raise NotebookError(f"Not a valid notebook: {exc.message}") from None
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise NotebookError(f"Not a valid notebook: {type(exc).__name__}: {exc}") from None
    return nb


class Converter:
    """nbconvert's exporters for the server. Async only; the work runs in a thread pool.

    ``config`` is the server's config, so ``HTMLExporter.*`` and friends apply as they do
    for the ``jupyter nbconvert`` command.
    """

    def __init__(self, config: Config | None = None, max_workers: int = 2) -> None:
        self.config = config if config is not None else Config()
        self._executor = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="nbconvert")
        self._formats: dict[str, dict[str, str]] | None = None

    async def _run(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    # -- formats ---------------------------------------------------------------------

    def _list_formats(self) -> dict[str, dict[str, str]]:
        from nbconvert.exporters import ExporterNameError, get_export_names, get_exporter

        formats: dict[str, dict[str, str]] = {}
        for name in get_export_names(config=self.config):  # type: ignore[no-untyped-call]
            try:
                exporter = get_exporter(name, config=self.config)  # type: ignore[no-untyped-call]
            except (ExporterNameError, ImportError, ValueError):
                continue  # an entry point whose package is broken: not offered
            formats[name] = {"output_mimetype": str(getattr(exporter, "output_mimetype", "") or "")}
        return formats

    async def formats(self) -> dict[str, dict[str, str]]:
        """``{name: {"output_mimetype": ...}}`` for every export format, as /api/nbconvert shows."""
        if self._formats is None:
            self._formats = await self._run(self._list_formats)
        return dict(self._formats)

    def _exporter_class(self, name: str) -> Any:
        from nbconvert.exporters import ExporterDisabledError, ExporterNameError, get_exporter

        try:
            return get_exporter(name, config=self.config)  # type: ignore[no-untyped-call]
        except (ExporterNameError, ExporterDisabledError):
            return None

    async def check_format(self, name: str) -> None:
        """Raise :class:`UnknownFormat` unless ``name`` is an enabled export format."""
        if await self._run(self._exporter_class, name) is None:
            raise UnknownFormat(name, sorted(await self.formats()))

    # -- conversion ------------------------------------------------------------------

    def _convert(self, fmt: str, nb: nbformat.NotebookNode, name: str, directory: str,
                 modified: datetime | None) -> Conversion:
        exporter = self._exporter_class(fmt)(config=self.config)
        metadata: dict[str, Any] = {"name": name, "path": directory}
        if modified is not None:
            metadata["modified_date"] = modified.strftime("%B %d, %Y")
        output, resources = exporter.from_notebook_node(
            nb, resources={"metadata": metadata, "config_dir": jupyter_config_dir()}
        )
        extension = str(resources.get("output_extension") or "")
        filename = name + extension
        outputs: dict[str, bytes] = resources.get("outputs") or {}
        if outputs:
            return Conversion(_zip(filename, output, outputs), "application/zip", name + ".zip")
        mimetype = str(exporter.output_mimetype or "text/plain")
        if isinstance(output, str):
            return Conversion(output.encode("utf-8"), f"{mimetype}; charset=utf-8", filename)
        return Conversion(bytes(output), mimetype, filename)

    async def convert(self, fmt: str, nb: nbformat.NotebookNode, *, name: str, directory: str = "",
                      modified: datetime | None = None) -> Conversion:
        """Convert ``nb`` (named ``name``, without extension) to ``fmt``, in a worker thread.

        ``directory`` is where relative resources (images linked from Markdown) are found.
        Raises :class:`UnknownFormat`; any error of the exporter itself propagates.
        """
        await self.check_format(fmt)
        return await self._run(self._convert, fmt, nb, name, directory, modified)  # type: ignore[no-any-return]

    def shutdown(self) -> None:
        """Stop accepting conversions; running ones finish in their threads."""
        self._executor.shutdown(wait=False, cancel_futures=True)


def _zip(filename: str, output: str | bytes, outputs: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(filename, output.encode("utf-8") if isinstance(output, str) else output)
        for path, data in outputs.items():
            archive.writestr(os.path.basename(path) if os.path.isabs(path) else path, data)
    return buffer.getvalue()
