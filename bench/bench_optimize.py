"""`indexer optimize` with one merging process and with several, on copies of one index.

    python bench/bench_optimize.py INDEX [--workers 1 2] [--scratch DIR] [--repeat 3]

For each --workers value (interleaved: 1, 2, 1, 2 ... with --rounds), INDEX is copied to
the scratch folder, `indexer optimize --workers N` runs on the copy in a child process,
and its wall time, peak RSS (the child and its merging processes together, sampled from
/proc every 0.1 s), the segments before and after are printed; then bench_query's query
set runs on the result (median / p95, ms), so that two segments can be set beside one.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_ingest import watched  # noqa: E402
from bench_query import measure  # noqa: E402


def optimize(copy: Path, workers: int) -> dict:
    started = time.monotonic()
    stdout, _, peak = watched([sys.executable, "-m", "indexer", "optimize", "--index",
                               str(copy), "--workers", str(workers)],
                              f"optimize --workers {workers}")
    return {"seconds": time.monotonic() - started, "peak_rss_mb": peak,
            "said": stdout.strip()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index", type=Path)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="query passes per result")
    parser.add_argument("--scratch", type=Path, default=None)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-optimize-", dir=args.scratch))
    try:
        for round_ in range(1, args.rounds + 1):
            for workers in args.workers:
                copy = scratch / f"copy-{workers}"
                shutil.rmtree(copy, ignore_errors=True)
                shutil.copytree(args.index, copy)
                result = optimize(copy, workers)
                latencies, paragraphs, segments = measure(str(copy), args.repeat)
                ms = sorted(latency * 1000 for latency in latencies)
                p95 = ms[int(len(ms) * 0.95)]
                print(f"round {round_}  --workers {workers}: {result['said']}  "
                      f"({result['seconds']:.1f} s wall, peak RSS "
                      f"{result['peak_rss_mb']:.0f} MB); {paragraphs:,} paragraphs in "
                      f"{segments} segments: query median {statistics.median(ms):.1f} ms, "
                      f"p95 {p95:.1f} ms", flush=True)
                shutil.rmtree(copy)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
