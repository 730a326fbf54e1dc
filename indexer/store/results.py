"""Turning a user's query and filters into Whoosh queries, and Whoosh hits into typed Hits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from whoosh import query as wq

from .schema import KIND, STORY_ID
from .whoosh_ext import fast_analysis


@dataclass(frozen=True)
class DatelineInfo:
    raw: str
    city: str | None
    region: str | None
    agency: str | None
    country: str | None = None


@dataclass(frozen=True)
class ContextParagraph:
    """A paragraph shown around a hit (--context)."""

    paragraph: int
    text: str


@dataclass(frozen=True)
class Hit:
    """One ranked paragraph with its story's context. `to_dict()` is the JSON form."""

    rank: int
    score: float
    story_id: str
    paragraph: int
    paragraphs: int
    text: str
    headline: str
    dateline: DatelineInfo
    date: datetime | None
    people: list[str]
    tags: list[str]
    source: str
    highlights: list[tuple[int, int]] = field(default_factory=list, compare=False)
    version: int = 0
    superseded: bool = False  # a newer version exists, or the story was killed
    before: list[ContextParagraph] = field(default_factory=list, compare=False)
    after: list[ContextParagraph] = field(default_factory=list, compare=False)
    byline: str = ""

    def to_dict(self, with_version: bool = False, with_context: bool = False) -> dict:
        """The JSON form; with_version adds `version` and `superseded` (--all-versions),
        with_context adds `context` with the paragraphs `before` and `after` (--context)."""
        data = {
            "rank": self.rank,
            "score": round(self.score, 4),
            "story_id": self.story_id,
            "paragraph": self.paragraph,
            "paragraphs": self.paragraphs,
            "text": self.text,
            "headline": self.headline,
            "byline": self.byline,
            "dateline": {"raw": self.dateline.raw, "city": self.dateline.city,
                         "region": self.dateline.region, "country": self.dateline.country,
                         "agency": self.dateline.agency},
            "date": self.date.isoformat() if self.date else None,
            "people": self.people,
            "tags": self.tags,
            "source": self.source,
        }
        if with_version:
            data.update(version=self.version, superseded=self.superseded)
        if with_context:
            data["context"] = {
                "before": [{"paragraph": c.paragraph, "text": c.text} for c in self.before],
                "after": [{"paragraph": c.paragraph, "text": c.text} for c in self.after]}
        return data


def group_by_story(hits: list[Hit]) -> list[list[Hit]]:
    """Hits gathered by story (story id and version), stories in the order of their best
    hit, each story's hits in rank order: the results as a searcher reads news."""
    groups: dict[tuple[str, int], list[Hit]] = {}
    for hit in hits:
        groups.setdefault((hit.story_id, hit.version), []).append(hit)
    return list(groups.values())


def group_json(group: list[Hit], rank: int, with_version: bool = False,
               with_context: bool = False) -> dict:
    """One story of grouped results: the story's keys from its best hit, its rank among
    the stories and its best score, and `hits`, each a hit's JSON as it is."""
    best = group[0].to_dict(with_version)
    story = {key: best[key] for key in ("story_id", "paragraphs", "headline", "byline",
                                        "dateline", "date", "people", "tags", "source")}
    return {"rank": rank, "score": best["score"], **story,
            "hits": [hit.to_dict(with_version, with_context) for hit in group]}


def records(searcher, kind: str, field: str, value: str) -> list[dict]:
    """Stored fields of the documents of one kind whose `field` holds `value`. Not
    searcher.documents(kind=..., field=...): intersecting with the posting list of a kind,
    which names every paragraph, cost far more than looking `value` up."""
    found = (searcher.stored_fields(docnum)
             for docnum in searcher.docs_for_query(wq.Term(field, value)))
    return [fields for fields in found if fields.get(KIND) == kind]


def story_ids(searcher) -> Callable[[int], str]:
    """A document's story id by global docnum, from the sortable column (no stored
    fields), or from its stored fields where the index has no column."""
    reader = searcher.reader()
    if reader.has_column(STORY_ID):
        return reader.column_reader(STORY_ID).__getitem__
    return lambda docnum: searcher.stored_fields(docnum)[STORY_ID]


def highlight_spans(text: str, analyzer, matched: set[str]) -> list[tuple[int, int]]:
    """Character spans of the words in `text` whose analysed form is a matched term."""
    if not matched:
        return []
    fast = fast_analysis(analyzer)
    if fast is not None:
        return fast.spans(text, matched)
    return [(tok.startchar, tok.endchar)
            for tok in analyzer(text, chars=True, removestops=False)
            if tok.text in matched]


def split_keywords(value: str | None) -> list[str]:
    return [part for part in (value or "").split(",") if part]
