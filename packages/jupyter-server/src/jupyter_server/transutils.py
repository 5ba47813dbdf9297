"""``jupyter_server.transutils``: the translation function handlers and apps call.

The server ships no message catalogues of its own: ``_i18n`` (alias ``_``) looks the
message up in the ``jupyter_server`` gettext domain when one is installed on the system,
and otherwise returns it unchanged.
"""

from __future__ import annotations

import gettext
import os

__all__ = ["_", "_i18n", "trans"]


def _translation() -> gettext.NullTranslations:
    languages = [lang for lang in os.environ.get("LANGUAGE", "").split(":") if lang] or None
    return gettext.translation("jupyter_server", fallback=True, languages=languages)


trans = _translation()


def _i18n(message: str, *args: object) -> str:
    """The translated ``message`` (unchanged when no catalogue has it)."""
    return trans.gettext(message)


_ = _i18n
