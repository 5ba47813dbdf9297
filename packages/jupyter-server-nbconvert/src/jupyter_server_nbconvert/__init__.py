"""jupyter-server-nbconvert: notebook conversion for the Jupyter Server.

A server extension: ``GET /api/nbconvert`` lists the export formats,
``GET /nbconvert/<format>/<path>`` converts a stored notebook (read through the contents
service) and ``POST /nbconvert/<format>`` a posted one. Installing the wheel enables it.
"""

from __future__ import annotations

from ._convert import Conversion, Converter, NotebookError, UnknownFormat, notebook_from_model
from ._extension import NbconvertHost, load_nbconvert, nbconvert_routes, stop_nbconvert
from ._handlers import NbconvertFileHandler, NbconvertFormatsHandler, NbconvertPostHandler

__all__ = [
    "Conversion",
    "Converter",
    "NbconvertFileHandler",
    "NbconvertFormatsHandler",
    "NbconvertPostHandler",
    "NotebookError",
    "UnknownFormat",
    "nbconvert_routes",
    "notebook_from_model",
]


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "jupyter_server_nbconvert"}]


def _load_jupyter_server_extension(serverapp: NbconvertHost) -> None:
    load_nbconvert(serverapp)


async def _stop_jupyter_server_extension(serverapp: NbconvertHost) -> None:
    await stop_nbconvert(serverapp)
