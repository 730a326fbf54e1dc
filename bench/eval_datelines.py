"""Measure the dateline parser on the Reuters-21578 files in ../shared/data.

    python bench/eval_datelines.py [--data ../shared/data]

For every record with a <DATELINE>, the parser is fed the dateline inline, opening the
body's first paragraph as AP-style text carries it, and must recover the same city and date
as parsing the <DATELINE> element on its own. Also printed: how many datelines' cities
resolve to a country (through the state or country written, or the gazetteer).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from indexer.enrich.dateline import parse_dateline, split_dateline  # noqa: E402
from indexer.formats import reuters  # noqa: E402
from indexer.textio import decode  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def measure(data: Path, show: int = 0) -> dict[str, int]:
    counts: Counter[str] = Counter()
    misses: Counter[str] = Counter()
    for path in sorted((data / "reuters21578").glob("reut2-*.sgm")):
        for _attrs, record in reuters.records(decode(path.read_bytes())):
            element = re.sub(r"\s+", " ", reuters._clean(reuters._element(record, "DATELINE")))
            if not element.strip():
                continue
            counts["datelines"] += 1
            date = reuters.parse_date(reuters._clean(reuters._element(record, "DATE")))
            alone = parse_dateline(element, reference=date)
            body = reuters.paragraphs_of(reuters._element(record, "BODY")) or ["(no text)"]
            inline = split_dateline(f"{element.strip()} {body[0]}", reference=date)
            same = (alone is not None and inline is not None
                    and (alone.city, alone.date) == (inline[0].city, inline[0].date))
            if same or (alone is None and inline is None):
                counts["same"] += 1
            else:
                misses[element.strip()] += 1
            if alone is not None and alone.country:
                counts["country"] += 1
    if show:
        for text, n in misses.most_common(show):
            print(f"    {n:>4}  {text!r}")
    return dict(counts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--show", type=int, default=0, help="list the N commonest misses")
    args = parser.parse_args()
    if not (args.data / "reuters21578").is_dir():
        sys.exit(f"no Reuters-21578 data under {args.data}")
    counts = measure(args.data, args.show)
    total = counts["datelines"]
    print(f"Reuters-21578 datelines: {total}")
    print(f"  inline parse = element parse (city and date): {counts['same']} / {total} "
          f"({counts['same'] / total:.2%})")
    print(f"  cities resolved to a country: {counts['country']} / {total} "
          f"({counts['country'] / total:.2%})")


if __name__ == "__main__":
    main()
