"""Hostile queries on a large index: each must answer or be refused within 2 s and 200 MB.

    python bench/bench_hostile_queries.py INDEX [--check]

Runs each query of the fault probe (wildcards that open a word, patterns that stand for
much of the lexicon, ranges over it, a 1,999-character word, twenty prefixes) as
`indexer query QUERY` in a process of its own, and prints its exit code, wall time and
peak RSS (the process's own, from getrusage), then the same for a few patterns the
index answers. With --check, also times `indexer check` (every byte of every segment
against its checksum, then the records) and the checksum pass alone.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PREFIXES = "ab ca de fo gr ha in ja ke lo ma ne ob pa qu ra sa ta un vo".split()
HOSTILE = ["?*", "*a*", "*?*?*?*?*?*?*?*?", "a*", "{a TO b}", "body:[a TO zzzz]",
           "x" * 1999, " ".join(p + "*" for p in PREFIXES)]
ANSWERED = ["ab*", "pri*", "ab* cd* ef*", "oil~ gas~", "body:[oil TO oim]"]


def run(args: list[str]) -> tuple[int, float, float]:
    """(exit code, seconds, peak RSS in MB) of `indexer ARGS` in a process of its own,
    measured by /usr/bin/time."""
    done = subprocess.run(["/usr/bin/time", "-f", "%e %M", sys.executable, "-m", "indexer",
                           *args], cwd=ROOT, capture_output=True, timeout=600)
    seconds, kilobytes = done.stderr.decode().strip().splitlines()[-1].split()
    return done.returncode, float(seconds), int(kilobytes) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("index")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    print(f"{'query':<36} {'exit':>4} {'seconds':>8} {'peak MB':>8}")
    for query in HOSTILE + ANSWERED:
        code, seconds, rss = run(["query", query, "--index", args.index])
        shown = query if len(query) <= 34 else query[:20] + f"... ({len(query)} chars)"
        print(f"{shown:<36} {code:>4} {seconds:>8.2f} {rss:>8.0f}", flush=True)
    if args.check:
        from indexer import Index
        from indexer.store import checksums

        index = Index.open(args.index)
        started = time.monotonic()
        checksums.verify_segments(index.path, index.whoosh_index._segments(), full=True)
        print(f"checksums of every segment file: {time.monotonic() - started:.2f} s")
        code, seconds, _ = run(["check", "--index", args.index])
        print(f"indexer check: exit {code}, {seconds:.1f} s")


if __name__ == "__main__":
    main()
