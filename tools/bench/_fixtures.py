"""The same files for both servers: a 52-entry folder, a 10,000-file folder, a 21 MB notebook."""

from __future__ import annotations

import json
from pathlib import Path


def _notebook(cells: int, text_per_cell: int) -> dict:
    line = "x" * 79 + "\n"
    source = line * (text_per_cell // 80)
    return {
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "cells": [
            {"cell_type": "code", "id": f"cell-{i}", "metadata": {}, "execution_count": i,
             "source": f"print({i})", "outputs": [{"output_type": "stream", "name": "stdout", "text": source}]}
            for i in range(cells)
        ],
    }


def make_fixtures(root: Path) -> None:
    listing = root / "listing52"
    listing.mkdir()
    for i in range(40):
        (listing / f"file{i:02d}.txt").write_text(f"file {i}\n" * 20)
    for i in range(8):
        (listing / f"notebook{i}.ipynb").write_text(json.dumps(_notebook(5, 400)))
    for i in range(4):
        (listing / f"folder{i}").mkdir()
    big = root / "files10000"
    big.mkdir()
    for i in range(10_000):
        (big / f"f{i:05d}.txt").write_text("x")
    # About 21 MB on disk: 2,000 cells of ~10.5 kB output each.
    (root / "big.ipynb").write_text(json.dumps(_notebook(2_000, 10_500)))
