"""Parameterized kernelspecs (JEP 87): launch values checked against the spec's schema.

A kernelspec declares its launch parameters in ``metadata.parameters``, a JSON schema
object (``properties``, each with ``type``, ``enum``, ``default``...). Its ``argv``
elements and ``env`` values reference them as ``{name}``. A start request gives values
in ``custom_kernel_specs`` (the field name of the JEP's jupyter_server pull request).

Safety, whatever the values:

- a value is substituted inside the one argv element (or env value) that names it: it
  never becomes an extra argument, and nothing goes through a shell;
- a value that begins an argv element cannot start with ``-`` (no smuggled option);
- string values hold no braces (no second substitution), NUL or line breaks;
- a parameter whose schema does not constrain it (a free string) takes its default,
  unless ``KernelParameters.allowed_insecure_kernelspec_params`` is on.
"""

from __future__ import annotations

import copy
import inspect
import re
from typing import Any, TypeVar

from traitlets import Bool
from traitlets.config import LoggingConfigurable

from ._errors import KernelError

__all__ = ["REQUEST_FIELD", "KernelParameterError", "KernelParameters", "ParameterizedLaunch", "owned_configurable", "parameter_schema"]

#: The request field that carries parameter values (JEP 87's jupyter_server pull request).
REQUEST_FIELD = "custom_kernel_specs"
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_FORBIDDEN = re.compile(r"[{}\x00\r\n]")
_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,),
}


class KernelParameterError(KernelError):
    """A parameter value was refused (400): the message names the parameter."""


def parameter_schema(spec: Any) -> dict[str, Any] | None:
    """The ``metadata.parameters`` schema of a kernelspec (a KernelSpec or its dict), if any."""
    metadata = spec.get("metadata") if isinstance(spec, dict) else getattr(spec, "metadata", None)
    schema = metadata.get("parameters") if isinstance(metadata, dict) else None
    return schema if isinstance(schema, dict) and isinstance(schema.get("properties"), dict) else None


def _constrained(rule: dict[str, Any]) -> bool:
    """Whether a client can only choose among safe values (JEP 87's "constraining type")."""
    return "enum" in rule or "const" in rule or rule.get("type") in ("boolean", "integer", "number") or "pattern" in rule


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _check_value(name: str, rule: dict[str, Any], value: Any) -> None:
    """KernelParameterError unless ``value`` satisfies the parameter's rule."""
    kind = rule.get("type", "string")
    allowed = _TYPES.get(kind) if isinstance(kind, str) else None
    if allowed is None:
        raise KernelParameterError(f"Kernel parameter {name!r}: the kernelspec declares an unsupported type {kind!r}")
    if not isinstance(value, allowed) or (kind != "boolean" and isinstance(value, bool)):
        raise KernelParameterError(f"Kernel parameter {name!r} must be of type {kind}, not {type(value).__name__}")
    if "enum" in rule and value not in rule["enum"]:
        raise KernelParameterError(f"Kernel parameter {name!r} must be one of {rule['enum']!r}")
    if "const" in rule and value != rule["const"]:
        raise KernelParameterError(f"Kernel parameter {name!r} must be {rule['const']!r}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in rule and value < rule["minimum"]:
            raise KernelParameterError(f"Kernel parameter {name!r} must be at least {rule['minimum']}")
        if "maximum" in rule and value > rule["maximum"]:
            raise KernelParameterError(f"Kernel parameter {name!r} must be at most {rule['maximum']}")
    if isinstance(value, str):
        if _FORBIDDEN.search(value):
            raise KernelParameterError(f"Kernel parameter {name!r} may not contain braces, NUL or line breaks")
        if len(value) > int(rule.get("maxLength", 4096)) or len(value) < int(rule.get("minLength", 0)):
            raise KernelParameterError(f"Kernel parameter {name!r} has a length out of bounds")
        if "pattern" in rule and not re.fullmatch(str(rule["pattern"]), value):
            raise KernelParameterError(f"Kernel parameter {name!r} does not match {rule['pattern']!r}")


class KernelParameters(LoggingConfigurable):
    """Checks launch values against a kernelspec's schema and fills its argv and env."""

    allowed_insecure_kernelspec_params = Bool(
        False,
        help="""Let clients set kernelspec parameters whose schema does not constrain them (a free
        string without enum or pattern). Off, such parameters always take their default, and a
        kernelspec where one has no default cannot be started with parameters.""",
    ).tag(config=True)

    def resolve(self, spec: Any, values: Any) -> dict[str, str] | None:
        """The text of every parameter (values given, else defaults), or None if the
        kernelspec declares none and none were given. Raises KernelParameterError."""
        schema = parameter_schema(spec)
        if values is not None and not isinstance(values, dict):
            raise KernelParameterError(f"{REQUEST_FIELD} must be an object of parameter names to values")
        values = dict(values or {})
        if schema is None:
            if values:
                raise KernelParameterError(f"This kernelspec declares no parameters: {sorted(values)[0]!r} is unknown")
            return None
        properties: dict[str, Any] = schema["properties"]
        unknown = sorted(set(values) - set(properties))
        if unknown:
            raise KernelParameterError(f"Unknown kernel parameter {unknown[0]!r} (known: {', '.join(sorted(properties))})")
        result: dict[str, str] = {}
        for name, rule in properties.items():
            rule = rule if isinstance(rule, dict) else {}
            if name in values and not _constrained(rule) and not self.allowed_insecure_kernelspec_params:
                raise KernelParameterError(
                    f"Kernel parameter {name!r} accepts any text, so it cannot be set by a client "
                    "(KernelParameters.allowed_insecure_kernelspec_params allows it)"
                )
            if name in values:
                value = values[name]
            elif "default" in rule:
                value = rule["default"]
            else:
                raise KernelParameterError(f"Kernel parameter {name!r} needs a value: it has no default")
            _check_value(name, rule, value)
            result[name] = _as_text(value)
        return result

    def apply(self, spec: Any, texts: dict[str, str]) -> Any:
        """A copy of the KernelSpec with ``{name}`` replaced in argv and env values."""
        def fill(text: str, whole_element: bool) -> str:
            def one(match: re.Match[str]) -> str:
                name = match.group(1)
                if name not in texts:
                    return match.group(0)  # {connection_file} and the like: jupyter_client's
                value = texts[name]
                if whole_element and match.start() == 0 and value.startswith("-"):
                    raise KernelParameterError(f"Kernel parameter {name!r} may not start with '-' here")
                return value
            return _PLACEHOLDER.sub(one, text)

        filled = copy.deepcopy(spec)
        filled.argv = [fill(arg, True) for arg in spec.argv]
        filled.env = {key: fill(str(value), False) for key, value in (spec.env or {}).items()}
        return filled


_C = TypeVar("_C", bound=LoggingConfigurable)


def owned_configurable(owner: Any, cls: type[_C]) -> _C:
    """The kernel manager's one instance of ``cls``, made on first use with its config.

    ``config=`` rather than ``parent=``: traitlets asks ``if parent:``, and a kernel
    manager without kernels is falsy, so its config would be skipped.
    """
    found: _C | None = owner.__dict__.get(f"_owned_{cls.__name__}")
    if found is None:
        found = owner.__dict__[f"_owned_{cls.__name__}"] = cls(config=owner.config, log=owner.log)
    return found


class ParameterizedLaunch:
    """MappingKernelManager's part of JEP 87: ``start_kernel(..., kernel_parameters={...})``.

    :meth:`prepare_parameters` (called by start_kernel before anything launches) checks
    the values, so a bad one is a 400; :meth:`pre_start_kernel` hands the filled-in
    kernelspec to the new KernelManager, which keeps it for restarts.
    """

    log: Any
    config: Any
    kernel_spec_manager: Any

    @property
    def kernel_parameters(self) -> KernelParameters:
        return owned_configurable(self, KernelParameters)

    async def prepare_parameters(self, kernel_name: str, kwargs: dict[str, Any]) -> None:
        values = kwargs.pop("kernel_parameters", None)
        ksm = self.kernel_spec_manager
        if ksm is None:
            return
        spec = ksm.get_kernel_spec(kernel_name)
        if inspect.isawaitable(spec):
            spec = await spec
        texts = self.kernel_parameters.resolve(spec, values)
        if texts is not None:
            kwargs["_filled_kernel_spec"] = self.kernel_parameters.apply(spec, texts)

    def pre_start_kernel(self, kernel_name: str | None, kwargs: Any) -> Any:
        filled = kwargs.pop("_filled_kernel_spec", None)
        km, name, kernel_id = super().pre_start_kernel(kernel_name, kwargs)  # type: ignore[misc]
        if filled is not None:
            km._kernel_spec = filled
        return km, name, kernel_id
