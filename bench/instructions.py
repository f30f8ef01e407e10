#!/usr/bin/env python3
"""Instructions per event of `clean_event`, counted by valgrind: a noise-free cost measure.

CPU time on a shared 2-core VM swings by ±30 % between runs (other tenants evict the caches);
the number of instructions executed does not. This runs `bench/normalize.py --loop` under
`valgrind --tool=cachegrind --cache-sim=no` with 1 and with 3 passes over the events (caches
cleared before each pass, as in the timed benchmark) and prints the difference per event, so
interpreter start-up and imports cancel out. Use it to compare two commits; instructions are a
proxy, not a time (a cache miss costs more than an instruction).

Needs valgrind (Debian: `apt-get install valgrind`). Takes about a minute. Run from the repo root:
    .venv/bin/python bench/instructions.py [--generated] [--worker-gc]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agents.core import BUILD as CORE_BUILD  # noqa: E402


def instructions(passes: int, extra: list[str]) -> tuple[int, int]:
    """(instructions executed, events per pass) for `passes` untimed passes."""
    result = subprocess.run(
        [
            "valgrind",
            "--tool=cachegrind",
            "--cache-sim=no",
            "--cachegrind-out-file=/dev/null",
            sys.executable,
            str(ROOT / "bench" / "normalize.py"),
            "--loop",
            str(passes),
            *extra,
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    match = re.search(r"I\s+refs:\s+([\d,]+)", result.stderr)
    if match is None:
        raise SystemExit(f"no instruction count in valgrind's output:\n{result.stderr[-2000:]}")
    return int(match.group(1).replace(",", "")), int(result.stdout.split()[-1])


def main() -> None:
    """Print instructions per event."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generated", action="store_true", help="use the built-in generator")
    parser.add_argument("--worker-gc", action="store_true", help="collect garbage as the worker does")
    args = parser.parse_args()
    extra = ["--generated"] if args.generated else []
    if args.worker_gc:
        extra.append("--worker-gc")
    one, events = instructions(1, extra)
    three, _ = instructions(3, extra)
    per_event = (three - one) / (2 * events)
    print(f"clean_event: {per_event:,.0f} instructions per event ({events} events; core {CORE_BUILD})")


if __name__ == "__main__":
    main()
