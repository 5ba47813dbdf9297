"""/api/kernelspecs and /kernelspecs/<name>/<file>, over real HTTP."""

from __future__ import annotations

import json
import os
import sys

import pytest

LOGO = b"\x89PNG\r\n\x1a\n" + b"not really a png, but bytes to compare"


@pytest.fixture
def echo_spec(jp_environ):
    """A kernel spec 'echo' in the user data dir, with a logo and a file that is no resource."""
    spec_dir = jp_environ["data"] / "kernels" / "echo"
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Echo", "language": "python", "metadata": {"color": "blue"},
    }))
    (spec_dir / "logo-32x32.png").write_bytes(LOGO)
    (spec_dir / "notes.txt").write_text("not a resource")
    return spec_dir


async def test_list_specs_with_default(jp_fetch, echo_spec, jp_base_url):
    model = json.loads((await jp_fetch("api", "kernelspecs")).body)
    assert model["default"] == "python3"
    assert {"python3", "echo"} <= set(model["kernelspecs"])
    echo = model["kernelspecs"]["echo"]
    assert set(echo) == {"name", "spec", "resources"}
    assert echo["name"] == "echo"
    assert echo["spec"]["display_name"] == "Echo"
    assert echo["spec"]["metadata"] == {"color": "blue"}
    assert echo["resources"] == {"logo-32x32": f"{jp_base_url}kernelspecs/echo/logo-32x32.png"}
    python3 = model["kernelspecs"]["python3"]
    assert python3["spec"]["language"] == "python"
    assert "logo-64x64" in python3["resources"]


async def test_one_spec(jp_fetch, echo_spec):
    model = json.loads((await jp_fetch("api", "kernelspecs", "echo")).body)
    assert model["name"] == "echo"
    assert model["spec"]["argv"][-1] == "{connection_file}"


async def test_unknown_spec_is_json_404(jp_fetch):
    r = await jp_fetch("api", "kernelspecs", "nope", raise_error=False)
    assert r.code == 404
    body = json.loads(r.body)
    assert "nope" in body["message"]
    assert body["reason"] is None


async def test_broken_spec_is_skipped_in_list(jp_fetch, jp_environ):
    broken = jp_environ["data"] / "kernels" / "broken"
    broken.mkdir(parents=True)
    (broken / "kernel.json").write_text("{not json")
    model = json.loads((await jp_fetch("api", "kernelspecs")).body)
    assert "broken" not in model["kernelspecs"]
    assert "python3" in model["kernelspecs"]
    r = await jp_fetch("api", "kernelspecs", "broken", raise_error=False)
    assert r.code == 404


async def test_resource_file_served(jp_fetch, echo_spec):
    r = await jp_fetch("kernelspecs", "echo", "logo-32x32.png")
    assert r.body == LOGO
    assert r.headers["Content-Type"] == "image/png"
    assert r.headers.get("Etag")
    # A month in the browser's cache for a logo, as jupyter_server sends it.
    assert r.headers["Cache-Control"] == "max-age=2592000"
    r = await jp_fetch("kernelspecs", "echo", "notes.txt")
    assert "Cache-Control" not in r.headers


async def test_resource_errors(jp_fetch, echo_spec, tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    os.symlink(outside, echo_spec / "link.txt")
    assert (await jp_fetch("kernelspecs", "echo", "nofile.png", raise_error=False)).code == 404
    assert (await jp_fetch("kernelspecs", "nope", "logo-32x32.png", raise_error=False)).code == 404
    r = await jp_fetch("kernelspecs", "echo", "link.txt", raise_error=False)
    assert r.code == 403
    assert b"secret" not in r.body


async def test_authentication_required(jp_fetch, echo_spec):
    r = await jp_fetch("api", "kernelspecs", headers={"Authorization": None}, raise_error=False)
    assert r.code == 403
    r = await jp_fetch("kernelspecs", "echo", "logo-32x32.png", headers={"Authorization": None}, raise_error=False)
    assert r.code == 302
    assert "/login" in r.headers["Location"]


async def test_spec_document_lists_kernel_paths(jp_fetch):
    doc = json.loads((await jp_fetch("api", "spec.yaml")).body)
    for path in ("/api/kernels", "/api/kernels/{kernel_id}/restart", "/api/kernelspecs", "/api/sessions/{session_id}"):
        assert path in doc["paths"]
    assert {"Kernel", "KernelSpec", "Session"} <= set(doc["definitions"])
