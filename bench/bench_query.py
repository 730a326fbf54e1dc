"""Query latency: median and p95 of a fixed query set, with and without filters.

    python bench/bench_query.py INDEX [INDEX_2 ...] [--repeat 3]

Queries of one to four words (taken from the news vocabulary of the generated corpora),
alone and with a person, place or date filter, run against each index; the first pass warms
the searcher and is not counted. With two indexes, the ratio of their medians is printed
(for 100k against 1M paragraphs it should stay well under the 10x of their sizes).
Then two more sets, as the ranking evaluation asks them: TREC-title-like queries (three
to six words, written here in the manner of TREC's ad hoc titles) for 10 hits, and the
1-4 word queries for `--limit 1000 --per-story 1` (a run a MAP is measured on).

Before the timed queries, a one-shot `indexer query` (a fresh process: open the index, answer
one query, print, exit) is timed with its peak memory, as a person at a terminal meets it:
with Python's bytecode cache on, as an installed package runs (a first, untimed run writes
it when PYTHONDONTWRITEBYTECODE had kept it from being written), the best of three runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from indexer import Index  # noqa: E402
from indexer.search.ranking import DEFAULT  # noqa: E402

QUERIES = ["oil", "gold prices", "interest rates", "coffee exports", "bank of japan",
           "trade deficit talks", "crude oil output opec", "wheat", "dollar yen",
           "stock market crash", "takeover bid shares", "federal reserve policy",
           "grain exports soviet union", "tax reform", "strike", "merger agreement"]
TITLES = ["oil price rise impact on airlines", "central bank interest rate decision",
          "coffee export quotas negotiations", "foreign debt rescheduling talks",
          "grain sales to the soviet union", "takeover bid for mining company",
          "trade surplus with the united states", "strike at car plant",
          "opec output ceiling agreement", "gold reserves of central banks",
          "currency market intervention by japan", "farm subsidies and trade policy"]
FILTERED = [("oil prices", {"place": "London"}), ("trade", {"tag": "usa"}),
            ("shares", {"since": "2025-03", "until": "2025-06"}),
            ("talks", {"person": "baker"})]


def one_shot(path: str, runs: int = 3) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one `indexer query` process, the best of `runs`
    after an untimed one."""
    root = Path(__file__).resolve().parent.parent
    env = {key: value for key, value in os.environ.items()
           if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(root)
    best = (float("inf"), 0.0)
    for run in range(runs + 1):
        started = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "indexer", "query", "--index", path,
                                  QUERIES[4]], stdout=subprocess.DEVNULL, cwd=root, env=env)
        _, status, usage = os.wait4(child.pid, 0)  # the child's own peak RSS
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        if child.returncode:
            raise SystemExit(f"indexer query exited {child.returncode}")
        if run and wall < best[0]:
            best = (wall, usage.ru_maxrss / 1024)
    return best


def measure(index: Index, repeat: int, queries: list[str],
            filtered: list[tuple[str, dict]], **options) -> list[float]:
    for query in queries:  # warm the searcher, its caches and the OS page cache
        index.search(query, **options)
    latencies = []
    for _ in range(repeat):
        for query in queries:
            started = time.perf_counter()
            index.search(query, **options)
            latencies.append(time.perf_counter() - started)
        for query, filters in filtered:
            started = time.perf_counter()
            index.search(query, **filters, **options)
            latencies.append(time.perf_counter() - started)
    return latencies


def summary(latencies: list[float]) -> tuple[float, float]:
    """(median, p95) in seconds."""
    latencies = sorted(latencies)
    return (statistics.median(latencies),
            latencies[max(0, int(len(latencies) * 0.95) - 1)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("indexes", nargs="+")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--paragraphs-only", action="store_true",
                        help="no story pass: paragraphs ranked on their own words (weight 0)")
    parser.add_argument("--no-feedback", action="store_true",
                        help="queries without pseudo-relevance feedback (on by default)")
    parser.add_argument("--feedback-depth", type=int, default=None,
                        help="feedback rescores this many stories of the first pass instead "
                             "of retrieving again (the ranking before re-retrieval: 100)")
    parser.add_argument("--quick", action="store_true",
                        help="the 1-4 word queries only (no TREC titles, no --limit 1000)")
    args = parser.parse_args()
    for path in args.indexes:  # before any index is open here: a child forked from a big
        wall, peak = one_shot(path)  # process would count that process's pages as its own
        print(f"{path}: one-shot `indexer query`: {wall:.2f} s wall, peak RSS {peak:.0f} MB")
    medians = []
    for path in args.indexes:
        options: dict = {"story_weight": 0.0} if args.paragraphs_only else {}
        if args.no_feedback:
            options["feedback"] = False
        if args.feedback_depth:
            options["ranking"] = DEFAULT.with_(feedback_depth=args.feedback_depth)
        index = Index.open(path)
        paragraphs, segments = index.paragraph_count(), index.segment_count()
        latencies = measure(index, args.repeat, QUERIES, FILTERED, **options)
        median, p95 = summary(latencies)
        medians.append((paragraphs, median))
        print(f"{path}: {paragraphs} paragraphs in {segments} segments, {len(latencies)} queries: "
              f"median {median * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms")
        if args.quick:
            continue
        median, p95 = summary(measure(index, args.repeat, TITLES, [], **options))
        print(f"{path}: TREC-title queries, 10 hits: median {median * 1000:.1f} ms, "
              f"p95 {p95 * 1000:.1f} ms")
        median, p95 = summary(measure(index, 1, QUERIES, [], limit=1000, per_story=1,
                                      **options))
        print(f"{path}: 1-4 words, --limit 1000 --per-story 1: median {median * 1000:.1f} ms, "
              f"p95 {p95 * 1000:.1f} ms")
    if len(medians) == 2:
        (small_n, small), (large_n, large) = sorted(medians)
        print(f"median ratio {large / small:.2f}x for {large_n / small_n:.1f}x the paragraphs")


if __name__ == "__main__":
    main()
