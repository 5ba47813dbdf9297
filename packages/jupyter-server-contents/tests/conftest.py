"""Every test here runs a server with the contents extension enabled."""

from __future__ import annotations

import json
from typing import Any

import pytest


@pytest.fixture
def jp_extensions() -> dict[str, bool]:
    return {"jupyter_server_contents": True}


def _notebook(source: str = "1+1", cells: int = 1) -> dict[str, Any]:
    return {
        "cells": [
            {"cell_type": "code", "execution_count": None, "id": f"cell{i}", "metadata": {},
             "outputs": [], "source": source}
            for i in range(cells)
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


@pytest.fixture
def make_notebook() -> Any:
    """``make_notebook(source="1+1", cells=1)``: a small valid nbformat 4 notebook dict."""
    return _notebook


@pytest.fixture
def contents(jp_fetch: Any) -> Any:
    """``await contents("GET", "a/b.txt", body=..., params=...)`` -> (status, json or None, response)."""

    async def call(method: str, path: str = "", suffix: str = "", **kwargs: Any) -> tuple[int, Any, Any]:
        parts = ["api", "contents"] + ([path] if path else [])
        if suffix:
            parts.append(suffix)
        r = await jp_fetch(*parts, method=method, raise_error=False, **kwargs)
        try:
            body = json.loads(r.body) if r.body else None
        except ValueError:
            body = None
        return r.code, body, r

    return call
