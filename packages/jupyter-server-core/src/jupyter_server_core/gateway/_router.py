"""KernelRouter: local kernels beside several gateways, configured in one place.

``c.KernelRouter.gateways`` names zero or more gateways; each becomes a
:class:`RemoteGateway` (its own GatewayClient, its kernelspec name prefix). With at
least one gateway, or with ``local_kernels`` off, the server routes kernelspecs, kernels,
sessions and kernel WebSockets by kernelspec name (see ``_routing_kernels.py``). The
single-gateway setting (``GatewayClient.url``) stays as it was: it replaces local kernels.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from traitlets import Bool, Dict, List, TraitError, validate
from traitlets.config import LoggingConfigurable

from ._client import GatewayClient

__all__ = ["KernelRouter", "RemoteGateway"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
#: Keys of a gateway entry that are not GatewayClient traits.
_ENTRY_KEYS = {"name", "prefix", "display_name_format", "headers"}


@dataclass
class RemoteGateway:
    """One configured gateway: its name, kernelspec name prefix and client."""

    name: str
    prefix: str
    display_name_format: str
    client: GatewayClient

    def remote_name(self, kernel_name: str) -> str | None:
        """The gateway's own name of one of our kernelspec names (None: not this gateway's)."""
        if kernel_name.startswith(self.prefix) and len(kernel_name) > len(self.prefix):
            return kernel_name[len(self.prefix):]
        return None

    def display_name(self, display_name: str) -> str:
        return self.display_name_format.format(display_name=display_name, gateway=self.name)


class KernelRouter(LoggingConfigurable):
    """Where kernels run: here, on one of several gateways, or both."""

    gateways = List(
        Dict(),
        help="""Gateways (Kernel Gateway, Enterprise Gateway) whose kernelspecs this server offers
        beside its own. Each entry is a dict: "name" (required, letters, digits, '-', '_', '.'),
        "url" (required), and optionally "auth_token", "auth_scheme", "headers" (a dict),
        "prefix" (put before the gateway's kernelspec names; default "<name>-"),
        "display_name_format" (default "{display_name} ({gateway})") and any other
        GatewayClient setting (request_timeout, validate_cert, ws_url, ...). Kernels of a
        kernelspec named "<prefix><spec>" start on that gateway.""",
    ).tag(config=True)

    local_kernels = Bool(
        True,
        help="""Whether this server also runs kernels itself, from its installed kernelspecs.
        Off, with gateways configured, every kernel runs on a gateway.""",
    ).tag(config=True)

    @validate("gateways")
    def _validate_gateways(self, proposal: Any) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = proposal["value"]
        names: set[str] = set()
        prefixes: list[str] = []
        client_traits = set(GatewayClient.class_trait_names(config=True))
        for index, entry in enumerate(entries):
            where = f"KernelRouter.gateways[{index}]"
            name = entry.get("name")
            if not isinstance(name, str) or not _NAME.match(name):
                raise TraitError(f"{where}: 'name' must be a word of letters, digits, '-', '_' or '.', not {name!r}")
            if name in names:
                raise TraitError(f"{where}: the name {name!r} is used twice")
            names.add(name)
            if not isinstance(entry.get("url"), str) or not entry["url"].startswith(("http://", "https://")):
                raise TraitError(f"{where} ({name}): 'url' must be an http:// or https:// URL")
            prefix = entry.get("prefix", f"{name}-")
            if not isinstance(prefix, str) or not prefix or "/" in prefix:
                raise TraitError(f"{where} ({name}): 'prefix' must be a non-empty string without '/'")
            for other in prefixes:
                if prefix.startswith(other) or other.startswith(prefix):
                    raise TraitError(f"{where} ({name}): the prefix {prefix!r} overlaps {other!r}: names would be ambiguous")
            prefixes.append(prefix)
            if "headers" in entry and not isinstance(entry["headers"], dict):
                raise TraitError(f"{where} ({name}): 'headers' must be a dict of header names to values")
            unknown = set(entry) - _ENTRY_KEYS - client_traits
            if unknown:
                raise TraitError(f"{where} ({name}): unknown keys {sorted(unknown)}")
        return entries

    @property
    def routing(self) -> bool:
        """Whether the routing managers are needed (any gateway, or no local kernels)."""
        return bool(self.gateways) or not self.local_kernels

    def build_remotes(self, log: Any = None) -> list[RemoteGateway]:
        """One RemoteGateway (with a fresh GatewayClient) per configured gateway.

        The clients read no ``GatewayClient.*`` config: each gateway has only its entry's
        settings (and the defaults).
        """
        remotes = []
        for entry in self.gateways:
            settings = {k: v for k, v in entry.items() if k not in _ENTRY_KEYS}
            if "headers" in entry:
                settings["headers"] = json.dumps(entry["headers"])
            client = GatewayClient(log=log or self.log, **settings)
            remotes.append(RemoteGateway(
                name=entry["name"], prefix=entry.get("prefix", f"{entry['name']}-"),
                display_name_format=entry.get("display_name_format", "{display_name} ({gateway})"),
                client=client,
            ))
        return remotes
