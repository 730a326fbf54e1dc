"""The one data model every wire format reader produces and the index consumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime


@dataclass(frozen=True)
class Dateline:
    """Where and by whom a story was filed, as parsed from its dateline."""

    raw: str = ""
    city: str | None = None
    region: str | None = None  # state or country as a full name ("Illinois", "Australia")
    country: str | None = None
    agency: str | None = None
    date: datetime | None = None  # only when the dateline itself carries one (Reuters)


@dataclass
class Story:
    """One wire story, whatever format it arrived in."""

    story_id: str
    paragraphs: list[str]
    headline: str = ""
    dateline: Dateline = field(default_factory=Dateline)
    date: datetime | None = None  # naive UTC (see naive_utc)
    byline: str = ""
    people: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    source: str = ""
    format: str = ""
    # Versions: every resend of a story shares its key (agency + slug, guid, uri); the
    # highest version wins, and a kill (status "canceled") removes the story from results.
    key: str = ""
    version: int = 0
    status: str = "usable"  # "usable" | "canceled"
    # set when read back from an index: a newer version or a kill replaces this one
    superseded: bool = False

    def __post_init__(self) -> None:
        if not self.key:
            self.key = self.story_id

    def to_dict(self) -> dict:
        """The JSON form of a story (`indexer story --json`): the same keys as a hit's for
        the same things, and its version and whether a newer version or a kill replaced
        it."""
        dateline = self.dateline
        return {
            "story_id": self.story_id, "headline": self.headline, "byline": self.byline,
            "dateline": {"raw": dateline.raw, "city": dateline.city, "region": dateline.region,
                         "country": dateline.country, "agency": dateline.agency},
            "date": self.date.isoformat() if self.date else None, "people": self.people,
            "tags": self.tags, "source": self.source, "format": self.format, "key": self.key,
            "version": self.version, "status": self.status, "superseded": self.superseded,
            "paragraphs": self.paragraphs,
        }


def naive_utc(value: datetime) -> datetime:
    """Whoosh hands aware and naive datetimes back inconsistently: store naive UTC only."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value
