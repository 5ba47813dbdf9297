"""Build the RFC 3987 grammar on first use, not when jsonschema is imported.

``jupyter_events`` requires ``jsonschema[format-nongpl]``, which installs
``rfc3987_syntax``. jsonschema imports that package while it registers its format
checkers, and the package compiles a lark grammar as it is imported: 1 to 1.5 s of CPU
in every process that imports jsonschema (JupyterLab's settings handler does so at start),
for a checker that only runs when a value is validated against the ``iri`` or
``iri-reference`` formats.

:func:`defer_rfc3987_grammar` puts a finder in front of ``sys.meta_path`` that answers for
``rfc3987_syntax`` alone. The module it gives out has the package's public functions as
thin stand-ins; the first call to any of them, or the first access to any other
attribute, runs the real package into the same module object and hands over to it. What
jsonschema checks, and how, is unchanged; only the moment the grammar is built moves.
"""

from __future__ import annotations

import importlib.machinery
import sys
import threading
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

__all__ = ["defer_rfc3987_grammar"]

_PACKAGE = "rfc3987_syntax"
#: The callables a ``from rfc3987_syntax import ...`` may take before any call.
_FUNCTIONS = ("is_valid_syntax", "is_valid_syntax_iri", "is_valid_syntax_iri_reference",
              "is_valid_syntax_absolute_iri", "parse", "make_syntax_validator")


class _DeferredLoader:
    # Duck-typed loader and finder: importlib.abc would import importlib.resources at start.
    def __init__(self, real: importlib.machinery.ModuleSpec) -> None:
        self.real = real
        self.lock = threading.Lock()
        self.loaded = False

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None  # the default module object

    def exec_module(self, module: ModuleType) -> None:
        def __getattr__(name: str) -> Any:
            if name in _FUNCTIONS and not self.loaded:
                return _stand_in(self, module, name)
            if name.startswith("__") and name.endswith("__"):
                raise AttributeError(name)  # introspection must not build the grammar
            return getattr(self.load(module), name)

        module.__getattr__ = __getattr__  # type: ignore[method-assign]

    def load(self, module: ModuleType) -> ModuleType:
        """Run the real package into ``module`` (once, whichever thread asks first)."""
        with self.lock:
            if not self.loaded:
                del module.__getattr__
                assert self.real.loader is not None
                module.__spec__ = self.real
                module.__loader__ = self.real.loader
                self.real.loader.exec_module(module)
                self.loaded = True
        return module


def _stand_in(loader: _DeferredLoader, module: ModuleType, name: str) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(loader.load(module), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__module__ = _PACKAGE
    return call


class _DeferredFinder:
    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname != _PACKAGE:
            return None
        real = importlib.machinery.PathFinder.find_spec(fullname, path)
        if real is None or real.loader is None:
            return None  # not installed: jsonschema's ImportError path, as without us
        spec = importlib.machinery.ModuleSpec(fullname, _DeferredLoader(real), origin=real.origin,  # type: ignore[arg-type]
                                              is_package=real.submodule_search_locations is not None)
        spec.submodule_search_locations = real.submodule_search_locations
        spec.has_location = real.has_location
        return spec


def defer_rfc3987_grammar() -> bool:
    """Install the finder (once); False when the package is already imported (too late)."""
    if _PACKAGE in sys.modules:
        return False
    if not any(isinstance(f, _DeferredFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _DeferredFinder())
    return True
