"""Authentication rules kept from jupyter_server 1.x and 2.x, over real HTTP: an ``options``
method a handler writes itself, and a login handler class that decides identity
(``ServerApp.login_handler_class``)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jupyter_server_core import JupyterHandler
from jupyter_server_core._login import LoginHandler
from jupyter_server_core._urls import url_path_join
from jupyter_server_core.auth import LegacyIdentityProvider


class OwnOptionsHandler(JupyterHandler):
    """Does its own work on OPTIONS (not a CORS preflight)."""

    def options(self) -> None:
        self.finish({"secret": "only for users"})


def _mount(app: Any) -> None:
    app.web_app.add_handlers(".*$", [(url_path_join(app.base_url, "own-options"), OwnOptionsHandler)])


@pytest.mark.parametrize("jp_server_config", [{"ServerApp": {"allow_unauthenticated_access": False}}])
async def test_own_options_needs_a_user_when_access_is_closed(jp_serverapp: Any, jp_fetch: Any) -> None:
    _mount(jp_serverapp)
    anonymous = await jp_fetch("own-options", method="OPTIONS", headers={"Authorization": None}, raise_error=False)
    assert anonymous.code == 403
    with_token = await jp_fetch("own-options", method="OPTIONS")
    assert json.loads(with_token.body) == {"secret": "only for users"}
    # A CORS preflight of an API (APIHandler's own options) still needs no credentials.
    preflight = await jp_fetch("api", "kernels", method="OPTIONS", headers={"Authorization": None})
    assert preflight.code == 200


async def test_own_options_is_open_by_default(jp_serverapp: Any, jp_fetch: Any) -> None:
    # ServerApp.allow_unauthenticated_access (True by default) is jupyter_server 2.x's
    # switch for handlers that declare no rule; an options method is one of those there.
    _mount(jp_serverapp)
    response = await jp_fetch("own-options", method="OPTIONS", headers={"Authorization": None})
    assert response.code == 200


class HeaderLoginHandler(LoginHandler):
    """A jupyter_server 1.x login handler: the ``X-Test-User`` header names the user;
    ``default`` asks the standard rules (token or cookie)."""

    @classmethod
    async def get_user(cls, handler: Any) -> Any:
        named = handler.request.headers.get("X-Test-User")
        if named == "default":
            return await super().get_user(handler)
        return {"name": named} if named else None


@pytest.mark.parametrize(
    "jp_server_config", [{"ServerApp": {"login_handler_class": f"{__name__}.HeaderLoginHandler"}}]
)
async def test_login_handler_class_decides_identity(jp_serverapp: Any, jp_fetch: Any) -> None:
    assert type(jp_serverapp.identity_provider) is LegacyIdentityProvider
    named = await jp_fetch("api", "me", headers={"X-Test-User": "pinecone", "Authorization": None})
    assert json.loads(named.body)["identity"]["username"] == "pinecone"
    nobody = await jp_fetch("api", "me", headers={"Authorization": None}, raise_error=False)
    assert nobody.code == 403
    by_token = await jp_fetch("api", "me", headers={"X-Test-User": "default"})
    assert json.loads(by_token.body)["identity"]["username"]
    no_token = await jp_fetch("api", "me", headers={"X-Test-User": "default", "Authorization": None},
                              raise_error=False)
    assert no_token.code == 403


@pytest.mark.parametrize(
    "jp_server_config",
    [{"ServerApp": {"login_handler_class": f"{__name__}.HeaderLoginHandler",
                    "identity_provider_class": "jupyter_server_core.auth.PasswordIdentityProvider"}}],
)
async def test_an_identity_provider_class_wins_over_the_login_handler(jp_serverapp: Any) -> None:
    assert type(jp_serverapp.identity_provider) is not LegacyIdentityProvider
