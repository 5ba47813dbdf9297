#!/usr/bin/env python3
"""Run the kernel start-up race tests at length, optionally on a busy machine.

    python3 tools/kernel_races.py                      # 200 rounds per test
    python3 tools/kernel_races.py --rounds 50 --load 2 # 50 rounds, two spinning processes
    python3 tools/kernel_races.py -k input            # extra arguments go to pytest

Each round starts fresh kernels (see packages/jupyter-server-core/tests/
test_kernel_races.py); a round that loses a message fails the run. The normal test
suite runs the same tests with a few rounds (KERNEL_RACE_ROUNDS, default 3).
Uses the development venv of ``tools/dev.py`` (``python3 tools/dev.py env`` first).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "packages" / "jupyter-server-core" / "tests" / "test_kernel_races.py"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=200, help="fresh kernels per test (default 200)")
    parser.add_argument("--parallel", type=int, default=2, help="kernels started side by side (default 2)")
    parser.add_argument("--load", type=int, default=0, help="processes spinning on the CPU meanwhile (default 0)")
    parser.add_argument("--python", default=str(ROOT / ".venv" / "bin" / "python"), help="the venv's python")
    args, rest = parser.parse_known_args()
    if args.rounds < 1 or args.parallel < 1 or args.load < 0:
        parser.error("--rounds and --parallel must be at least 1, --load at least 0")
    if not Path(args.python).exists():
        parser.error(f"no python at {args.python}: run `python3 tools/dev.py env` first")
    env = {**os.environ, "KERNEL_RACE_ROUNDS": str(args.rounds), "KERNEL_RACE_PARALLEL": str(args.parallel)}
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.load)]
    try:
        command = [args.python, "-m", "pytest", str(TESTS), "-q", "-p", "no:cacheprovider", "-o", "timeout=0", *rest]
        return subprocess.call(command, cwd=ROOT, env=env)
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


if __name__ == "__main__":
    sys.exit(main())
