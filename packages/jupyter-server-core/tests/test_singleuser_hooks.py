"""What JupyterHub's single-user extension changes on a running server, and relies on.

It points tornado's ``login_url`` setting at the Hub (an OAuth authorize URL with a query of
its own), adds headers through the ``headers`` setting, and asks the web application for
``last_activity()`` to report to the Hub. tests-integration/test_jupyterhub.py runs the real
Hub; these check each hook alone.
"""

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import quote

import pytest
from jupyter_server_core import JupyterHandler, url_path_join

NO_AUTH = {"Authorization": None}
HUB_AUTHORIZE = "http://hub.example:8000/hub/api/oauth2/authorize?client_id=c&state=s1"


class PrivatePage(JupyterHandler):
    def get(self) -> None:
        self.finish("private")


@pytest.fixture
def private_page(jp_serverapp):
    jp_serverapp.web_app.add_handlers(".*$", [(url_path_join(jp_serverapp.base_url, "hooks-private"), PrivatePage)])


async def test_login_url_setting_with_a_query_is_followed_as_is(jp_fetch, jp_serverapp, private_page):
    jp_serverapp.web_app.settings["login_url"] = HUB_AUTHORIZE
    r = await jp_fetch("hooks-private", headers=NO_AUTH, raise_error=False)
    assert r.code == 302
    assert r.headers["Location"] == HUB_AUTHORIZE  # no second "?", no next: the state carries it


async def test_login_url_setting_without_a_query_gets_next(jp_fetch, jp_serverapp, private_page):
    jp_serverapp.web_app.settings["login_url"] = "/elsewhere/login"
    r = await jp_fetch("hooks-private", headers=NO_AUTH, raise_error=False)
    assert r.code == 302
    requested = url_path_join(jp_serverapp.base_url, "hooks-private")  # as sent, percent-escapes kept
    assert r.headers["Location"] == "/elsewhere/login?next=" + quote(requested, safe="")


async def test_headers_setting_reaches_every_response(jp_fetch, jp_serverapp):
    headers = jp_serverapp.web_app.settings.setdefault("headers", {})
    headers["X-JupyterHub-Version"] = "9.9.9"
    headers["Content-Security-Policy"] = "frame-ancestors 'none'"
    for path, auth in ((("api",), {}), (("api", "status"), NO_AUTH), (("no-such-page",), {})):
        r = await jp_fetch(*path, headers=auth, raise_error=False)
        assert r.headers["X-JupyterHub-Version"] == "9.9.9", path
        assert r.headers["Content-Security-Policy"] == "frame-ancestors 'none'", path


async def test_last_activity_is_aware_utc_and_follows_the_tracker(jp_fetch, jp_serverapp):
    activity = jp_serverapp.web_app.context.activity
    first = jp_serverapp.web_app.last_activity()
    assert isinstance(first, datetime) and first.tzinfo is not None and first.utcoffset().total_seconds() == 0
    assert first.timestamp() == pytest.approx(activity.last_activity())
    await jp_fetch("api", "kernelspecs")  # an authenticated API request is activity
    touched = activity.last("api")
    assert touched is not None and touched >= first.timestamp()
    assert jp_serverapp.web_app.last_activity() == datetime.fromtimestamp(touched, timezone.utc)
