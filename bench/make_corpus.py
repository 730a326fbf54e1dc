"""Generate a wire corpus of a given size from real shared data, for the speed benchmarks.

    python bench/make_corpus.py OUT --paragraphs 100000 [--source reuters|corpus] [--seed N]
        [--first N] [--step-minutes M] [--layout ap|trec]

Stories of Reuters-21578 (../shared/data) or of the project's corpus/ are rewritten with
fresh ids and dates and their paragraphs shuffled, then written as AP-style text files, one
story a file, 1,000 files a folder (`--layout ap`), or as TREC newswire SGML with one file a
day, as the TREC AP collections are laid out (`--layout trec`: DOCNO, FILEID, HEAD,
DATELINE, TEXT with indented paragraphs wrapped at 72 columns; with `--step-minutes 2`,
about 720 stories and 3,400 paragraphs a file). The output stays outside the repository: it
is derived from research-only text.
"""

from __future__ import annotations

import argparse
import random
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from indexer.formats import parse_file  # noqa: E402
from indexer.model import Story  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data"


def source_stories(source: str, data: Path) -> list[Story]:
    if source == "corpus":
        files = sorted((ROOT / "corpus").rglob("*.txt"))
    else:
        files = sorted((data / "reuters21578").glob("reut2-*.sgm"))
    stories = []
    for path in files:
        stories += [s for s in parse_file(path.read_bytes(), path.stem, str(path)).stories
                    if len(s.paragraphs) >= 2]
    return stories


@dataclass
class Drawn:
    """A story drawn for the corpus: its new number and date, its lead and its other
    paragraphs shuffled."""

    number: int
    when: datetime
    story: Story
    lead: str
    rest: list[str]

    @property
    def city(self) -> str:
        return (self.story.dateline.city or "New York").upper()

    @property
    def headline(self) -> str:
        headline = self.story.headline
        return (headline.title() if headline.isupper() else headline) or "Untitled"


def render(drawn: Drawn) -> str:
    """One AP-style text file."""
    parts = [f"{drawn.headline} ({drawn.number})",
             drawn.when.strftime("%b. %d, %Y %I:%M %p") + " GMT",
             f"{drawn.city} (Reuters) - {drawn.lead}", *drawn.rest,
             "filed under: " + ", ".join(drawn.story.tags)]
    return "\n\n".join(parts) + "\n"


def render_trec(drawn: Drawn, in_day: int) -> str:
    """One <DOC> of a TREC AP file."""
    when = drawn.when
    text = "\n".join(textwrap.fill(paragraph, 72, initial_indent="   ")
                     for paragraph in [drawn.lead, *drawn.rest])
    return (f"<DOC>\n<DOCNO> AP{when:%y%m%d}-{in_day:04d} </DOCNO>\n"
            f"<FILEID>AP-NR-{when:%m-%d-%y %H%M}EST</FILEID>\n"
            f"<HEAD>{escape(drawn.headline)} ({drawn.number})</HEAD>\n"
            f"<DATELINE>{escape(drawn.city)} (AP) </DATELINE>\n"
            f"<TEXT>\n{escape(text)}\n</TEXT>\n</DOC>\n")


def generate(stories: list[Story], paragraphs: int, seed: int,
             first: int = 0, step: float = 7.0) -> Iterator[Drawn]:
    rng = random.Random(seed)
    start = datetime(2025, 1, 1)
    written, number = 0, first
    while written < paragraphs:
        story = rng.choice(stories)
        rest = story.paragraphs[1:]
        rng.shuffle(rest)
        yield Drawn(number, start + timedelta(minutes=step * number), story,
                    story.paragraphs[0], rest)
        written += len(story.paragraphs)
        number += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--paragraphs", type=int, default=100_000)
    parser.add_argument("--source", choices=["reuters", "corpus"], default="reuters")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--first", type=int, default=0,
                        help="number of the first story (its id and date follow from it)")
    parser.add_argument("--step-minutes", type=float, default=7.0,
                        help="minutes between two stories' dates (1M paragraphs at 3: "
                             "a year, 12 monthly shards)")
    parser.add_argument("--layout", choices=["ap", "trec"], default="ap",
                        help="one AP-style text file a story, or one TREC SGML file a day")
    args = parser.parse_args()
    stories = source_stories(args.source, args.data)
    if args.layout == "trec":
        write_trec(stories, args)
        return
    count = 0
    for drawn in generate(stories, args.paragraphs, args.seed, args.first,
                          args.step_minutes):
        folder = args.out / f"{drawn.number // 1000:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"story-{drawn.number:07d}.txt").write_text(render(drawn), encoding="utf-8")
        count += 1
    print(f"{count} stories, about {args.paragraphs} paragraphs -> {args.out}")


def write_trec(stories: list[Story], args: argparse.Namespace) -> None:
    """Stories as TREC AP files, one a day (named as TREC's: ap880212)."""
    args.out.mkdir(parents=True, exist_ok=True)
    count = files = 0
    drawn = generate(stories, args.paragraphs, args.seed, args.first, args.step_minutes)
    for day, of_day in groupby(drawn, key=lambda d: d.when.date()):
        docs = [render_trec(d, in_day) for in_day, d in enumerate(of_day, 1)]
        (args.out / f"ap{day:%y%m%d}").write_text("".join(docs), encoding="utf-8")
        count += len(docs)
        files += 1
    print(f"{count} stories in {files} TREC files, about {args.paragraphs} paragraphs "
          f"-> {args.out}")


if __name__ == "__main__":
    main()
