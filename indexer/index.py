"""The Python API: open or create an index, ingest wire files, search ranked paragraphs.

    from indexer import Index
    index = Index.open("index/")
    for hit in index.search("cease-fire Aleppo", place="Lebanon", limit=5):
        print(hit.rank, hit.story_id, hit.paragraph, hit.text)
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from whoosh.index import FileIndex
from whoosh.query import Term
from whoosh.searching import Hit as WhooshHit

from .archive import ArchiveStore, is_archive
from .enrich.people import PeopleFinder
from .errors import NoSuchStoryError, QueryError, damage_explained
from .folder_store import FolderStore, weighted_for
from .ingest.ledger import IngestReport, Rejection, read_last_run
from .model import Story
from .search import budget
from .search.assist import (
    FACETS,
    closest_values,
    current_paragraphs,
    facet_counts,
    helpful_correction,
    paragraph_context,
    similar_stories,
    suggest_query,
)
from .search.disjunction import docnum_bitset, term_bitset
from .search.filters import date_window, filter_query, people_by_surname, restricted
from .search.query import QueryParsers, bound_expansions, clean_query_text
from .search.ranking import DEFAULT, Query, Ranked, Ranker, RankingParams, own_words, story_mask
from .store.documents import hit_from_record, record_version, story_from_records
from .store.results import Hit, group_by_story, highlight_spans, records, split_keywords, story_ids
from .store.schema import (
    KIND,
    KIND_FILE,
    KIND_PARAGRAPH,
    KIND_STORY,
    SCHEMA_VERSION,
    STORY_ID,
)
from .store.versions import CurrentVersions, copies

DEFAULT_INDEX = "index"


MAX_LIMIT = 100_000  # hits a query returns at most (--limit)
MAX_CONTEXT = 50  # paragraphs each side of a hit (--context)
SORTS = ("relevance", "newest", "oldest")


def default_index_path() -> str:
    return os.environ.get("INDEXER_INDEX") or DEFAULT_INDEX


def _in_rank_order(ranked: list[Ranked]) -> list[Ranked]:
    """Scores that never rise down the ranking: a paragraph that holds a query word is
    placed above one that does not (which may score higher on its story's words), and a
    hit's score is then capped at the one above it, so that any program that orders hits
    by score (trec_eval, ir_measures) sees the order the ranking chose."""
    capped, ceiling = [], float("inf")
    for item in ranked:
        ceiling = min(ceiling, item.score)
        capped.append(item if item.score == ceiling else replace(item, score=ceiling))
    return capped


class Index:
    """A wire index on disk: a plain Whoosh index with one document per paragraph."""

    def __init__(self, store: FolderStore | ArchiveStore) -> None:
        # where the documents live: one index folder, or an archive's shards
        self._store = store
        self.path = store.path
        self._parsers: dict[RankingParams, QueryParsers] = {}
        # seconds a query may run before it is stopped (QueryTooSlowError); None: no limit
        self.query_seconds: float | None = budget.QUERY_SECONDS
        self._last_matching: tuple | None = None  # _matching's last answer, its searcher's

    @property
    def ranking(self) -> RankingParams:
        """How search() orders hits unless a query says otherwise."""
        return self._store.ranking

    def parsers(self, ranking: RankingParams | None = None) -> QueryParsers:
        """How a query text is read for each pass, under a ranking (default: this
        index's): the words spread over that ranking's default fields."""
        ranking = ranking or self.ranking
        if ranking not in self._parsers:
            self._parsers[ranking] = QueryParsers(self.schema, ranking)
        return self._parsers[ranking]

    @property
    def schema(self):
        """The Whoosh schema of the index's documents (indexer.store.schema)."""
        return self._store.schema

    # -- opening

    @classmethod
    def open(cls, path: str | None = None, ranking: RankingParams = DEFAULT) -> Index:
        """Open an existing index or archive; IndexNotFoundError when there is none.
        `ranking` sets how search() orders hits (indexer.search.ranking.RankingParams)."""
        path = path or default_index_path()
        if is_archive(path):
            return ArchiveIndex(ArchiveStore.open(path, ranking))
        return Index(FolderStore.open(path, ranking))

    @classmethod
    def create(cls, path: str | None = None, shard_by: str | None = None) -> Index:
        """Open the index at path, creating an empty one when there is none. With
        `shard_by` ("year" or "month"), an archive of time shards searched as one
        (indexer.archive); ValueError when path holds an index sharded otherwise."""
        path = path or default_index_path()
        if shard_by is not None:
            return ArchiveIndex(ArchiveStore.create(path, shard_by))
        if is_archive(path):
            return ArchiveIndex(ArchiveStore.open(path))
        return Index(FolderStore.create(path))

    @property
    def whoosh_index(self) -> FileIndex:
        """The underlying Whoosh index, for tools that want to go further (an archive
        has one per shard: archive.shard(name).whoosh_index)."""
        return self._store.whoosh_index

    def close(self) -> None:
        self._store.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _kind_ids(self, searcher, kind: str, extra=None):
        """Document numbers of one kind of document (paragraph, story), computed once per
        searcher (building the set took half of a query's time), narrowed to `extra`."""
        ids = self._store.cached(searcher, f"kind:{kind}",
                           lambda: term_bitset(searcher, KIND, kind))
        return ids if extra is None else ids.intersection(extra)

    def _filters(self, searcher, person: str | None = None, tag: str | None = None,
                 place: str | None = None):
        """The person, tag and place filters as a query, a surname looked up in the
        people of this index (a cached map, not a wildcard over the people lexicon, which
        reads it all each query)."""
        surnames = None
        if person and " " not in person.strip():
            surnames = self._store.cached(searcher, "surnames",
                                    lambda: people_by_surname(searcher.reader()))
        return filter_query(person=person, tag=tag, place=place, surnames=surnames)

    def searcher(self):
        """The Whoosh searcher of the index's newest commit, shared by this Index's
        queries (the index closes it: do not): for tools that want Whoosh's own API."""
        return self._store.searcher()

    # -- writing

    def ingest(self, paths: list[str], *, fmt: str = "auto", prune: bool = False,
               batch_files: int = 2000, workers: int = 1,
               on_file: Callable[[str], None] | None = None,
               on_reject: Callable[[Rejection], None] | None = None,
               people: PeopleFinder | str | Path | None = None,
               merge: bool | str = True, follow_symlinks: bool = False,
               scheduler: str | None = None) -> IngestReport:
        """Ingest files and folders (recursively); returns the run report.

        `merge`: merge segments by size tier as the run commits (storage.tiered_merges);
        False leaves every batch's segments as written, for a faster bulk load followed
        by optimize(); "whoosh" (ingest.WHOOSH_MERGE) merges by Whoosh's own default
        policy at each commit, as before tiered merging, for side-by-side benchmarks.

        `follow_symlinks`: follow symbolic links that lead out of the given folders, and
        enter linked folders (by default a link out is not read, as ripgrep and rsync do).

        `people` finds the people each story names: a PeopleFinder, the path of a model
        from `indexer people train`, or None for the rules. Raises OSError or ValueError
        for a model that cannot be read, before any file is read.

        `scheduler` (an archive only): run the shards' ingests as tasks of
        dask.distributed, "local" or a scheduler's address (indexer.cluster).

        Python's cyclic garbage collector is paused while the run lasts and run after each
        batch (see ingest.run.garbage_collected_per_batch), then left as it was found.
        Raises IndexLockedError when another ingest is writing to this index."""
        options: dict = {}
        if scheduler is not None:
            if not isinstance(self._store, ArchiveStore):
                raise ValueError("a scheduler runs an archive's shards: this index has none")
            options["scheduler"] = scheduler
        return self._store.ingest(paths, fmt=fmt, prune=prune, batch_files=batch_files,
                                  workers=workers, on_file=on_file, on_reject=on_reject,
                                  people=people, merge=merge,
                                  follow_symlinks=follow_symlinks, **options)

    def optimize(self, on_progress: Callable[[float], None] | None = None,
                 workers: int | None = None) -> dict:
        """Merge all segments into one (Whoosh's optimize), under the ingest lock, and
        return {"segments_before", "segments_after", "seconds"}. Queries get faster (each
        segment costs every query a set of term lookups) and deleted documents are
        dropped; it copies the whole index, so it belongs after a bulk load or in a
        weekly job, not nightly. `on_progress(share)`: the share of the postings merged,
        0 to 1, as it goes. `workers` > 1: the segments in that many groups of about
        equal size, each merged by a process of its own, side by side, leaving one
        segment per group (queries on two segments cost about what they cost on one).
        An archive merges each shard into one segment, `workers` (default 2) shards at a
        time.

        Raises IndexLockedError when an ingest is writing to this index."""
        if workers is None:
            return self._store.optimize(on_progress)
        return self._store.optimize(on_progress, workers=workers)

    @damage_explained
    def stats(self) -> dict:
        """What `indexer stats` shows: counts, date range, last run."""
        searcher = self._store.searcher()
        current = CurrentVersions(searcher)
        stories = 0
        people: set[str] = set()
        tags: set[str] = set()
        dates = []
        for fields in searcher.documents(kind=KIND_STORY):
            if not current.is_current_record(fields):
                continue
            stories += 1
            people.update(split_keywords(fields.get("people")))
            tags.update(split_keywords(fields.get("tags")))
            if fields.get("date"):
                dates.append(fields["date"])
        last_run = read_last_run(self.path)
        figures = {
            "stories": stories,
            "paragraphs": len(self._kind_ids(searcher, KIND_PARAGRAPH)),
            "files": len(self._kind_ids(searcher, KIND_FILE)),
            "people": len(people),
            "tags": len(tags),
            "first_date": min(dates).isoformat() if dates else None,
            "last_date": max(dates).isoformat() if dates else None,
            "segments": len(searcher.reader().leaf_readers()),
            "size_bytes": self._store.size_bytes(),
            "schema_version": SCHEMA_VERSION,
            "last_run": last_run,
            "still_rejected": self.rejected_files(),
        }
        figures.update(self._store.figures())  # an archive's shards
        return figures

    def rejected_files(self) -> list[dict]:
        """Files an ingest rejected and that have not changed since (`source`, `size`,
        `mtime`, `reason`, `since`): later runs do not read or report them again."""
        return self._store.rejected_files()

    def _verify_checksums(self) -> None:
        """Every byte of every segment file against its checksum (IndexDamagedError)."""
        self.unchecked_segments = self._store.verify_checksums()

    def check(self) -> list[str]:
        """Problems found comparing the index with its own record of ingested files; a
        segment that cannot be read is reported as corruption."""
        try:
            return self._store.problems()
        except Exception as exc:  # check's one job is reading everything: any failure is one
            return [f"the index cannot be read, it is corrupt: {type(exc).__name__}: {exc} "
                    "(rebuild it: `indexer ingest` into a fresh --index folder)"]


    # -- reading

    @damage_explained
    def search(self, query: str, *, person: str | None = None, tag: str | None = None,
               place: str | None = None, since: datetime | str | None = None,
               until: datetime | str | None = None, limit: int = 10,
               per_story: int | None = None, all_versions: bool = False,
               story_weight: float | None = None, context: int = 0,
               feedback: bool | None = None, ranking: RankingParams | None = None,
               offset: int = 0, sort: str = "relevance") -> list[Hit]:
        """Ranked paragraphs for a query in Whoosh's query language, filtered.

        Ranking (indexer.search.ranking): stories by BM25F over their text and headline, then
        their paragraphs by BM25F over their own text, each paragraph's score mixed with
        its story's (story_weight; 0 ranks paragraphs on their own words alone), and a
        paragraph that holds a word of the query before one that does not. feedback
        switches pseudo-relevance feedback on or off (default: the ranking's);
        `ranking` replaces the index's RankingParams for this query.

        Only the current version of each story is searched (see indexer.store.versions);
        all_versions=True also returns superseded and killed ones, marked `superseded`.
        context=K fills each hit's `before` and `after` with up to K paragraphs.
        offset=N skips the first N hits (paging: the next page is offset + limit); ranks
        count from the first hit of all. sort="newest" or "oldest" orders every matching
        paragraph by its story's date instead (undated ones last); scores are then 0."""
        if sort not in SORTS:
            raise QueryError(f"sort must be one of {', '.join(SORTS)}")
        if offset < 0:
            raise QueryError("offset must be 0 or more")
        if limit < 1:
            raise QueryError("limit must be at least 1")
        if limit + offset > MAX_LIMIT:
            raise QueryError(f"limit and offset together must be at most {MAX_LIMIT}")
        if not 0 <= context <= MAX_CONTEXT:
            raise QueryError(f"context must be between 0 and {MAX_CONTEXT} paragraphs")
        params = ranking or self.ranking
        if story_weight is not None:
            params = params.with_(story_weight=story_weight)
        if feedback is not None:
            params = params.with_(feedback=feedback)
        with budget.limit(self.query_seconds):
            return self._search(query, params, person, tag, place, since, until, limit,
                                per_story, all_versions, context, offset, sort)

    @damage_explained
    def search_stories(self, query: str, *, limit: int = 10, offset: int = 0,
                       per_story: int | None = None, **options) -> list[list[Hit]]:
        """Ranked stories, each once with up to `per_story` (default 3) of its best
        paragraphs, in the order of their best paragraph: `offset` and `limit` count
        stories (`indexer query --group`). The other keywords are search()'s. A story's
        paragraphs are those among the best (offset + limit) x per_story of the ranking:
        a story's second paragraph that ranks below them is not shown on that page."""
        per_story = per_story or 3
        # enough paragraphs for offset + limit stories of per_story paragraphs each
        hits = self.search(query, limit=(offset + limit) * per_story, offset=0,
                           per_story=per_story, **options)
        return group_by_story(hits)[offset:offset + limit]

    def _search(self, query: str, params: RankingParams, person, tag, place, since, until,
                limit: int, per_story: int | None, all_versions: bool, context: int,
                offset: int, sort: str) -> list[Hit]:
        searcher, ranker, ready = self._ranker(query, params, person, tag, place, since,
                                               until)
        if sort == "relevance":
            chosen = ranker.rank(ready, offset + limit, per_story, all_versions)
        else:
            chosen = ranker.by_date(ready, offset + limit, per_story, all_versions,
                                    newest=sort == "newest")
        chosen = _in_rank_order(chosen)[offset:]
        return [self._ranked_hit(searcher, rank, item, ready, context)
                for rank, item in enumerate(chosen, start=offset + 1)]

    def _ranker(self, query: str, params: RankingParams, person, tag, place, since, until
                ) -> tuple[Any, Ranker, Query]:
        """The searcher a query reads, its Ranker, and the query as each pass runs it."""
        parsers = self.parsers(params)
        parsed, excluded = parsers.paragraphs(query)
        window = date_window(since, until)
        searcher = self._store.searcher_for(window)
        story_query, story_excluded = parsers.stories(query)
        for part in (parsed, excluded, story_query, story_excluded):
            bound_expansions(part, searcher.reader())
        # the weighting travels with the query: the shared searcher is never re-weighted
        scorer = weighted_for(self._store, searcher, params)
        restrict = self._filters(searcher, person=person, tag=tag, place=place)
        masked = None if excluded is None else set(searcher.docs_for_query(excluded))
        ranker = Ranker(scorer, params, self._kind_ids(searcher, KIND_PARAGRAPH),
                        self._store.versions(searcher),
                        self._store.cached(searcher, f"ranking {params.feedback_max_df}", dict))
        ready = Query(restricted(parsed, restrict, window),
                      restricted(story_query, restrict, window), masked,
                      story_mask(searcher, story_excluded, masked), own_words(parsed))
        return searcher, ranker, ready

    @damage_explained
    def feedback_words(self, query: str, *, person: str | None = None,
                       tag: str | None = None, place: str | None = None,
                       since: datetime | str | None = None, until: datetime | str | None = None,
                       feedback: bool | None = None, ranking: RankingParams | None = None
                       ) -> list[tuple[str, float]]:
        """The words pseudo-relevance feedback adds to this query (`--explain`), best
        first, each with its weight in the expanded query, where the query's own words
        share the rest: why a story without the query's words may rank. Empty when
        feedback does not apply (off, or a query with quotes, fields, AND, NOT or
        patterns) or finds no word."""
        params = ranking or self.ranking
        if feedback is not None:
            params = params.with_(feedback=feedback)
        with budget.limit(self.query_seconds):
            _, ranker, ready = self._ranker(query, params, person, tag, place, since, until)
            return ranker.expansion(ready, params.candidates)

    def _ranked_hit(self, searcher, rank: int, item: Ranked, query: Query, context: int) -> Hit:
        result = item.result
        analyzer = searcher.schema["body"].analyzer
        if isinstance(result, WhooshHit) and result.results.has_matched_terms():
            matched = {text.decode("utf-8") for name, text in result.matched_terms()
                       if name == "body"}
        else:  # a plain disjunction, scored term at a time: its words are the query's
            matched = query.body_words
        fields = result.fields()
        hit = hit_from_record(rank, item.score, fields,
                        highlight_spans(fields["body"], analyzer, matched), item.superseded)
        if context:
            before, after = paragraph_context(searcher, hit.story_id, hit.version,
                                              hit.paragraph, context)
            hit = replace(hit, before=before, after=after)
        return hit

    @damage_explained
    def matching_docnums(self, query: str, *, person: str | None = None,
                         tag: str | None = None, place: str | None = None,
                         since: datetime | str | None = None,
                         until: datetime | str | None = None) -> list[int]:
        """Document numbers of every current paragraph the query matches (unranked)."""
        with budget.limit(self.query_seconds):
            return [docnum for docnum, _ in self._matching(query, person=person, tag=tag,
                                                           place=place, since=since,
                                                           until=until)]

    @damage_explained
    def count(self, query: str, *, person: str | None = None, tag: str | None = None,
              place: str | None = None, since: datetime | str | None = None,
              until: datetime | str | None = None) -> tuple[int, int]:
        """(paragraphs, stories): how many current paragraphs the query matches with the
        filters, and in how many stories. Reads every match, so on a big archive a
        common word takes seconds."""
        with budget.limit(self.query_seconds):
            matched = self._matching(query, person=person, tag=tag, place=place,
                                     since=since, until=until)
        return len(matched), len({story for _, story in matched})

    def _matching(self, query: str, *, person: str | None = None, tag: str | None = None,
                  place: str | None = None, since: datetime | str | None = None,
                  until: datetime | str | None = None) -> list[tuple[int, str]]:
        """(docnum, story id) of every current paragraph the query matches (one version
        of a story is current).
        The last answer is kept for its searcher: count() and facets() of one request
        (`--count --facets`) parse and match the query once."""
        searcher = self._store.searcher()
        key = (query, person, tag, place, since, until)
        last = self._last_matching
        if last is not None and last[0] == key and last[1] is searcher:
            return last[2]
        found = self._match(searcher, query, person, tag, place, since, until)
        self._last_matching = (key, searcher, found)
        return found

    def _match(self, searcher, query: str, person, tag, place, since, until
               ) -> list[tuple[int, str]]:
        parsed, excluded = self.parsers().paragraphs(query)
        for part in (parsed, excluded):
            bound_expansions(part, searcher.reader())
        matched = restricted(parsed, self._filters(searcher, person=person, tag=tag,
                                                   place=place), date_window(since, until))
        allowed = self._kind_ids(searcher, KIND_PARAGRAPH)
        if excluded is not None:
            allowed = allowed.difference(docnum_bitset(searcher.docs_for_query(excluded),
                                                       searcher.doc_count_all()))
        if not allowed:
            return []
        return current_paragraphs(searcher, matched, allowed, self._store.versions(searcher),
                                  self._story_ids(searcher))

    def _story_ids(self, searcher) -> Callable[[int], str]:
        """A document's story id by docnum (the column reader opened once per searcher)."""
        return self._store.cached(searcher, "story ids", lambda: story_ids(searcher))

    @damage_explained
    def facets(self, query: str, names: tuple[str, ...] = FACETS, top: int = 10, *,
               person: str | None = None, tag: str | None = None, place: str | None = None,
               since: datetime | str | None = None, until: datetime | str | None = None
               ) -> dict[str, list[tuple[str, int]]]:
        """Counts of people, tags, places and months over the stories the query matches."""
        unknown = set(names) - set(FACETS)
        if unknown:
            raise QueryError(f"unknown facet {sorted(unknown)[0]!r} (known: {', '.join(FACETS)})")
        docnums = self.matching_docnums(query, person=person, tag=tag, place=place,
                                        since=since, until=until)
        searcher = self._store.searcher()
        return facet_counts(searcher, docnums, self._story_ids(searcher), names, top)

    @damage_explained
    def unmatched_filters(self, *, person: str | None = None, tag: str | None = None,
                          place: str | None = None) -> dict[str, list[str]]:
        """The filters whose value no document of the index holds, each with the values
        it does hold that are closest (from the index's own people, tags and places):
        why a query with filters found nothing."""
        searcher = self._store.searcher()
        found: dict[str, list[str]] = {}
        fields = {"person": ("people",), "tag": ("tags",),
                  "place": ("city", "region", "country")}
        for name, value in (("person", person), ("tag", tag), ("place", place)):
            if not value:
                continue
            alone = self._filters(searcher, **{name: value})
            if alone is not None and next(iter(searcher.docs_for_query(alone)), None) is None:
                found[name] = closest_values(searcher, fields[name], value)
        return found

    @damage_explained
    def suggest(self, query: str) -> str | None:
        """A corrected query built from the index's own words and names, or None."""
        searcher = self._store.searcher()
        try:
            with budget.limit(self.query_seconds):
                corrected = suggest_query(searcher, searcher.schema["body"].analyzer,
                                          clean_query_text(query))
                return helpful_correction(query, corrected, self._found)
        except budget.QueryTooSlowError:  # a suggestion is a courtesy: none in time, none
            return None

    def _found(self, query: str) -> int:
        """Paragraphs a query matches; 0 for one that cannot be read."""
        try:
            return len(self._matching(query))
        except QueryError:
            return 0

    @damage_explained
    def similar(self, story_id: str, paragraph: int | None = None, limit: int = 10) -> list[Hit]:
        """Stories like a story (or like one of its paragraphs), best first; each as its
        first paragraph; scores from 0 to 1 (the best is 1), as search's. Raises
        NoSuchStoryError when there is no such story or paragraph."""
        story = self.story(story_id)
        if story is None:
            raise NoSuchStoryError(f"no story {story_id!r}")
        if paragraph is not None and not 1 <= paragraph <= len(story.paragraphs):
            raise NoSuchStoryError(f"story {story_id!r} has no paragraph {paragraph}")
        text = story.paragraphs[paragraph - 1] if paragraph else "\n".join(story.paragraphs)
        searcher = self._store.searcher()
        return similar_stories(searcher, text, story.key, self._kind_ids(searcher, KIND_STORY),
                               limit)

    @damage_explained
    def story(self, story_id: str, version: int | None = None) -> Story | None:
        """A story as it was indexed: its latest version, or the given one; None when
        there is no such story. `superseded` is set when that version is not the current
        one of its key (a newer version, possibly under another story id, or a kill)."""
        found = self.story_versions(story_id)
        if version is not None:
            found = [each for each in found if each.version == version]
        return found[-1] if found else None

    @damage_explained
    def story_versions(self, story_id: str) -> list[Story]:
        """Every version of a story held under this id, oldest first, each marked
        (`superseded`, and `status` "canceled" for a kill)."""
        searcher = self._store.searcher()
        paragraphs = records(searcher, KIND_PARAGRAPH, STORY_ID, story_id)
        current = self._store.versions(searcher)
        found = []
        for version in sorted({record_version(record) for record in paragraphs}):
            chosen = [record for record in paragraphs if record_version(record) == version]
            found.append(story_from_records(
                chosen, superseded=not current.is_current_record(chosen[0])))
        return found

    def segment_count(self) -> int:
        """Segments in the index (`optimize` merges them into one)."""
        return self._store.segment_count()

    @damage_explained
    def copies(self) -> list[tuple[str, int, list[str]]]:
        """(story id, version, files) of each story version delivered in more than one
        file: it is one story, shown from the first of the files."""
        return copies(self._store.searcher())

    @damage_explained
    def paragraph_count(self) -> int:
        """Paragraphs in the index (deleted ones not counted)."""
        results = self._store.searcher().search(Term(KIND, KIND_PARAGRAPH), limit=None,
                                                  scored=False)
        return len(results)


class ArchiveIndex(Index):
    """An archive of time shards with the Index API: ingest, search and the rest work on
    it as on one index (open it with Index.open; create it with
    Index.create(path, shard_by="year" or "month"))."""

    _store: ArchiveStore

    @property
    def shard_by(self) -> str:
        return self._store.shard_by

    def shard_names(self) -> list[str]:
        """The shards on disk, in date order (undated last)."""
        return self._store.shard_names()

    def shard(self, name: str) -> Index:
        """The shard's own index (a plain Index)."""
        return Index(self._store.shard(name))
