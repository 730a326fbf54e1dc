"""One index folder: its Whoosh index, the searcher of its newest commit and what is
computed for it, and its ingest, optimize and check. Index (indexer.index) answers queries
over a store; an archive (indexer.archive) is a store made of these, one per time shard.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from whoosh.index import FileIndex
from whoosh.query import Term
from whoosh.searching import Searcher

from .enrich.people import PeopleFinder
from .errors import IndexDamagedError, IndexNotFoundError, SchemaVersionError
from .ingest.ledger import (
    IngestReport,
    Rejection,
    ingest_lock,
    ledger_of,
    read_rejected,
    remove_leftovers,
    remove_temporary_files,
    start_run,
    write_failed_run,
    write_last_run,
    write_rejected,
)
from .ingest.run import IngestRun
from .search.ranking import DEFAULT, RankingParams, weighting
from .store import checksums, whoosh_ext
from .store import folder as index_folder
from .store.schema import (
    KIND,
    KIND_PARAGRAPH,
    KIND_STORY,
    META_ID,
    SCHEMA_VERSION,
    STORY_ID,
    build_schema,
)
from .store.storage import (
    balanced_groups,
    commit_verified,
    create_durable,
    drop_group,
    live_documents,
    merge_in_parallel,
    needs_merge,
    new_writer,
    open_durable,
)
from .store.versions import CurrentVersions, wrongly_marked
from .store.whoosh_ext.fileindex import index_exists, segments_of


def folder_size(path: str) -> int:
    """Bytes in the folder's files. A writer committing meanwhile removes temporary and
    replaced files between the listing and the stat: those are not counted."""
    size = 0
    with os.scandir(path) as entries:
        for entry in entries:
            try:
                size += entry.stat().st_size
            except FileNotFoundError:
                pass
    return size


def _our_schema(schema) -> bool:
    """Whether a Whoosh schema is this tool's (by the fields every version of it has)."""
    return {"id", KIND, STORY_ID, "body"} <= set(schema.names())


def _holds_our_schema(path: str) -> bool:
    """Whether the Whoosh index at path has this tool's schema (an index written before
    index folders were marked as ours)."""
    try:
        return _our_schema(open_durable(path).schema)
    except Exception:  # unreadable: not to be adopted
        return False


def weigh(searcher, ranking: RankingParams) -> None:
    """BM25F with statistics per kind of document. The posting counts (deleted
    documents included, as in Whoosh's own statistics) cost nothing, where counting
    live documents read a million postings each time an index was opened."""
    paragraphs = searcher.doc_frequency(KIND, KIND_PARAGRAPH) or 1
    stories = searcher.doc_frequency(KIND, KIND_STORY) or 1
    searcher.weighting = weighting(ranking, {
        "body": paragraphs, "headline": paragraphs, "fulltext": stories,
        "story_headline": stories, "dateline": paragraphs + stories,
        "people": paragraphs + stories, "tags": paragraphs + stories})


class Caches(Protocol):
    """What weighted_for needs of a store (FolderStore, archive.ArchiveStore)."""

    ranking: RankingParams

    def cached(self, searcher, key: str, build: Callable[[], Any]) -> Any: ...


def weighted_for(store: Caches, searcher, ranking: RankingParams):
    """The searcher that scores a query under `ranking`: the shared one when its weighting
    is the store's own, else a searcher of its own over the same reader (built as the
    shared one was, kept with the shared one's cached values), so that a searcher other
    queries share is never re-weighted under them."""
    own = store.ranking
    if ranking.k1 == own.k1 and ranking.b_by_field() == own.b_by_field():
        return searcher

    def build():
        other = Searcher(searcher.reader(), closereader=False)
        weigh(other, ranking)
        return other

    key = f"weighted {ranking.k1!r} {sorted(ranking.b_by_field().items())!r}"
    return store.cached(searcher, key, build)


class FolderStore:
    """One index folder of ours: a plain Whoosh index, one document per paragraph."""

    def __init__(self, path: str, ix: FileIndex, ranking: RankingParams = DEFAULT) -> None:
        self.path = path
        self.ranking = ranking
        self._whoosh = ix
        self._searcher = None
        self._cache_of = None
        self._cache: dict = {}
        # many threads may search one store (a server's): a new commit's searcher and its
        # cache are set up by one of them
        self._lock = threading.RLock()

    @property
    def schema(self):
        return self._whoosh.schema

    def size_bytes(self) -> int:
        return folder_size(self.path)

    def figures(self) -> dict:
        """What stats adds for this kind of store: nothing for one folder."""
        return {}

    @classmethod
    def open(cls, path: str, ranking: RankingParams = DEFAULT) -> FolderStore:
        """Open an existing index; IndexNotFoundError when there is none."""
        if not index_exists(path):
            index_folder.check_not_damaged(path)  # segments without a table of contents
            raise IndexNotFoundError(f"no index at {path} (run `indexer ingest` first)")
        ix = open_durable(path)
        try:
            cls._check_version(ix, path)
        except Exception:
            # a version record that reads wrong may be damage: that is said first
            checksums.verify_segments(path, segments_of(ix), full=True)
            raise
        return cls(path, ix, ranking)

    @classmethod
    def create(cls, path: str) -> FolderStore:
        """Open the index at path, creating an empty one when there is none."""
        # an index folder of ours, or a new or empty one made ours: never a user's folder
        index_folder.claim(path, is_ours_schema=_holds_our_schema)
        if index_exists(path) and segments_of(open_durable(path)):
            return cls.open(path)
        # created under the ingest lock: of two runs starting at once on a folder with no
        # index, one creates it and the other is told the index is busy (IndexLockedError)
        with ingest_lock(path):
            if index_exists(path):
                ix = open_durable(path)
                if not segments_of(ix):  # a create killed before its meta record was committed
                    cls._write_meta(ix)
                return cls.open(path)
            ix = create_durable(path, build_schema())
            cls._write_meta(ix)
            return cls(path, ix)

    @staticmethod
    def _write_meta(ix: FileIndex) -> None:
        writer = new_writer(ix)
        writer.update_document(id=META_ID, kind="meta", schema_version=SCHEMA_VERSION)
        commit_verified(ix, writer, expected_docs=1)

    @staticmethod
    def _check_version(ix: FileIndex, path: str) -> None:
        if not segments_of(ix):
            return  # empty: created, killed before its first commit; create() completes it
        if not _our_schema(ix.schema):
            raise SchemaVersionError(f"the Whoosh index at {path} is not an indexer index "
                                     "(another program's schema): use another --index folder")
        with ix.searcher() as searcher:
            meta = searcher.document(id=META_ID) or {}
        version = meta.get("schema_version")
        if version != SCHEMA_VERSION:
            raise SchemaVersionError(
                f"index at {path} has schema version {version}, this indexer reads "
                f"{SCHEMA_VERSION}: re-ingest into a fresh --index folder"
            )

    @property
    def whoosh_index(self) -> FileIndex:
        """The underlying Whoosh index, for tools that want to go further."""
        return self._whoosh

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None

    def searcher(self):
        """The Whoosh searcher of the newest commit, shared by every query until the next
        one lands."""
        # One searcher serves every query until a commit lands. Not Searcher.refresh(): it
        # reuses segment readers by segment id and so misses deletions made since.
        current = self._searcher
        latest = self._whoosh.latest_generation()
        if current is not None and current.reader().generation() == latest:
            return current
        with self._lock:
            current = self._searcher
            if current is not None and current.reader().generation() == latest:
                return current  # another thread opened it meanwhile
            searcher = self._whoosh.searcher()
            # BM25 statistics per kind of document. The posting counts (deleted documents
            # included, as in Whoosh's own statistics) cost nothing, where counting live
            # documents read a million postings each time an index was opened.
            weigh(searcher, self.ranking)
            # the searcher before is not closed here: another thread may be reading it;
            # its files close when the last query holding it lets it go
            self._searcher = searcher
            return searcher

    def searcher_for(self, window: tuple[datetime | None, datetime | None] | None):
        """The searcher a query with this date window reads (an archive's leaves out
        the shards outside it)."""
        return self.searcher()

    def cached(self, searcher, key: str, build: Callable[[], object]):
        """A value computed once per searcher (that is, per committed state). A query
        still reading the searcher before a commit computes its values uncached."""
        with self._lock:
            if self._cache_of is not searcher:
                if searcher is not self._searcher:
                    return build()
                self._cache, self._cache_of = {}, searcher
            cache = self._cache
        if key not in cache:
            cache.setdefault(key, build())  # two threads at once: both build, one is kept
        return cache[key]

    def versions(self, searcher) -> CurrentVersions:
        """The judge of current versions for this searcher, its answers kept until the
        next commit."""
        return self.cached(searcher, "versions", lambda: CurrentVersions(searcher))

    def ingest(self, paths: list[str], *, fmt: str = "auto", prune: bool = False,
               batch_files: int = 2000, workers: int = 1,
               on_file: Callable[[str], None] | None = None,
               on_reject: Callable[[Rejection], None] | None = None,
               people: PeopleFinder | str | Path | None = None,
               merge: bool | str = True, follow_symlinks: bool = False) -> IngestReport:
        """One ingest run into this folder under its lock, recorded in its run records
        (the keywords are Index.ingest's)."""
        finder = people if isinstance(people, PeopleFinder) else PeopleFinder.load(people)
        with ingest_lock(self.path):
            previous = start_run(self._whoosh)  # a killed run's leftovers go; it is recorded
            run = IngestRun(self._whoosh, fmt=fmt, batch_files=batch_files, workers=workers,
                            on_file=on_file, on_reject=on_reject, people=finder,
                            merge=merge, follow_symlinks=follow_symlinks)
            try:
                report = run.run(paths, prune=prune)
            except BaseException as exc:
                remove_leftovers(self._whoosh)  # a full disk must not stay full
                write_failed_run(self.path, run.report, exc, previous)
                raise
            write_rejected(self.path, run.rejected_before, run.walked, run.rejected_now)
            write_last_run(self.path, report, "ok" if report.ok else "rejected",
                           previous=previous)
            return report

    def optimize(self, on_progress: Callable[[float], None] | None = None,
                 workers: int = 1) -> dict:
        """Index.optimize for this folder: every segment merged into one, or into one
        per worker side by side, under the ingest lock."""
        started = time.monotonic()
        with ingest_lock(self.path):
            remove_temporary_files(self.path)
            segments = segments_of(self._whoosh)
            before = len(segments)
            # damage is found before a writer begins, so a refused optimize leaves nothing
            checksums.verify_segments(self.path, segments, full=True)
            try:
                self._merge_all(segments, workers, on_progress)
            except BaseException:
                remove_leftovers(self._whoosh)  # a failed optimize must not leave a disk full
                raise
            after = len(segments_of(self._whoosh))
        return {"segments_before": before, "segments_after": after,
                "seconds": round(time.monotonic() - started, 3)}

    def _merge_all(self, segments: list, workers: int,
                   on_progress: Callable[[float], None] | None) -> None:
        """optimize's merge: every segment into one, or one per worker."""
        before = len(segments)
        parallel = workers > 1 and whoosh_ext.active()
        groups = [group for group in balanced_groups(segments, workers)
                  if needs_merge(group)] if parallel else []
        if groups:
            expected = live_documents(self._whoosh)
            merged = merge_in_parallel(self._whoosh, groups, limitmb=max(32, 160 // workers),
                                       on_progress=on_progress)
            writer = new_writer(self._whoosh, limitmb=32)
            dropped = [segment for group in groups for segment in group]
            commit_verified(self._whoosh, writer, expected, segments=merged,
                            mergetype=partial(drop_group, group=dropped))
        elif not parallel and (before > 1 or any(s.has_deletions() for s in segments)):
            writer = new_writer(self._whoosh, limitmb=160)
            if on_progress is not None and hasattr(writer, "report_merge_progress"):
                writer.report_merge_progress(on_progress)
            commit_verified(self._whoosh, writer, live_documents(self._whoosh), optimize=True)

    def rejected_files(self) -> list[dict]:
        """Files an ingest rejected and that have not changed since (`source`, `size`,
        `mtime`, `reason`, `since`): later runs do not read or report them again."""
        return [{"source": source, **known}
                for source, known in sorted(read_rejected(self.path).items())]

    def verify_checksums(self) -> int:
        """Every byte of every segment file against its checksum (IndexDamagedError);
        returns how many segments had no checksums (written before they existed)."""
        return checksums.verify_segments(self.path, segments_of(self._whoosh), full=True)

    def problems(self) -> list[str]:
        try:  # every byte of every segment file against its checksum, first
            self.verify_checksums()
        except IndexDamagedError as exc:
            return [str(exc)]
        searcher = self.searcher()
        # every stored document read once, its kind counted, against the index's own
        # counts and the kind postings: damaged postings read as "nothing", not an error
        stored: Counter[str] = Counter(fields.get(KIND, "")
                                       for _, fields in searcher.reader().iter_docs())
        if sum(stored.values()) != searcher.doc_count():
            return [f"the index is corrupt: {searcher.doc_count()} documents listed, "
                    f"{sum(stored.values())} readable (rebuild it: `indexer ingest` into a "
                    "fresh --index folder)"]
        for kind, count in sorted(stored.items()):
            found = sum(1 for _ in searcher.docs_for_query(Term(KIND, kind)))
            if found != count:
                return [f"the index is corrupt: {count} {kind} records stored, {found} "
                        "found by their postings (rebuild it: `indexer ingest` into a fresh "
                        "--index folder)"]
        ledger = ledger_of(searcher)
        problems: list[str] = []
        stories_by_source: dict[str, set[str]] = {}
        paragraphs: Counter[tuple[str, int, str]] = Counter()
        seen_numbers: dict[tuple[str, int, str], int] = {}
        for fields in searcher.documents(kind=KIND_PARAGRAPH):
            key = (fields[STORY_ID], fields.get("version", 0), fields.get("source", ""))
            paragraphs[(key[0], key[1], key[2])] += 1
            seen_numbers[key] = fields.get("paragraphs", 0)
            stories_by_source.setdefault(fields.get("source", ""), set()).add(fields[STORY_ID])
        for (story_id, version, source), count in paragraphs.items():
            if source not in ledger:
                problems.append(f"{story_id}: paragraphs from {source}, which has no file record")
            expected = seen_numbers[(story_id, version, source)]
            if count != expected:
                problems.append(f"{story_id}: {count} paragraphs indexed, the story has {expected}")
        for source, record in sorted(ledger.items()):
            indexed = stories_by_source.get(source, set())
            missing = set(record.stories) - indexed
            if missing:
                problems.append(f"{source}: stories {sorted(missing)[:3]} recorded but not indexed")
            if not os.path.exists(source):
                problems.append(f"{source}: file is gone (run `indexer ingest --prune`)")
            elif not record.unchanged(os.stat(source)):
                problems.append(f"{source}: changed since it was ingested (`indexer "
                                "ingest` reads it again; if it is rejected, its last good "
                                "version stays indexed until the file is fixed, or "
                                "removed and pruned with `--prune`)")
        wrong = wrongly_marked(searcher)
        if wrong:
            problems.append(f"{wrong} paragraphs carry the wrong `superseded` mark, which "
                            "programs reading the index with stock Whoosh rely on (indexer "
                            "query decides versions itself; to repair the marks, ingest into "
                            "a fresh --index folder)")
        return problems

    def segment_count(self) -> int:
        """Segments in the index (`optimize` merges them into one)."""
        return len(segments_of(self._whoosh))
