"""``jupyter_server.traittypes``: traits that accept a class (or instance) of any of several types.

``TypeFromClasses(klasses=[A, "pkg.B"])`` holds a class that subclasses one of the listed
ones; ``InstanceFromClasses`` holds an instance of one. Entries given as dotted strings are
imported when the trait is first validated.
"""

from __future__ import annotations

import inspect
from typing import Any

from traitlets import ClassBasedTraitType, TraitError, Undefined
from traitlets.utils.importstring import import_item

__all__ = ["InstanceFromClasses", "TypeFromClasses"]


def _resolve(klasses: list[Any]) -> tuple[type, ...]:
    return tuple(import_item(k) if isinstance(k, str) else k for k in klasses)


def _describe(klasses: list[Any]) -> str:
    names = [k if isinstance(k, str) else f"{k.__module__}.{k.__name__}" for k in klasses]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


class TypeFromClasses(ClassBasedTraitType):  # type: ignore[type-arg]
    """A class (or its dotted name) that subclasses one of ``klasses``."""

    def __init__(self, default_value: Any = Undefined, klasses: list[Any] | None = None, **kwargs: Any) -> None:
        if not klasses:
            raise TraitError("TypeFromClasses needs a non-empty list of classes")
        self.klasses = list(klasses)
        super().__init__(default_value, **kwargs)

    def validate(self, obj: Any, value: Any) -> Any:
        if isinstance(value, str):
            try:
                value = import_item(value)
            except ImportError as exc:
                raise TraitError(f"The '{self.name}' trait could not import {value!r}: {exc}") from exc
        klasses = _resolve(self.klasses)
        if inspect.isclass(value) and issubclass(value, klasses):
            return value
        self.error(obj, value)

    def info(self) -> str:
        text = f"a subclass of {_describe(self.klasses)}"
        return text + " or None" if self.allow_none else text

    def instance_init(self, obj: Any) -> None:
        self.klasses = list(_resolve(self.klasses))
        super().instance_init(obj)

    def make_dynamic_default(self) -> Any:
        value = self.default_value
        return import_item(value) if isinstance(value, str) else value

    def default_value_repr(self) -> str:
        value = self.default_value
        return repr(value if isinstance(value, str) else f"{value.__module__}.{value.__name__}")


class InstanceFromClasses(ClassBasedTraitType):  # type: ignore[type-arg]
    """An instance of one of ``klasses`` (classes or their dotted names)."""

    def __init__(self, klasses: list[Any] | None = None, args: tuple[Any, ...] | None = None,
                 kw: dict[str, Any] | None = None, **kwargs: Any) -> None:
        if not klasses:
            raise TraitError("InstanceFromClasses needs a non-empty list of classes")
        self.klasses = list(klasses)
        self.default_args, self.default_kwargs = args, kw
        super().__init__(**kwargs)

    def validate(self, obj: Any, value: Any) -> Any:
        if isinstance(value, _resolve(self.klasses)):
            return value
        self.error(obj, value)

    def info(self) -> str:
        text = f"an instance of {_describe(self.klasses)}"
        return text + " or None" if self.allow_none else text

    def instance_init(self, obj: Any) -> None:
        self.klasses = list(_resolve(self.klasses))
        super().instance_init(obj)

    def make_dynamic_default(self) -> Any:
        if self.default_args is None and self.default_kwargs is None:
            return None
        return _resolve(self.klasses)[0](*(self.default_args or ()), **(self.default_kwargs or {}))
