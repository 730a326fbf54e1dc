"""Which version of a story is current.

Agencies resend a story as it develops (AP "2nd Ld-Writethru", Reuters "UPDATE 2",
NewsML/ninjs version numbers) and sometimes kill it. Every indexed story carries its key
(agency + slug, guid or uri) and version, and so does its story record (kind "story").
The current story of a key is the one with the highest (version, date); when that one is a
kill, the key has no current story. Deciding this when a query runs, not when a file
arrives, makes the answer independent of arrival order, and deleting or pruning a newer
version brings the older one back without rewriting anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from whoosh.searching import Searcher

from .documents import record_key, record_version
from .search import records


@dataclass(frozen=True)
class VersionInfo:
    story_id: str
    version: int
    date: datetime | None
    status: str

    def order(self) -> tuple:
        return (self.version, self.date or datetime.min, self.story_id)


class CurrentVersions:
    """Answers "is this the current version?" for one searcher, caching per key."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self._winner: dict[str, VersionInfo | None] = {}

    def versions(self, key: str) -> list[VersionInfo]:
        return sorted((VersionInfo(d["story_id"], record_version(d), d.get("date"),
                                   d.get("status", "usable"))
                       for d in records(self.searcher, "story", "story_key", key)),
                      key=VersionInfo.order)

    def winner(self, key: str) -> VersionInfo | None:
        """The current version of a key, or None when it was killed (or is unknown)."""
        if key not in self._winner:
            found = self.versions(key)
            latest = found[-1] if found else None
            self._winner[key] = latest if latest and latest.status == "usable" else None
        return self._winner[key]

    def is_current(self, key: str, story_id: str, version: int) -> bool:
        latest = self.winner(key)
        return latest is not None and (latest.story_id, latest.version) == (story_id, version)

    def is_current_record(self, record: dict) -> bool:
        """Whether a stored record (a paragraph or story record) is of the current
        version of its story."""
        return self.is_current(record_key(record), record["story_id"], record_version(record))
