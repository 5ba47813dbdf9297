"""Config file loaders whose errors name the file and the line.

traitlets raises the bare JSON or Python error of a broken ``jupyter_server_config.json`` or
``.py``, which names neither the file nor (for most Python errors) the line, although up to
four config folders are read. ServerApp uses these loaders instead.
"""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Iterable, Iterator
from typing import Any

from traitlets.config import Configurable
from traitlets.config.loader import ConfigFileNotFound, JSONFileConfigLoader, PyFileConfigLoader

from ._network import ServerStartError

__all__ = [
    "INTERNAL_CONFIG_CLASSES", "ConfigFileError", "class_options_help", "NamedJSONFileConfigLoader", "NamedPyFileConfigLoader", "OnceFilter",
]

# Bases that only group the traits of a public class: users set them under the public name.
INTERNAL_CONFIG_CLASSES = {
    "ServerTraits": "ServerApp", "NetworkMixin": "ServerApp", "RunningMixin": "ServerApp",
    "StartPathsMixin": "ServerApp", "LegacyMethodsMixin": "ServerApp",
    "GatewayClientConfig": "GatewayClient",
}


def class_options_help(classes: Iterable[type[Configurable]]) -> Iterator[str]:
    """``--help-all``'s class sections, each option once: under the first listed class that
    has it (parents come first). A class without options of its own is named in the section
    of the parent whose options it takes."""
    shown: set[int] = set()
    sections: dict[type, tuple[list[Any], list[str]]] = {}
    for cls in classes:
        traits = [t for _, t in sorted(cls.class_traits(config=True).items()) if id(t) not in shown]
        if traits:
            shown.update(id(t) for t in traits)
            sections[cls] = (traits, [])
            continue
        parent = next((base for base in cls.__mro__[1:] if base in sections), None)
        if parent is not None:
            sections[parent][1].append(cls.__name__)
    for cls, (traits, alike) in sections.items():
        yield f"{cls.__name__} options"
        yield "-" * len(f"{cls.__name__} options")
        if alike:
            yield f"(the same options apply to {', '.join(alike)})"
        yield from (cls.class_get_trait_help(t) for t in traits)
        yield ""


class ConfigFileError(ServerStartError):
    """A config file could not be read; the message starts with ``path, line N:``."""


class NamedJSONFileConfigLoader(JSONFileConfigLoader):
    def load_config(self) -> Any:
        try:
            return super().load_config()
        except json.JSONDecodeError as exc:
            raise ConfigFileError(
                f"{self.full_filename}, line {exc.lineno} column {exc.colno}: not valid JSON ({exc.msg})"
            ) from None


class NamedPyFileConfigLoader(PyFileConfigLoader):
    def load_config(self) -> Any:
        try:
            return super().load_config()
        except ConfigFileNotFound:
            raise
        except SyntaxError as exc:
            raise ConfigFileError(f"{self.full_filename}, line {exc.lineno}: SyntaxError: {exc.msg}") from None
        except Exception as exc:  # noqa: BLE001 - whatever the user's file raised, told in one line
            # The deepest frame that runs the config file itself is the line to fix.
            lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if f.filename == self.full_filename]
            where = f", line {lines[-1]}" if lines else ""
            raise ConfigFileError(f"{self.full_filename}{where}: {type(exc).__name__}: {exc}") from None


class OnceFilter(logging.Filter):
    """While ``active``, let each distinct message through once (config reload warnings)."""

    def __init__(self) -> None:
        super().__init__()
        self.active = False
        self.seen: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.active:
            return True
        message = record.getMessage()
        if message in self.seen:
            return False
        self.seen.add(message)
        return True
