"""The one mapping between a Story and the records the index stores, both ways.

Each story is stored as one record per paragraph (kind "paragraph": what a query ranks
and returns) and one story record (kind "story": the story pass, feedback, versions).
Every record carries the story's common fields, so a hit needs no second lookup. Reading
back, the same field names give the Story, a Hit, and their JSON forms.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..model import Dateline, Story, naive_utc
from .results import DatelineInfo, Hit, split_keywords
from .schema import (
    KIND,
    KIND_PARAGRAPH,
    KIND_STORY,
    STORY_ID,
    STORY_KEY,
    build_schema,
    encode_terms,
)
from .whoosh_ext import JoinedText, active, fast_analysis

# -- writing


def _story_fields(story: Story) -> dict:
    """The fields every record of a story carries, paragraphs and story record alike."""
    dateline = story.dateline
    fields = {
        STORY_ID: story.story_id,
        "paragraphs": len(story.paragraphs),
        "headline": story.headline,
        "dateline": dateline.raw,
        "city": dateline.city or "",
        "region": dateline.region or "",
        "country": dateline.country or "",
        "agency": dateline.agency or "",
        "byline": story.byline,
        "people": ",".join(story.people),
        "tags": ",".join(story.tags),
        "source": story.source,
        "format": story.format,
        STORY_KEY: story.key,
        "version": story.version,
        "status": story.status,
    }
    if story.date is not None:
        fields["date"] = naive_utc(story.date)
    return fields


def paragraph_documents(story: Story) -> Iterator[dict]:
    """One record per paragraph: the unit a query ranks and returns."""
    common, own = paragraph_records(story)
    for fields in own:
        yield {**common, **fields}


def paragraph_records(story: Story) -> tuple[dict, list[dict]]:
    """The paragraph records as the fields they all carry and each one's own (a writer's
    add_documents adds the first once for all)."""
    common = {**_story_fields(story), KIND: KIND_PARAGRAPH}
    return common, [{"id": f"{story.story_id}#{number}", "paragraph": number, "body": text}
                    for number, text in enumerate(story.paragraphs, start=1)]


_TEXT_ANALYZER = build_schema()["fulltext"].analyzer
_TEXT = fast_analysis(_TEXT_ANALYZER)


def _counts(texts: Iterable[str]) -> dict[str, int]:
    """Each analysed word of the texts (as the fulltext field analyses them) and how often
    it occurs."""
    counts: dict[str, int] = {}
    fast = _TEXT if active() else None  # else Whoosh's own analysis
    for text in texts:
        if fast is not None:
            for word, positions in fast.positions(text).items():
                counts[word] = counts.get(word, 0) + len(positions)
        else:
            for token in _TEXT_ANALYZER(text):
                counts[token.text] = counts.get(token.text, 0) + 1
    return counts


def story_document(story: Story) -> dict:
    """One record per story: its whole text for story-level ranking, its words and their
    counts for feedback, and its key and version for deciding which version is current
    (indexer.store.versions)."""
    fields = _story_fields(story)
    fields["story_headline"] = fields.pop("headline")  # see schema: story pass fields only
    return {**fields, KIND: KIND_STORY,
            "id": f"story:{story.story_id}@{story.version}:{story.source}",
            # analysed from its paragraphs' analyses, just made (whoosh_ext)
            "fulltext": JoinedText(story.paragraphs),
            "story_terms": encode_terms(_counts(story.paragraphs), _counts([story.headline]))}


# -- reading


def record_key(record: dict) -> str:
    """The key that groups a record's versions (records from before keys: its story id)."""
    return record.get(STORY_KEY) or record[STORY_ID]


def record_version(record: dict) -> int:
    return record.get("version", 0)


def dateline_of(record: dict) -> Dateline:
    return Dateline(raw=record.get("dateline", ""), city=record.get("city") or None,
                    region=record.get("region") or None,
                    country=record.get("country") or None,
                    agency=record.get("agency") or None)


def story_from_records(paragraphs: list[dict], superseded: bool = False) -> Story:
    """A story from its paragraph records (one version's, any order)."""
    # one record per paragraph number (the same version read from two files twice)
    numbered = {record["paragraph"]: record for record in reversed(paragraphs)}
    ordered = [numbered[number] for number in sorted(numbered)]
    first = ordered[0]
    return Story(
        story_id=first[STORY_ID],
        paragraphs=[record["body"] for record in ordered],
        headline=first.get("headline", ""),
        dateline=dateline_of(first),
        date=first.get("date"),
        byline=first.get("byline", ""),
        people=split_keywords(first.get("people")),
        tags=split_keywords(first.get("tags")),
        source=first.get("source", ""),
        format=first.get("format", ""),
        key=first.get(STORY_KEY, ""),
        version=record_version(first),
        status=first.get("status", "usable"),
        superseded=superseded,
    )


def hit_from_record(rank: int, score: float, record: dict, spans: list[tuple[int, int]],
                    superseded: bool = False) -> Hit:
    """A hit from a paragraph record."""
    dateline = dateline_of(record)
    return Hit(
        rank=rank,
        score=score,
        story_id=record[STORY_ID],
        paragraph=record["paragraph"],
        paragraphs=record["paragraphs"],
        text=record["body"],
        headline=record.get("headline", ""),
        dateline=DatelineInfo(raw=dateline.raw, city=dateline.city, region=dateline.region,
                              agency=dateline.agency, country=dateline.country),
        date=record.get("date"),
        people=split_keywords(record.get("people")),
        tags=split_keywords(record.get("tags")),
        source=record.get("source", ""),
        highlights=spans,
        version=record_version(record),
        superseded=superseded,
        byline=record.get("byline", ""),
    )
