"""Opening the server in a web browser at start."""

from __future__ import annotations

import threading
import webbrowser
from typing import Any

from ._serverinfo import write_browser_open_file

__all__ = ["launch_browser"]


def launch_browser(serverapp: Any) -> None:
    """Open the default URL in a browser, through a local redirect file so the token does
    not show in the browser's command line."""
    try:
        browser = webbrowser.get(serverapp.browser or None)
    except webbrowser.Error as exc:
        serverapp.log.warning("No web browser found: %s.", exc)
        return
    url = serverapp.display_urls[0].split("?")[0]
    if serverapp.custom_display_url or serverapp.sock:  # these do not carry default_url yet
        url = url.rstrip("/") + serverapp.default_url
    token = getattr(serverapp.identity_provider, "token", "")
    if token:
        url += ("&" if "?" in url else "?") + "token=" + token
    if serverapp.use_redirect_file:
        path = write_browser_open_file(url, serverapp._runtime_dir)
        url = path.as_uri()
    threading.Thread(
        target=lambda: browser.open(url, new=serverapp.webbrowser_open_new), daemon=True
    ).start()
