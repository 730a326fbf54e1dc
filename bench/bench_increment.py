"""The nightly increment: a run over unchanged files, and new stories into a big index.

    python bench/bench_increment.py CORPUS_DIR INDEX [--new 2000] [--workers 2] [--nights 30]

CORPUS_DIR must already be ingested into INDEX. Prints the seconds for a second run over
CORPUS_DIR (nothing changed, nothing may be written) and for ingesting `--new` fresh
stories (made by bench/make_corpus.py with another seed) into the same index; with
--nights N, N such increments one after the other (a month of nightly runs), each with
its merges and the segments it leaves (query latency after: bench/bench_query.py).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer import Index  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("index", type=Path)
    parser.add_argument("--new", type=int, default=2000, help="new stories to add")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--nights", type=int, default=1, help="increments, one after another")
    args = parser.parse_args()
    index = Index.open(str(args.index))
    files = sum(1 for p in args.corpus.rglob("*") if p.is_file())
    started = time.monotonic()
    report = index.ingest([str(args.corpus)], workers=args.workers)
    seconds = time.monotonic() - started
    print(f"unchanged run over {files} files: {seconds:.2f}s "
          f"({report.unchanged} unchanged, {report.commits} commits); "
          f"{seconds / files * 100_000:.1f}s per 100,000 files")
    slowest = 0.0
    for night in range(args.nights):
        with tempfile.TemporaryDirectory(dir=args.corpus.parent) as scratch:
            fresh = Path(scratch, "new")
            subprocess.run([sys.executable, str(ROOT / "bench" / "make_corpus.py"), str(fresh),
                            "--paragraphs", str(args.new * 8), "--seed", str(99 + night),
                            "--first", str(10_000_000 * (night + 1))],
                           check=True, capture_output=True)
            stories = sorted(fresh.rglob("*.txt"))[: args.new]
            keep = set(stories)
            for extra in fresh.rglob("*.txt"):
                if extra not in keep:
                    extra.unlink()
            before = index.paragraph_count()
            started = time.monotonic()
            report = index.ingest([str(fresh)], workers=args.workers)
            seconds = time.monotonic() - started
        slowest = max(slowest, seconds)
        print(f"{'night ' + str(night + 1) + ': ' if args.nights > 1 else ''}"
              f"{report.added} new stories ({report.paragraphs} paragraphs) into {before} "
              f"paragraphs: {seconds:.1f}s; {report.merges} merges "
              f"({report.merged_documents} documents), {index.segment_count()} segments")
    if args.nights > 1:
        print(f"slowest increment: {slowest:.1f}s")


if __name__ == "__main__":
    main()
