"""Soak test: kill the ingest with SIGKILL at random moments, many times.

    python bench/soak_kill.py [--trials 500] [--stories 200] [--workers 2]

Prints how many trials recovered exactly (see indexer/crashcheck.py)."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from indexer.crashcheck import run_trials  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=500)
    parser.add_argument("--stories", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as scratch:
        failures = run_trials(Path(scratch), args.trials, args.stories, args.seed, 3.0,
                              workers=args.workers)
    print(f"{args.trials - len(failures)} / {args.trials} trials recovered exactly "
          f"in {time.monotonic() - started:.0f}s")
    for failure in failures:
        print("  " + failure)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
