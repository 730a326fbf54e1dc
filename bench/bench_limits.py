"""Peak memory and time of `indexer ingest` on single inputs at the size limits.

    python bench/bench_limits.py [--scratch /tmp/limits]

Writes (outside the repository) a TREC file just under the 64 MiB file limit, one AP-style
story just under the 1,000,000-character story limit, the same story 20 times over (which
must be refused), a gzip of 2 GiB of zeros, and 40,000 lines with no dateline; ingests each
alone in a fresh process and prints wall seconds, peak RSS of the process tree and exit code.
The target: under 500 MB for every input, time linear in the input."""

from __future__ import annotations

import argparse
import gzip
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from bench_ingest import tree_rss_mb  # noqa: E402

WORDS = ("the government said on monday that harbor cranes and grain exports would rise as "
         "talks with union leaders resumed in the capital").split()


def paragraph(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def make_inputs(folder: Path) -> list[Path]:
    rng = random.Random(20261130)
    folder.mkdir(parents=True, exist_ok=True)
    trec = folder / "day.trec"
    with open(trec, "w") as f:
        number = 0
        while f.tell() < 63_000_000:
            f.write(f"<DOC>\n<DOCNO> AP900101-{number:05d} </DOCNO>\n<HEAD>Story {number}"
                    "</HEAD>\n<TEXT>\n")
            f.writelines("   " + paragraph(rng, 40) + "\n" for _ in range(12))
            f.write("</TEXT>\n</DOC>\n")
            number += 1
    story = "\n\n".join(paragraph(rng, 160) for _ in range(1000))
    (folder / "long-story.txt").write_text(f"Long story\n\nBEIRUT (AP) — {story}\n")
    (folder / "too-long-story.txt").write_text(f"Too long\n\nBEIRUT (AP) — {story * 20}\n")
    with gzip.open(folder / "zeros.gz", "wb") as g:
        for _ in range(2048):
            g.write(b"\0" * (1 << 20))
    (folder / "no-dateline.txt").write_text(
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit sed do eiusmod.\n" * 40_000)
    return sorted(folder.iterdir())


def measure(path: Path, index: Path) -> tuple[float, float, int]:
    shutil.rmtree(index, ignore_errors=True)
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "indexer", "ingest", str(path),
                                "--index", str(index), "--quiet"], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, tree_rss_mb(process.pid))
        time.sleep(0.05)
    return time.monotonic() - started, peak, process.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scratch", default="/tmp/indexer-limits")
    args = parser.parse_args()
    scratch = Path(args.scratch)
    for path in make_inputs(scratch / "inputs"):
        seconds, peak, code = measure(path, scratch / "index")
        print(f"{path.name:<20} {path.stat().st_size / 1e6:7.1f} MB  {seconds:7.1f} s  "
              f"peak RSS {peak:6.0f} MB  exit {code}", flush=True)


if __name__ == "__main__":
    main()
