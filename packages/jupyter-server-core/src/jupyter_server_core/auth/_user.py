"""The user model every request carries once authenticated."""

from __future__ import annotations

from dataclasses import asdict, dataclass

__all__ = ["User", "IDENTITY_FIELDS"]

IDENTITY_FIELDS = ("username", "name", "display_name", "initials", "avatar_url", "color")


@dataclass
class User:
    """Who is making a request.

    ``username`` is the only required field; the others are optional display hints that
    frontends (JupyterLab's collaboration avatars, for example) show.
    """

    username: str
    name: str = ""
    display_name: str = ""
    initials: str | None = None
    avatar_url: str | None = None
    color: str | None = None

    def __post_init__(self) -> None:
        if not self.name:
            self.name = self.username
        if not self.display_name:
            self.display_name = self.name

    def to_model(self) -> dict[str, str | None]:
        """The JSON model served by ``/api/me`` under ``identity``."""
        return {key: value for key, value in asdict(self).items() if key in IDENTITY_FIELDS}
