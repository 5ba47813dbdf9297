"""Opening the server in a web browser at start."""

from __future__ import annotations

import threading
import webbrowser
from typing import Any

__all__ = ["launch_browser"]


def launch_browser(serverapp: Any) -> None:
    """Open the default URL in a browser, through the local redirect file (written at
    start) so the token does not show in the browser's command line."""
    try:
        browser = webbrowser.get(serverapp.browser or None)
    except webbrowser.Error as exc:
        serverapp.log.warning("No web browser found: %s.", exc)
        return
    url = serverapp.browser_url
    if serverapp.use_redirect_file:
        url = serverapp.write_browser_open_file().as_uri()
    threading.Thread(
        target=lambda: browser.open(url, new=serverapp.webbrowser_open_new), daemon=True
    ).start()
