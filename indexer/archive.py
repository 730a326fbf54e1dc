"""An archive: one index split into time shards, searched as one.

    indexer ingest --shard-by month --index archive/ wire/

    archive/archive.json        the manifest: how stories are sharded, each shard's figures
    archive/shards/2026-03/     a plain index of today's schema (stock Whoosh opens it)
    archive/shards/undated/     the stories without a date

Each story goes to the shard of its date. A run plans first: it walks the files, reads
each new or changed one to see which shards its stories go to, then runs an ingest per
shard over the files planned for it (indexer.ingest.run.IngestRun with a shard: every
guarantee of one index holds in each shard). A shard's ledger record of a file names every
shard the file's stories are in, so a run killed between two shards' commits leaves a
file that the next run sees as incomplete and completes.

Queries read all shards as one Whoosh reader: the BM25 statistics (document counts and
frequencies, field lengths) are the archive's, so an archive ranks as one index holding
the same stories would. Versions are decided at query time across shards (a newer
version in another shard wins, a kill hides the story everywhere); each shard's
`superseded` marks, for stock Whoosh readers of that shard alone, speak for that shard.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from whoosh.query import Term
from whoosh.reading import EmptyReader, MultiReader
from whoosh.searching import Searcher

from .dates import SHARD_BY, UNDATED, shard_window
from .enrich.people import PeopleFinder
from .errors import IndexNotFoundError
from .folder_store import FolderStore, folder_size, weigh
from .ingest.ledger import (
    FileRecord,
    IngestReport,
    Rejection,
    _now,
    _write_json,
    ingest_lock,
    mark_running,
    read_ledger,
    read_rejected,
    write_failed_run,
    write_last_run,
)
from .ingest.walk import stat_walked, walk_sources
from .search.ranking import DEFAULT, RankingParams
from .shards import (
    SHARDS_FOLDER,
    add_up,
    file_progress,
    ingest_shard,
    optimize_shard,
    plan_worker,
    route,
    route_for_run,
)
from .store import whoosh_ext
from .store.folder import check_not_damaged, refuse_unless_empty
from .store.schema import KIND, KIND_PARAGRAPH, KIND_STORY, build_schema
from .store.versions import CurrentVersions
from .store.whoosh_ext.fileindex import index_exists, segments_of

MANIFEST_NAME = "archive.json"
SHARD_NAME = re.compile(rf"\d{{4}}(-\d{{2}})?|{UNDATED}")  # what dates.shard_name makes
REJECTED_NAME = "rejected.json"


def is_archive(path: str) -> bool:
    return os.path.isfile(os.path.join(path, MANIFEST_NAME))


def read_manifest(path: str) -> dict:
    with open(os.path.join(path, MANIFEST_NAME), encoding="utf-8") as f:
        return json.load(f)


def complete(records: dict[str, FileRecord]) -> bool:
    """Whether a file's ledger records, by shard, are all there and of one content: every
    shard its stories are in holds a record of the same bytes."""
    if not records:
        return False
    first = next(iter(records.values()))
    return all((r.size, r.mtime_ns, r.sha256, r.shards) ==
               (first.size, first.mtime_ns, first.sha256, first.shards)
               for r in records.values()) and set(first.shards) == set(records)


class ArchiveStore:
    """An archive of time shards, searched as one: the store an ArchiveIndex (indexer.index)
    answers over. Each shard is a FolderStore of its own."""

    def __init__(self, path: str, shard_by: str, ranking: RankingParams = DEFAULT) -> None:
        self.path = path
        self.ranking = ranking
        self.shard_by = shard_by
        self._shards: dict[str, FolderStore] = {}
        self._searcher: Searcher | None = None
        self._generations: tuple = ()
        self._windowed: dict[tuple[str, ...], Searcher] = {}  # shards -> their searcher
        # id of a searcher above -> (it, its cached values)
        self._caches: dict[int, tuple[Searcher, dict]] = {}
        self._lock = threading.RLock()  # a new commit's searchers set up by one thread
        self._schema = build_schema()

    @classmethod
    def create(cls, path: str, shard_by: str) -> ArchiveStore:
        if shard_by not in SHARD_BY:
            raise ValueError(f"shard by {shard_by!r}: one of {', '.join(SHARD_BY)}")
        if is_archive(path):
            archive = cls.open(path)
            if archive.shard_by != shard_by:
                raise ValueError(f"{path} is an archive sharded by {archive.shard_by}, "
                                 f"not by {shard_by}")
            return archive
        if index_exists(path):
            raise ValueError(f"{path} holds an index that is not sharded: shard a new "
                             "--index folder")
        refuse_unless_empty(path)  # never an archive made over a user's files
        os.makedirs(os.path.join(path, SHARDS_FOLDER), exist_ok=True)
        archive = cls(path, shard_by)
        archive._write_manifest()
        return archive

    @classmethod
    def open(cls, path: str, ranking: RankingParams = DEFAULT) -> ArchiveStore:
        try:
            manifest = read_manifest(path)
            shard_by = manifest["shard_by"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise IndexNotFoundError(f"the archive manifest at {path} cannot be read: "
                                     f"{exc}") from None
        if shard_by not in SHARD_BY:
            raise IndexNotFoundError(f"the archive at {path} is sharded by {shard_by!r}, "
                                     "which this indexer does not know")
        return cls(path, shard_by, ranking)

    # -- shards

    def shard_names(self) -> list[str]:
        """The shards on disk, in date order (undated last). The folder, not the
        manifest, is what counts: a run killed before it rewrote the manifest leaves a
        shard the manifest does not list yet."""
        folder = os.path.join(self.path, SHARDS_FOLDER)
        try:
            names = os.listdir(folder)
        except OSError:
            return []
        shards = []
        for name in names:
            if not SHARD_NAME.fullmatch(name):
                continue
            if index_exists(os.path.join(folder, name)):
                shards.append(name)
            else:  # a shard that lost its table of contents is damage, not absent
                check_not_damaged(os.path.join(folder, name))
        return sorted(shards, key=lambda name: (shard_window(name) is None, name))

    def shard(self, name: str, create: bool = False) -> FolderStore:
        """The shard's own store (one index folder)."""
        if name not in self._shards:
            path = os.path.join(self.path, SHARDS_FOLDER, name)
            self._shards[name] = (FolderStore.create(path) if create else
                                  FolderStore.open(path, self.ranking))
        return self._shards[name]

    @property
    def schema(self):
        return self._schema

    @property
    def whoosh_index(self):
        raise TypeError("an archive has one Whoosh index per shard: "
                        "archive.shard(name).whoosh_index")

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        for windowed in self._windowed.values():
            windowed.close()
        self._windowed, self._caches = {}, {}
        for shard in self._shards.values():
            shard.close()

    # -- reading: the shards as one

    def searcher(self):
        with self._lock:
            names = self.shard_names()
            shards = [self.shard(name) for name in names]
            generations = tuple((name, shard.whoosh_index.latest_generation())
                                for name, shard in zip(names, shards, strict=True))
            if self._searcher is not None and generations == self._generations:
                return self._searcher
            leaves = []
            for shard in shards:
                leaves += [leaf for leaf, _ in shard.whoosh_index.reader().leaf_readers()]
            reader = EmptyReader(self._schema) if not leaves else \
                whoosh_ext.StatsCachingReader(leaves) if whoosh_ext.active() else \
                MultiReader(leaves)
            searcher = Searcher(reader)
            weigh(searcher, self.ranking)
            # the searchers before are not closed here: another thread may be reading
            # them; their files close when the last query holding them lets them go
            self._searcher, self._generations = searcher, generations
            self._windowed, self._caches = {}, {}
            return searcher

    def searcher_for(self, window: tuple[datetime | None, datetime | None] | None):
        """For a date window, a searcher of the shards it overlaps only (the undated
        shard never does), with the whole archive's statistics: the same scores, and
        none of the other shards' term lookups."""
        whole = self.searcher()
        if window is None:
            return whole
        start, stop = window
        every = [name for name, _ in self._generations]  # as searcher found them
        names = []
        for name in every:
            span = shard_window(name)
            if span is not None and (start is None or start < span[1]) \
                    and (stop is None or stop >= span[0]):
                names.append(name)
        if not names or len(names) == len(every):  # none: the date filter finds nothing
            return whole
        key = tuple(names)
        with self._lock:
            if key not in self._windowed:
                leaves = [leaf for name in names
                          for leaf, _ in self.shard(name).whoosh_index.reader().leaf_readers()]
                searcher = Searcher(_WindowReader(leaves, whole.reader()))
                weigh(searcher, self.ranking)
                self._windowed[key] = searcher
            return self._windowed[key]

    def cached(self, searcher, key: str, build: Callable[[], object]):
        # a cache for each searcher: the whole archive's and each date window's
        with self._lock:
            entry = self._caches.get(id(searcher))
            if entry is None or entry[0] is not searcher:
                entry = self._caches[id(searcher)] = (searcher, {})
        cache = entry[1]
        if key not in cache:
            cache.setdefault(key, build())  # two threads at once: both build, one is kept
        return cache[key]

    def versions(self, searcher) -> CurrentVersions:
        # across shards at query time (a shard's marks know only that shard's versions),
        # over the whole archive whatever the date window: a newer version outside it wins
        whole = self._searcher if searcher is self._searcher or \
            searcher in self._windowed.values() else self.searcher()
        return self.cached(whole, "versions", lambda: CurrentVersions(whole, marks=False))

    def segment_count(self) -> int:
        return sum(self.shard(name).segment_count() for name in self.shard_names())

    def size_bytes(self) -> int:
        return folder_size(self.path) + sum(
            folder_size(self.shard(name).path) for name in self.shard_names())

    def figures(self) -> dict:
        """What stats adds for an archive: its files (a file in two shards has two
        records), how it is sharded, and each shard's figures."""
        return {"files": len(self._ledgers()), "shard_by": self.shard_by,
                "shards": self._shard_figures()}

    def _shard_figures(self) -> dict:
        """Each shard's window and live documents; a shard whose generation the manifest
        already describes is not counted again."""
        try:
            known = read_manifest(self.path).get("shards") or {}
        except (OSError, ValueError):
            known = {}
        found = {}
        for name in self.shard_names():
            shard = self.shard(name)
            generation = shard.whoosh_index.latest_generation()
            if known.get(name, {}).get("generation") == generation:
                found[name] = known[name]
                continue
            searcher = shard.searcher()
            window = shard_window(name)
            found[name] = {
                "generation": generation,
                "from": window[0].date().isoformat() if window else None,
                "until": window[1].date().isoformat() if window else None,
                "paragraphs": sum(1 for _ in searcher.docs_for_query(
                    Term(KIND, KIND_PARAGRAPH))),
                "stories": sum(1 for _ in searcher.docs_for_query(Term(KIND, KIND_STORY))),
                "segments": shard.segment_count(),
            }
        return found

    def rejected_files(self) -> list[dict]:
        return [{"source": source, **known}
                for source, known in sorted(read_rejected(self.path).items())]

    def verify_checksums(self) -> int:
        return sum(self.shard(name).verify_checksums() for name in self.shard_names())

    def problems(self) -> list[str]:
        problems: list[str] = []
        seen: set[str] = set()
        for name in self.shard_names():
            for problem in self.shard(name).problems():
                if problem not in seen:  # a file in two shards: one line
                    seen.add(problem)
                    problems.append(f"shard {name}: {problem}")
        for source, records in sorted(self._ledgers().items()):
            if not complete(records):
                missing = sorted(set().union(*(r.shards for r in records.values()))
                                 - set(records))
                problems.append(f"{source}: not complete in the archive (in shards "
                                f"{', '.join(sorted(records))}; missing {', '.join(missing)} "
                                "or of another version): `indexer ingest` completes it")
        return problems

    def _ledgers(self) -> dict[str, dict[str, FileRecord]]:
        """Each file's ledger records, by shard."""
        found: dict[str, dict[str, FileRecord]] = {}
        for name in self.shard_names():
            for source, record in read_ledger(self.shard(name).whoosh_index).items():
                found.setdefault(source, {})[name] = record
        return found

    # -- writing

    def _write_manifest(self) -> None:
        """The manifest, replaced atomically: how stories are sharded, and each shard's
        window and figures as of its last commit (`generation`)."""
        _write_json(os.path.join(self.path, MANIFEST_NAME),
                    {"format": 1, "shard_by": self.shard_by, "updated": _now(),
                     "shards": self._shard_figures()})

    def ingest(self, paths: list[str], *, fmt: str = "auto", prune: bool = False,
               batch_files: int = 2000, workers: int = 1,
               on_file: Callable[[str], None] | None = None,
               on_reject: Callable[[Rejection], None] | None = None,
               people: PeopleFinder | str | Path | None = None,
               merge: bool | str = True, scheduler: str | None = None,
               follow_symlinks: bool = False) -> IngestReport:
        """Index.ingest for an archive: plan, then one ingest per shard; the manifest is
        rewritten after each shard's run. `scheduler`: run the shards' ingests as tasks of
        dask.distributed, "local" (a cluster of `workers` processes, one shard each at a
        time) or a scheduler's address (indexer.cluster)."""
        finder = people if isinstance(people, PeopleFinder) else PeopleFinder.load(people)
        report = IngestReport()
        started = time.monotonic()
        said: set[tuple[str, str]] = set()

        def reject(rejection: Rejection) -> None:
            # a file read by two shards' runs: its bad records are said once
            if (rejection.path, rejection.reason) in said:
                return
            said.add((rejection.path, rejection.reason))
            report.rejected += 1
            report.errors.append(rejection)
            if on_reject:
                on_reject(rejection)

        with ingest_lock(self.path):
            previous = mark_running(self.path)
            try:
                ledgers = self._ledgers()
                listed: list[str] = []  # every path walked, for on_file
                plan, walked, rejected = self._plan(paths, fmt, ledgers, report, reject,
                                                    listed.append, workers, follow_symlinks)
                tick = file_progress(plan, listed, on_file)
                if prune:
                    report.pruned = sum(1 for source in ledgers if source not in walked
                                        and not os.path.exists(source))
                names = sorted(set(plan) | (set(self.shard_names()) if prune else set()))
                options = {"fmt": fmt, "batch_files": batch_files, "merge": merge}
                closed_before = self._closed()
                if scheduler is None:
                    for name in names:
                        done = ingest_shard(self.path, self.shard_by, name, plan.get(name, []),
                                            walked, prune, on_reject=reject, on_file=tick,
                                            workers=workers, people=finder, **options)
                        add_up(report, done)
                        self._write_manifest()
                else:
                    from .cluster import run_shards

                    tasks = [(self.path, self.shard_by, name, plan.get(name, []),
                              walked if prune else None, prune) for name in names]
                    for name, done in run_shards(scheduler, workers, tasks,
                                                 {**options, "workers": 1, "people": people},
                                                 ingest_shard):
                        for path, _, _ in plan.get(name, []):
                            tick(str(path))
                        for rejection in done.errors:
                            reject(rejection)
                        add_up(report, done)
                        self._write_manifest()
                if merge is True:
                    self._compact_closed(closed_before, workers, report)
                _write_json(os.path.join(self.path, REJECTED_NAME), rejected)
            except BaseException as exc:
                report.seconds = round(time.monotonic() - started, 3)
                write_failed_run(self.path, report, exc, previous)
                raise
            report.seconds = round(time.monotonic() - started, 3)
            write_last_run(self.path, report, "ok" if report.ok else "rejected",
                           previous=previous)
        return report

    def _plan(self, paths: list[str], fmt: str, ledgers: dict[str, dict[str, FileRecord]],
              report: IngestReport, reject: Callable[[Rejection], None],
              on_file: Callable[[str], None] | None, workers: int = 1,
              follow_symlinks: bool = False
              ) -> tuple[dict[str, list], set[str], dict[str, dict]]:
        """The files each shard's run reads (a new or changed file: the shards its stories
        go to and those that hold it now), every file walked, and the rejections to keep."""
        before = read_rejected(self.path)
        # a rejected file that is gone is no longer rejected (it may be in a folder this
        # run does not walk: that one stays)
        rejected: dict[str, dict] = {source: known for source, known in before.items()
                                     if os.path.lexists(source)}
        plan: dict[str, list] = {}
        walked: set[str] = set()
        reading: list[tuple] = []  # the files to read: new, changed or touched
        for path, root, source in walk_sources(paths, os.path.realpath(self.path),
                                               follow_symlinks):
            report.files_seen += 1
            if on_file:
                on_file(str(path))
            if source in walked:
                report.unchanged += 1  # named twice in this run: read once
                continue
            walked.add(source)
            stat, reason = stat_walked(path)
            if stat is None:
                reject(Rejection(str(path), reason))
                continue
            known = before.get(source)
            if known and (known["size"], known["mtime"]) == (stat.st_size, stat.st_mtime_ns):
                report.still_rejected += 1  # rejected before, unchanged since: not again
                continue
            rejected.pop(source, None)
            records = ledgers.get(source, {})
            if complete(records) and all(r.unchanged(stat) for r in records.values()):
                report.unchanged += 1
                continue
            known_sha = next(iter(records.values())).sha256 if complete(records) else ""
            reading.append(((path, root, source, stat.st_size, known_sha, fmt,
                             self.shard_by), stat, records))
        # reading each file to route it is the plan's cost: with workers, they share it
        jobs = [job for job, _, _ in reading]
        if workers > 1 and len(jobs) > 64:
            from multiprocessing import get_context

            with get_context("fork").Pool(workers, initializer=plan_worker,
                                          initargs=(os.getpid(),)) as pool:
                routes = list(pool.imap(route_for_run, jobs, chunksize=64))
        else:
            routes = [route(job) for job in jobs]
        for (job, stat, records), (kind, why, shards) in zip(reading, routes, strict=True):
            path, root, source = job[:3]
            if kind == "rejected":
                reject(Rejection(str(path), why))
                rejected[source] = {"size": stat.st_size, "mtime": stat.st_mtime_ns,
                                    "reason": why, "since": _now()}
                continue
            if kind == "failed":  # a reader bug: said, not remembered
                reject(Rejection(str(path), why))
                continue
            for name in sorted(set(shards) | set(records)):
                plan.setdefault(name, []).append((path, root, source))
            if kind == "touched":  # same bytes, new mtime: its shards refresh their records
                report.unchanged += 1
            elif records:
                report.updated += 1
            else:
                report.added += 1
        return plan, walked, rejected

    def optimize(self, on_progress: Callable[[float], None] | None = None,
                 workers: int = 2) -> dict:
        """Each shard merged into one segment, `workers` shards at a time, in processes of
        their own (a shard's optimize is single-threaded)."""
        started = time.monotonic()
        before = self.segment_count()
        with ingest_lock(self.path):
            self._optimize_shards(self.shard_names(), workers, on_progress)
            self._write_manifest()
        return {"segments_before": before, "segments_after": self.segment_count(),
                "seconds": round(time.monotonic() - started, 3)}

    def _optimize_shards(self, names: list[str], workers: int,
                         on_progress: Callable[[float], None] | None = None) -> None:
        """Merge each of these shards into one segment, `workers` at a time (the caller
        holds the ingest lock)."""
        if workers > 1 and len(names) > 1:
            from concurrent.futures import ProcessPoolExecutor
            from multiprocessing import get_context

            context = get_context("fork")
            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                paths = [self.shard(name).path for name in names]
                for done, _ in enumerate(pool.map(optimize_shard, paths), 1):
                    if on_progress:
                        on_progress(done / len(names))
        else:
            for done, name in enumerate(names, 1):
                self.shard(name).optimize()
                if on_progress:
                    on_progress(done / len(names))

    def _closed(self) -> set[str]:
        """The dated shards before the newest: periods the wire has moved past."""
        dated = [name for name in self.shard_names() if name != UNDATED]
        return set(dated[:-1])

    def _compact_closed(self, closed_before: set[str], workers: int,
                        report: IngestReport) -> None:
        """Merge into one segment each shard this run closed (a later shard now exists)
        that holds several: a closed period takes few stories after (late corrections,
        which tiered merging handles), and its segments cost every query that reads it.
        A bulk load closes every shard but the newest; a nightly run, last month at the
        turn of a month."""
        closing = [name for name in sorted(self._closed() - closed_before)
                   if self.shard(name).segment_count() > 1]
        if not closing:
            return
        shards = [self.shard(name) for name in closing]
        report.merges += len(closing)
        report.merged_documents += sum(segment.doc_count() for shard in shards
                                       for segment in segments_of(shard.whoosh_index))
        self._optimize_shards(closing, workers)
        self._write_manifest()


class _WindowReader(MultiReader):
    """The segments of some shards, answering statistics for the whole archive (`whole`),
    so that BM25 scores a document as a reader of every shard would."""

    def __init__(self, readers: list, whole) -> None:
        super().__init__(readers)
        self._whole = whole

    def doc_frequency(self, fieldname, text):
        return self._whole.doc_frequency(fieldname, text)

    def frequency(self, fieldname, text):
        return self._whole.frequency(fieldname, text)

    def field_length(self, fieldname):
        return self._whole.field_length(fieldname)

    def min_field_length(self, fieldname):
        return self._whole.min_field_length(fieldname)

    def max_field_length(self, fieldname):
        return self._whole.max_field_length(fieldname)

    def close(self) -> None:
        # the segment readers belong to the shards' own readers: closed with `whole`
        pass


