"""People extraction time against input size: it must grow linearly, on any input.

    python bench/bench_people_scaling.py [--sizes 1 2 4] [--data ../shared/data]

For each size in MB: random bytes (read as `indexer people` reads a file: UTF-8, bad bytes
replaced), random printable ASCII, and real text (Reuters-21578 story bodies from the shared
data, or the project's corpus when that is absent, repeated to the size). Prints the
CPU seconds of PeopleFinder.mentions (rules, lists loaded beforehand, one process, one
core; the fastest of --repeat runs)
and the ratio to the size before (linear: 2.0 per doubling; the target is <= 2.2).
"""

from __future__ import annotations

import argparse
import html
import random
import re
import string
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from indexer.enrich.people import PeopleFinder  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def real_text(data: Path, size: int) -> str:
    folder = data / "reuters21578"
    if folder.is_dir():
        bodies = []
        for path in sorted(folder.glob("reut2-*.sgm")):
            raw = path.read_bytes().decode("latin-1")
            bodies += [html.unescape(b) for b in re.findall(r"<BODY>(.*?)</BODY>", raw, re.S)]
        text = "\n\n".join(bodies)
    else:
        text = "\n\n".join(p.read_text() for p in sorted((ROOT / "corpus").rglob("*.txt")))
    return (text * (size // max(1, len(text)) + 1))[:size]


def inputs(kind: str, size: int, data: Path) -> str:
    rng = random.Random(size)
    if kind == "random bytes":
        return rng.randbytes(size).decode("utf-8", "replace")
    if kind == "random printable":
        return "".join(rng.choices(string.printable, k=size))
    return real_text(data, size)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 2, 4])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    finder = PeopleFinder.load(None)
    finder.mentions("Warm up: Prime Minister John Smith said on Monday.")
    print(f"{'input':<18}" + "".join(f"{size:>8g} MB" for size in args.sizes)
          + "   ratios per doubling")
    for kind in ("random bytes", "random printable", "real text"):
        seconds = []
        for size in args.sizes:
            text = inputs(kind, int(size * 1024 * 1024), args.data)
            best = float("inf")
            for _ in range(args.repeat):  # the fastest: what the machine's noise left alone
                started = time.process_time()
                finder.mentions(text)
                best = min(best, time.process_time() - started)
            seconds.append(best)
        ratios = [b / a for a, b in zip(seconds, seconds[1:], strict=False) if a]
        print(f"{kind:<18}" + "".join(f"{s:>9.2f}s" for s in seconds)
              + "   " + " ".join(f"{r:.2f}x" for r in ratios), flush=True)


if __name__ == "__main__":
    main()
