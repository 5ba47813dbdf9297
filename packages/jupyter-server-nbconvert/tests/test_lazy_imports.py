"""Loading the extension must not import nbformat or nbconvert (about a second of start-up)."""

from __future__ import annotations

import subprocess
import sys


def test_import_and_routes_do_not_import_nbformat():
    code = (
        "import sys, jupyter_server_nbconvert\n"
        "from jupyter_server_nbconvert import nbconvert_routes\n"
        "heavy = [m for m in ('nbformat', 'nbconvert', 'jsonschema') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
