"""``NotebookConfigShimMixin``: classic ``NotebookApp`` config for an ExtensionApp.

JupyterLab and Notebook 7 mix it into their application class, before the ExtensionApp
base::

    class LabApp(NotebookConfigShimMixin, LabServerApp): ...

When the app is linked to a server, the classic configuration (``jupyter_notebook_config``
files and ``NotebookApp.*`` on the command line) is applied to the server as the
``notebook_shim`` extension does, and ``NotebookApp.<trait>`` settings that name one of the
app's own traits are moved to ``<AppClass>.<trait>``, each with a warning. The app's own
spelling wins over the classic one.
"""

from __future__ import annotations

from typing import Any

from jupyter_core.application import JupyterApp
from traitlets.config import Config
from traitlets.config.loader import DeferredConfig

from ._apply import apply_classic_config, warn_once
from ._classic import ClassicConfig
from ._traits import display_value

__all__ = ["NotebookConfigShimMixin", "move_notebook_traits"]


def _own_traits(app: Any) -> set[str]:
    """Config traits of the app itself (not those every Jupyter application has)."""
    return set(app.class_trait_names(config=True)) - set(JupyterApp.class_trait_names(config=True))


def move_notebook_traits(app: Any, config: Config, sources: dict[str, str] | None = None,
                         owner: Any = None) -> Config:
    """A copy of ``config`` where ``NotebookApp.<t>`` also sets ``<AppClass>.<t>`` for the
    app's own traits (unless the app's spelling is set). Warns once per moved setting."""
    section = type(app).__name__
    if section == "NotebookApp" or "NotebookApp" not in config:
        return config
    moved = Config()
    moved.merge(config)
    own = _own_traits(app)
    owner = owner or getattr(app, "serverapp", None) or app
    log = getattr(owner, "log", None) or app.log
    for trait, value in config["NotebookApp"].items():
        if trait not in own:
            continue
        where = (sources or {}).get(trait, "config")
        if section in config and trait in config[section]:
            if config[section][trait] != value:
                warn_once(owner, log, "Conflict: NotebookApp.%s = %s (in %s) and %s.%s = %s; %s.%s wins",
                          trait, display_value(trait, value), where, section, trait,
                          display_value(trait, config[section][trait]), section, trait)
            continue
        moved[section][trait] = value
        warn_once(owner, log, "NotebookApp.%s (in %s) is deprecated: use %s.%s", trait, where, section, trait)
    return moved


class NotebookConfigShimMixin:
    """Mix into an ExtensionApp subclass (first in the bases) to honour classic config."""

    log: Any
    serverapp: Any

    def update_config(self, config: Config) -> None:
        """Every config the app takes in (its files, the server's) gets NotebookApp moved."""
        super().update_config(move_notebook_traits(self, config))  # type: ignore[misc]

    def _link_jupyter_server_extension(self, serverapp: Any) -> None:
        """Apply the classic config to the server, then to this app: lowest first, so the
        app's own config files and the server's config, read next, win over it."""
        classic: ClassicConfig = apply_classic_config(serverapp)
        settings = {t: s for (sec, t), s in classic.settings.items() if sec == "NotebookApp"}
        classic.claimed.update(_own_traits(self) & set(settings))
        if settings:
            notebook = Config({"NotebookApp": {t: s.value for t, s in settings.items()}})
            sources = {t: s.source for t, s in settings.items()}
            super().update_config(move_notebook_traits(self, notebook, sources, owner=serverapp))  # type: ignore[misc]
        super()._link_jupyter_server_extension(serverapp)  # type: ignore[misc]
        self._name_overridden(serverapp, settings)

    def _name_overridden(self, serverapp: Any, settings: dict[str, Any]) -> None:
        """Warn about classic settings the app's own config overrode."""
        section, traits = type(self).__name__, type(self).class_traits(config=True)  # type: ignore[attr-defined]
        for trait in _own_traits(self) & set(settings):
            value = settings[trait].value
            try:
                if isinstance(value, DeferredConfig):
                    value = value.get_value(traits[trait])
            except Exception:  # noqa: BLE001 - unparsable: the move already reported it
                continue
            current = getattr(self, trait)
            if current != value:
                warn_once(serverapp, serverapp.log, "Conflict: NotebookApp.%s = %s (in %s) and %s.%s = %s in the "
                          "app's config; %s.%s wins", trait, display_value(trait, value), settings[trait].source,
                          section, trait, display_value(trait, current), section, trait)
