"""The example in docs/extension-author-guide.md is the example these tests run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

HERE = Path(__file__).parent
GUIDE = HERE.parents[2] / "docs" / "extension-author-guide.md"
FILES = ["__init__.py", "_app.py", "_handlers.py", "templates/page.html", "static/example.css"]


@pytest.mark.parametrize("name", FILES)
def test_guide_shows_the_tested_example_file(name):
    text = GUIDE.read_text(encoding="utf-8")
    match = re.search(rf"^`example_ext/{re.escape(name)}`:\n\n```\w*\n(.*?)^```$", text, re.M | re.S)
    assert match, f"the guide has no code block for example_ext/{name}"
    shown = match.group(1).strip()
    source = (HERE / "example_ext" / name).read_text(encoding="utf-8").strip()
    if name.endswith(".py"):  # the guide leaves out the module docstring
        source = source.split('"""', 2)[2].strip()
    assert shown == source
