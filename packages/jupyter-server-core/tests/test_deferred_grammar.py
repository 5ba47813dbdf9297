"""jsonschema's IRI format checker keeps working while its grammar is built on first use."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytest.importorskip("rfc3987_syntax")

PROBE = """
import json, sys
import jupyter_server_core
import jsonschema
after_import = "lark" in sys.modules
checker = jsonschema.FormatChecker()
answers = [checker.conforms(v, f) for v, f in (
    ("http://example.com/\\u00e4", "iri"), ("not an iri", "iri"), ("//host/path", "iri-reference"))]
import rfc3987_syntax
print(json.dumps({"lark_after_import": after_import, "answers": answers,
                  "lark_after_check": "lark" in sys.modules,
                  "direct": rfc3987_syntax.is_valid_syntax_iri("http://a/b"),
                  "module_attr": hasattr(rfc3987_syntax, "syntax_parser") or
                                 hasattr(rfc3987_syntax, "is_valid_syntax")}))
"""


def run_probe() -> dict[str, object]:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_grammar_waits_for_the_first_check_and_answers_as_before():
    found = run_probe()
    assert found["lark_after_import"] is False
    assert found["answers"] == [True, False, True]
    assert found["lark_after_check"] is True
    assert found["direct"] is True
    assert found["module_attr"] is True
