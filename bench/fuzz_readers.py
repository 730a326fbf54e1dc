"""Fuzz every reader (and the query parser) for a while: the properties of
tests/test_fuzz.py, with many more cases and fresh random seeds.

    python bench/fuzz_readers.py [--minutes 10] [--formats reuters,trec,...] [--queries]

Prints, per target, the cases tried, the seconds spent, the slowest case, and any failure
(hypothesis shrinks it to a minimal input first). Exit code 1 when anything failed."""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fuzzing import inputs, queries, read_all  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402

from indexer import Index, QueryError  # noqa: E402
from indexer.formats import READERS  # noqa: E402

BATCH = settings(max_examples=500, deadline=None, database=None,
                 suppress_health_check=list(HealthCheck))


def fuzz(name: str, strategy, check, minutes: float) -> bool:
    cases, slowest, started = 0, 0.0, time.monotonic()

    @BATCH
    @given(strategy)
    def run(value) -> None:
        nonlocal cases, slowest
        began = time.perf_counter()
        check(value)
        slowest = max(slowest, time.perf_counter() - began)
        cases += 1

    try:
        while time.monotonic() - started < minutes * 60:
            run()
    except Exception as exc:  # the failures hypothesis shrank, each with where it arose
        print(f"{name:<12} FAILED after {cases} cases:")
        for failure in getattr(exc, "exceptions", [exc]):
            frame = traceback.extract_tb(failure.__traceback__)[-1]
            print(f"    {type(failure).__name__}: {failure} "
                  f"({frame.filename}:{frame.lineno} {frame.name})")
        return False
    print(f"{name:<12} {cases:>8} cases in {time.monotonic() - started:6.0f} s, "
          f"slowest {slowest * 1000:.0f} ms, no failure", flush=True)
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="per target")
    parser.add_argument("--formats", default=",".join(READERS))
    parser.add_argument("--queries", action="store_true", help="also fuzz the query parser")
    args = parser.parse_args()
    ok = True
    for fmt in [name for name in args.formats.split(",") if name]:  # --formats "": none
        ok &= fuzz(fmt, inputs(fmt), lambda data, fmt=fmt: read_all(fmt, data), args.minutes)
    if args.queries:
        import tempfile

        path = tempfile.mkdtemp(prefix="fuzz-index-")
        index = Index.create(path + "/index")
        index.ingest([str(ROOT / "corpus")])

        def search(text: str) -> None:
            try:
                index.search(text, limit=3)
            except QueryError:
                pass

        ok &= fuzz("queries", queries, search, args.minutes)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
