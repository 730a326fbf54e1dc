"""Which version of a story is current.

Agencies resend a story as it develops (AP "2nd Ld-Writethru", Reuters "UPDATE 2",
NewsML/ninjs version numbers) and sometimes kill it. Every indexed story carries its key
(agency + slug, guid or uri) and version, and so does its story record (kind "story").
The current story of a key is the one with the highest (version, date); when that one is a
kill, the key has no current story. Deciding this when a query runs, not when a file
arrives, makes the answer independent of arrival order, and deleting or pruning a newer
version brings the older one back.

Programs that read the index with stock Whoosh cannot run this decision, so ingest also
writes it down: every paragraph that `indexer query` would not show (an older version's,
a killed story's) holds the term `superseded:yes`, and the commit that adds, deletes or
prunes a version re-writes the paragraphs of that story whose answer changed (settle()).
A stock reader masks them: `searcher.search(q, mask=Term("superseded", "yes"))`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from whoosh.query import Term
from whoosh.searching import Searcher

from .documents import record_key, record_version
from .results import records
from .schema import (
    KIND,
    KIND_PARAGRAPH,
    KIND_STORY,
    STORY_ID,
    STORY_KEY,
    SUPERSEDED,
    SUPERSEDED_TERM,
)


@dataclass(frozen=True)
class VersionInfo:
    story_id: str
    version: int
    date: datetime | None
    status: str
    # the file it came from: the same version delivered in two files is one story, shown
    # from one of them (winner_of)
    source: str = ""

    def order(self) -> tuple:
        return (self.version, self.date or datetime.min, self.story_id)

    @classmethod
    def of(cls, record: dict) -> VersionInfo:
        """The version a stored record (a paragraph or story record) belongs to."""
        return cls(record[STORY_ID], record_version(record), record.get("date"),
                   record.get("status", "usable"), record.get("source", ""))


def winner_of(versions: Iterable[VersionInfo]) -> VersionInfo | None:
    """The current version among a key's versions; None when the latest is a kill. Of
    copies of one version in several files, the one from the first file by path is
    current and the others are not shown: decided here, whatever the order the files
    came in, so that pruning that file brings another copy back."""
    versions = list(versions)
    if not versions:
        return None
    top = max(version.order() for version in versions)
    latest = min((version for version in versions if version.order() == top),
                 key=lambda version: version.source)
    return latest if latest.status == "usable" else None


def is_winner(winner: VersionInfo | None, record: dict) -> bool:
    return winner is not None and (winner.story_id, winner.version, winner.source) == (
        record[STORY_ID], record_version(record), record.get("source", ""))


def copies(searcher: Searcher) -> list[tuple[str, int, list[str]]]:
    """(story id, version, files) of every version delivered in more than one file, the
    file it is shown from first (`indexer check` says where the copies are)."""
    found: dict[tuple[str, str, int], set[str]] = {}
    for docnum in searcher.docs_for_query(Term(KIND, KIND_STORY)):
        record = searcher.stored_fields(docnum)
        found.setdefault((record_key(record), record[STORY_ID], record_version(record)),
                         set()).add(record.get("source", ""))
    return [(story_id, version, sorted(sources))
            for (_, story_id, version), sources in sorted(found.items()) if len(sources) > 1]


class CurrentVersions:
    """Answers "is this the current version?" for one searcher, caching per key."""

    def __init__(self, searcher: Searcher, marks: bool = True) -> None:
        self.searcher = searcher
        self._winner: dict[str, VersionInfo | None] = {}
        # each segment's reader, when the field exists and its marks are the decision
        # (an archive's shards mark versions shard by shard: it decides at query time)
        self._leaves: list | None = None if marks else []
        self._offsets: list[int] = []  # and its first document number
        self._marked: set[int] | None = None  # the documents marked superseded

    def versions(self, key: str) -> list[VersionInfo]:
        return sorted(map(VersionInfo.of, records(self.searcher, KIND_STORY, STORY_KEY, key)),
                      key=VersionInfo.order)

    def winner(self, key: str) -> VersionInfo | None:
        """The current version of a key, or None when it was killed (or is unknown)."""
        if key not in self._winner:
            self._winner[key] = winner_of(self.versions(key))
        return self._winner[key]

    def is_current_record(self, record: dict) -> bool:
        """Whether a stored record (a paragraph or story record) is of the current
        version of its story."""
        return is_winner(self.winner(record_key(record)), record)

    def is_current_paragraph(self, docnum: int, record: dict) -> bool:
        """is_current_record for a paragraph, read from its `superseded` mark when the
        index has the field (ingest keeps the marks right, `indexer check` verifies
        them): one posting lookup instead of reading every record of its story."""
        if not self.marks_kept():
            return self.is_current_record(record)
        return not self.marked(docnum)

    def marks_kept(self) -> bool:
        """Whether the index's `superseded` marks decide which paragraphs are current (an
        archive decides across its shards at query time)."""
        if self._leaves is None:
            self._leaves = []
            if SUPERSEDED in self.searcher.schema:
                for leaf, offset in self.searcher.leaf_searchers():
                    self._leaves.append(leaf.reader())
                    self._offsets.append(offset)
        return bool(self._leaves)

    def marked(self, docnum: int) -> bool:
        """Whether the document holds `superseded:yes`. The marked documents (the older
        versions' paragraphs: few) are read once for the searcher, so that a query can
        ask of every paragraph it matches."""
        if self._marked is None:
            marked: set[int] = set()
            if self.marks_kept():
                for reader, offset in zip(self._leaves or [], self._offsets, strict=True):
                    if (SUPERSEDED, SUPERSEDED_TERM) in reader:  # live documents only
                        postings = reader.postings(SUPERSEDED, SUPERSEDED_TERM)
                        marked.update(offset + local for local in postings.all_ids())
            self._marked = marked
        return docnum in self._marked


# -- writing the decision down (ingest)

# a paragraph of the batch not yet committed: the segment it is written to, its number
# there, and its fields
Pending = tuple[Any, int, dict]


def settle(writer, searcher: Searcher, new: dict[str, list[VersionInfo]],
           pending: Callable[[str], Iterator[Pending]]) -> tuple[int, int]:
    """Before a commit: make `superseded:yes` name exactly the paragraphs of the touched
    keys that are not of their current version. `new` holds every touched key with the
    versions the batch adds to it (none for a key whose version the batch deletes);
    `searcher` reads the index as the writer will leave it (its deletions applied);
    `pending(key)` gives the batch's paragraphs of a key, written as current. A paragraph
    whose answer changes is deleted and added again with it. Returns (deleted, added)."""
    deleted = added = 0
    reader = searcher.reader()
    committed = CurrentVersions(searcher)
    for key, batch in new.items():
        known = reader.doc_frequency(STORY_KEY, key) > 0
        if not known and len(batch) <= 1 and all(v.status == "usable" for v in batch):
            continue  # a story new to the index, alone in the batch: current as written
        winner = winner_of(batch + (committed.versions(key) if known else []))
        if known:
            for docnum, fields in _paragraphs_of(searcher, key):
                want = not is_winner(winner, fields)
                if want == committed.marked(docnum):
                    continue
                writer.delete_document(docnum)
                writer.add_document(**_flagged(fields, want))
                deleted += 1
                added += 1
        for segment, docnum, fields in pending(key):
            if not is_winner(winner, fields):
                segment.delete_document(docnum)  # the segment object's own deletion list
                writer.add_document(**_flagged(fields, True))
                deleted += 1
                added += 1
    return deleted, added


def _flagged(fields: dict, superseded: bool) -> dict:
    # every field of a paragraph is stored: its stored fields are the document
    document = {name: value for name, value in fields.items() if name != SUPERSEDED}
    if superseded:
        document[SUPERSEDED] = SUPERSEDED_TERM
    return document


def _paragraphs_of(searcher: Searcher, key: str) -> list[tuple[int, dict]]:
    """The paragraphs of a key's versions: (document number, stored fields)."""
    found = []
    for docnum in list(searcher.docs_for_query(Term(STORY_KEY, key))):
        fields = searcher.stored_fields(docnum)
        if fields.get(KIND) == KIND_PARAGRAPH:
            found.append((docnum, fields))
    return found


def wrongly_marked(searcher: Searcher) -> int:
    """Paragraphs whose `superseded` mark disagrees with the versions a query sees
    (`indexer check`); 0 for an index made before the field (the next ingest writes it)."""
    if SUPERSEDED not in searcher.schema:
        return 0
    current = CurrentVersions(searcher)
    expected = {docnum for key in versioned_keys(searcher)
                for docnum, fields in _paragraphs_of(searcher, key)
                if not current.is_current_record(fields)}
    flagged = set(searcher.docs_for_query(Term(SUPERSEDED, SUPERSEDED_TERM)))
    return len(flagged ^ expected)


def versioned_keys(searcher: Searcher) -> dict[str, list[VersionInfo]]:
    """Every key with more than one version or a kill, for writing the field down in an
    index made before it (settle() with these keys and no batch)."""
    found: dict[str, list[VersionInfo]] = {}
    for docnum in searcher.docs_for_query(Term(KIND, KIND_STORY)):
        record = searcher.stored_fields(docnum)
        found.setdefault(record_key(record), []).append(VersionInfo.of(record))
    return {key: [] for key, versions in found.items()
            if len(versions) > 1 or any(v.status != "usable" for v in versions)}


def settle_batch(ix, writer, new: dict[str, list[VersionInfo]], written: dict[str, list],
                 segments: list) -> int:
    """settle() for an ingest batch before its commit: `written` holds the batch's
    paragraphs by key as (first docnum, common fields, documents) in the writer's own
    segment, `segments` the workers' segments of the batch (opened only when a key needs
    them). Returns the change in live documents (added - deleted)."""
    readers: list = []

    def pending(key: str) -> Iterator[Pending]:
        for first, common, documents in written.get(key, ()):
            for docnum, fields in enumerate(documents, first):
                yield writer.newsegment, docnum, {**common, **fields}
        if segments and not readers:
            readers.extend((segment, ix.segment_reader(segment)) for segment in segments)
        for segment, reader in readers:
            if (STORY_KEY, key) not in reader:
                continue
            for docnum in reader.postings(STORY_KEY, key).all_ids():
                fields = reader.stored_fields(docnum)
                if fields.get(KIND) == KIND_PARAGRAPH:
                    yield segment, docnum, fields

    try:
        with Searcher(writer.reader()) as searcher:
            deleted, added = settle(writer, searcher, new, pending)
    finally:
        for _, reader in readers:
            reader.close()
    return added - deleted
