"""A full server starts without importing the heavy libraries it needs only later.

nbformat (with jsonschema's format checkers), nbconvert and jupyter_events each cost a large
part of a second to import; prometheus_client is only for /metrics scrapes. Importing them
at start is what makes the reference server's cold start slow, so a regression here is a
performance bug even when every other test passes.
"""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("nbformat", "nbconvert", "jupyter_events", "jsonschema", "prometheus_client")

CODE = """
import os, sys, tempfile
from traitlets.config import Config
from jupyter_server_core._serverapp import ServerApp
root = tempfile.mkdtemp()
os.environ["JUPYTER_RUNTIME_DIR"] = tempfile.mkdtemp()
extensions = {name: True for name in sys.argv[1:]}
app = ServerApp.instance(config=Config({"ServerApp": {
    "port": 0, "allow_root": True, "root_dir": root, "jpserver_extensions": extensions}}))
app.initialize([])
loaded = [name for name in app.extension_manager.extensions]
print("LOADED=" + ",".join(sorted(loaded)))
print("HEAVY=" + ",".join(m for m in %r if m in sys.modules))
""" % (HEAVY,)


def installed(name: str) -> bool:
    from importlib.util import find_spec

    return find_spec(name) is not None


def test_full_server_start_imports_nothing_heavy():
    wanted = [n for n in ("jupyter_server_contents", "jupyter_server_nbconvert",
                          "jupyter_server_terminals", "notebook_shim", "jupyter_server_extensionapp")
              if installed(n)]
    assert "jupyter_server_contents" in wanted, "the test environment has every wheel installed"
    out = subprocess.run([sys.executable, "-c", CODE, *wanted], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    fields = dict(line.split("=", 1) for line in out.stdout.splitlines() if "=" in line)
    loaded, heavy = fields["LOADED"], fields["HEAVY"]
    for name in wanted:
        assert name in loaded.split(","), f"{name} was not loaded: {out.stderr[-2000:]}"
    assert heavy == "", f"imported at start: {heavy}"
