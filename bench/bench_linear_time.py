"""Readers on hostile and growing input: time grows with the input, never with its square.

    python bench/bench_linear_time.py

Prints, for each wire format, the fastest of three reads of a sample grown 20 and 200
times and their ratio (linear: about 10; quadratic: about 100; the target is under 20);
the same for text with no blank line and no dateline (each line was once tried as a
dateline with the rest of the block joined again); and how long an XML entity bomb and a
50 MB single line take to be refused (targets: 1 s and 5 s). These were timed unit tests;
a busy machine failed them, so they are measured here, where the figures are printed.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from samples import BILLION_LAUGHS, FORMATS, grown  # noqa: E402

from indexer.errors import WireFormatError  # noqa: E402
from indexer.formats import parse_file, read_stories  # noqa: E402


def best_seconds(call: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - started)
    return best


def refused(data: bytes) -> None:
    try:
        parse_file(data, "x")
    except WireFormatError:
        return
    raise AssertionError("accepted what should be refused")


def main() -> None:
    print(f"{'input':<28} {'x20 s':>9} {'x200 s':>9} {'ratio':>7}  (target: under 20)")
    for fmt in FORMATS:
        few, many = grown(fmt, 20), grown(fmt, 200)
        small = best_seconds(lambda data=few: read_stories(data, "s"))
        large = best_seconds(lambda data=many: read_stories(data, "s"))
        print(f"{fmt:<28} {small:>9.4f} {large:>9.4f} {large / max(small, 1e-6):>7.1f}")
    line = "Lorem ipsum dolor sit amet, consectetur adipiscing elit sed do eiusmod.\n"
    small = best_seconds(lambda: refused((line * 4000).encode()))
    large = best_seconds(lambda: refused((line * 40000).encode()))
    print(f"{'text, no dateline (x10)':<28} {small:>9.4f} {large:>9.4f} "
          f"{large / max(small, 1e-6):>7.1f}  (linear: 10)")
    print(f"XML entity bomb refused in {best_seconds(lambda: refused(BILLION_LAUGHS)):.4f} s "
          "(target: 1 s)")
    long_line = b"BEIRUT (AP) - " + b"x" * (50 * 1024 * 1024)
    print(f"50 MB single line refused in {best_seconds(lambda: refused(long_line)):.3f} s "
          "(target: 5 s)")


if __name__ == "__main__":
    main()
