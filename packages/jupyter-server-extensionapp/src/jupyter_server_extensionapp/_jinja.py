"""ExtensionAppJinjaMixin: a Jinja environment over the app's template_paths."""

from __future__ import annotations

from typing import Any

from traitlets import Dict
from traitlets.config import Configurable

__all__ = ["ExtensionAppJinjaMixin"]


class ExtensionAppJinjaMixin(Configurable):
    """Put before ExtensionApp: ``class MyApp(ExtensionAppJinjaMixin, ExtensionApp)``.

    Builds ``jinja2.Environment`` over ``template_paths`` (autoescaping, the i18n extension
    with null translations) and puts it in ``settings["<name>_jinja2_env"]``, where
    ExtensionHandlerJinjaMixin's ``render_template`` finds it.
    """

    jinja2_options = Dict(help="Options passed to jinja2.Environment (they override the defaults).").tag(config=True)
    jinja2_env: Any = None

    def _prepare_templates(self) -> None:
        import jinja2  # only apps with templates pay for it

        super()._prepare_templates()  # type: ignore[misc]
        options: dict[str, Any] = {"autoescape": True, "extensions": ["jinja2.ext.i18n"]}
        options.update(self.jinja2_options)
        self.jinja2_env = jinja2.Environment(loader=jinja2.FileSystemLoader(list(self.template_paths)), **options)  # type: ignore[attr-defined]
        if "jinja2.ext.i18n" in options.get("extensions", []):
            self.jinja2_env.install_null_translations(newstyle=True)
        self.settings[f"{self.name}_jinja2_env"] = self.jinja2_env  # type: ignore[attr-defined]
