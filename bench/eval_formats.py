"""Print how the wire format readers do on the real samples in ../shared/data.

    python bench/eval_formats.py [--data ../shared/data]

Figures: for every sample under formats/, the detected format, stories and any rejection;
for Reuters-21578, stories indexed vs <REUTERS> records present, the share of records whose
<DATELINE> city the reader recovers, and the recall of <PEOPLE> names among the people
extracted from the text alone (the <PEOPLE> element ignored).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from indexer import Index, extract_people  # noqa: E402
from indexer.errors import WireFormatError  # noqa: E402
from indexer.formats import detect, parse_file, reuters  # noqa: E402
from indexer.textio import decode  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def format_samples(data: Path) -> None:
    print("== formats/: every sample ingested into a scratch index")
    folder = data / "formats"
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        raw = path.read_bytes()
        try:
            fmt = detect(raw)
            parsed = parse_file(raw, path.stem, str(path))
            outcome = f"{len(parsed.stories)} stories" + (
                f", {len(parsed.problems)} records rejected: {parsed.problems}"
                if parsed.problems else "")
        except WireFormatError as exc:
            fmt, outcome = "-", f"REJECTED: {exc}"
        print(f"  {path.relative_to(folder)!s:<75} {fmt:<11} {outcome}")
    with tempfile.TemporaryDirectory() as scratch:
        report = Index.create(scratch).ingest([str(folder)])
    print(f"  ingest: {report.summary()}")


def _truth_city(element: str) -> str:
    """The city as the <DATELINE> element writes it: the text before its first comma
    (none when the element holds only a date, as in `APRIL 7 -`)."""
    text = re.sub(r"\s+", " ", element).strip().rstrip("-").strip()
    first = text.split(",")[0].strip()
    return "" if re.fullmatch(r"[A-Za-z]{3,9}\.? \d{1,2}", first) else first


def names_match(code: str, name: str) -> bool:
    """A <PEOPLE> code names the person when its words end the extracted name: most codes
    are surnames alone (`reagan` -> Ronald Reagan), some are full (`james-baker`)."""
    wanted = reuters.person_from_code(code).lower().split()
    have = name.lower().split()
    return have[-len(wanted):] == wanted


def reuters_figures(data: Path) -> None:
    print("== reuters21578/")
    records = stories = city_total = city_ok = 0
    people_total = people_found = 0
    started = time.monotonic()
    for path in sorted((data / "reuters21578").glob("reut2-*.sgm")):
        raw = path.read_bytes()
        parsed = parse_file(raw, path.stem, str(path), "reuters")
        stories += len(parsed.stories)
        by_id = {s.story_id: s for s in parsed.stories}
        for attrs, record in reuters.records(decode(raw)):
            records += 1
            story = by_id.get(attrs.get("NEWID", ""))
            element = reuters._clean(reuters._element(record, "DATELINE"))
            if element.strip():
                city_total += 1
                if story and (story.dateline.city or "").lower() == _truth_city(element).lower():
                    city_ok += 1
            codes = reuters._codes(record, "PEOPLE")
            if codes and story:
                text = "\n\n".join(story.paragraphs)
                found = [name.lower() for name in extract_people(text)]
                for code in codes:
                    people_total += 1
                    if any(names_match(code, name) for name in found):
                        people_found += 1
    seconds = time.monotonic() - started
    print(f"  stories indexed / records present: {stories} / {records} "
          f"({stories / records:.2%})")
    print(f"  <DATELINE> city recovered: {city_ok} / {city_total} ({city_ok / city_total:.2%})")
    print(f"  <PEOPLE> recall from the text alone: {people_found} / {people_total} "
          f"({people_found / people_total:.2%})")
    print(f"  parsed in {seconds:.1f}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    if not args.data.is_dir():
        sys.exit(f"no shared data at {args.data}")
    format_samples(args.data)
    reuters_figures(args.data)


if __name__ == "__main__":
    main()
