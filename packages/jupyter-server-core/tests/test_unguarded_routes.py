"""Extension routes no authentication check covers are named in a RuntimeWarning."""

from __future__ import annotations

import pytest
from jupyter_server_core import JupyterServerAuthWarning
from jupyter_server_core._base_handlers import JupyterHandler
from tornado import web


class PlainHandler(web.RequestHandler):
    def get(self) -> None:
        self.write("open to anyone")

    def post(self) -> None:
        self.write("posted")


class CheckedHandler(JupyterHandler):
    def get(self) -> None:
        self.write("checked")


class OpenOnPurpose(web.RequestHandler):
    allow_unauthenticated = True

    def get(self) -> None:
        self.write("meant to be open")


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"allow_unauthenticated_access": False}}


def add(serverapp, routes):
    serverapp.web_app.add_handlers(".*$", [(serverapp.base_url + path, cls) for path, cls in routes])


async def test_plain_tornado_handler_is_named(jp_serverapp, jp_fetch):
    with pytest.warns(RuntimeWarning) as caught:
        add(jp_serverapp, [("plain", PlainHandler), ("checked", CheckedHandler), ("purpose", OpenOnPurpose)])
    [warning] = [w for w in caught if issubclass(w.category, JupyterServerAuthWarning)]
    text = str(warning.message)
    assert "GET of PlainHandler at /a%40b/plain" in text and "POST of PlainHandler" in text
    assert "CheckedHandler" not in text and "OpenOnPurpose" not in text
    # Why it matters: the plain handler answers a caller without credentials, ours refuses.
    anon = {"Authorization": None}
    assert (await jp_fetch("plain", headers=anon)).body == b"open to anyone"
    r = await jp_fetch("checked", headers=anon, raise_error=False)
    assert r.code in (302, 403)


async def test_checked_routes_give_no_warning(jp_serverapp, recwarn):
    add(jp_serverapp, [("checked", CheckedHandler), ("purpose", OpenOnPurpose)])
    assert not [w for w in recwarn if issubclass(w.category, JupyterServerAuthWarning)]
