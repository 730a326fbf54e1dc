"""The ingest run: walk wire files, parse what changed, write paragraphs in verified batches.

Crash safety comes from one rule: a file's paragraphs and its ledger record (path, size,
mtime, sha256) are added in the same Whoosh commit. A run killed at any moment leaves the
index as of its last commit, ledger and paragraphs in agreement, and the next run redoes
exactly the files whose records never landed.
"""

from __future__ import annotations

import gc
import hashlib
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from whoosh.index import FileIndex
from whoosh.query import And, Term
from whoosh.searching import Searcher
from whoosh.writing import MERGE_SMALL

from ..enrich.people import PeopleFinder
from ..errors import WireFormatError
from ..store import whoosh_ext
from ..store.documents import record_key
from ..store.results import records
from ..store.schema import KIND, KIND_PARAGRAPH, KIND_STORY, STORY_KEY, SUPERSEDED, build_schema
from ..store.storage import (
    balanced_groups,
    commit_verified,
    drop_group,
    live_documents,
    merge_group,
    merge_none,
    new_writer,
    segment_bytes,
    tiered_merges,
)
from ..store.versions import VersionInfo, settle, settle_batch, versioned_keys
from ..store.whoosh_ext.fileindex import segments_of
from ..textio import printable
from . import process
from .ledger import FileRecord, IngestReport, Rejection, _now, read_ledger, read_rejected
from .process import MAX_FILE_BYTES, RULES, FileJob, FileOutcome, pool_short, too_large
from .walk import Lookahead, stat_walked, walk_sources

if TYPE_CHECKING:
    from .workers import WorkerPool

SPLIT_BYTES = 256 * 1024  # with workers, a file this large is shared among them
# the CPU of merging a document, over that of indexing a paragraph (parsing, analysis,
# people), as bench/bench_ingest.py --no-merge-too measures both
MERGE_COST = 0.2


@contextmanager
def garbage_collected_per_batch() -> Iterator[None]:
    """Python's cyclic garbage collector paused for an ingest run, which collects after
    each batch instead: a batch's writer holds millions of tracked objects that every
    automatic full collection walks again, for nothing, and the writer is itself the
    garbage (a cycle through its codec), freed once its batch is committed."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


WHOOSH_MERGE = "whoosh"  # IngestRun(merge=): Whoosh's default merge policy


class IngestRun:
    """One pass over the given paths into an open index. Use through Index.ingest().

    A batch (one commit) holds up to 2,000 files or 18,000 paragraphs a writer (with
    workers, each worker's share: each writes a segment of them), which fit a writer's
    posting pool of wire copy's paragraphs; without workers it ends sooner, before a file
    the pool has no room for (_room_for; workers finish a segment early instead), as a
    pool that overflows spills to disk. Segments that large start above the first size
    tier, so a run of a hundred thousand paragraphs merges none. A crash redoes at most
    one batch (with workers, two: one being committed while the next is read)."""

    def __init__(self, ix: FileIndex, fmt: str = "auto", batch_files: int = 2000,
                 batch_paragraphs: int = 18_000, workers: int = 1,
                 on_file: Callable[[str], None] | None = None,
                 on_reject: Callable[[Rejection], None] | None = None,
                 people: PeopleFinder = RULES, merge: bool | str = True,
                 shard: tuple[str, str] | None = None, follow_symlinks: bool = False
                 ) -> None:
        self.ix = ix
        self.follow_symlinks = follow_symlinks  # walk_sources: links out of the folders
        self.shard = shard  # (shard_by, name): a shard of an archive (FileJob.shard)
        self.fmt = fmt
        self.people = people
        self.workers = workers
        self.batch_files = batch_files
        self.batch_paragraphs = batch_paragraphs * workers  # a share for each writer
        self.on_file = on_file
        self.on_reject = on_reject
        self.report = IngestReport()
        self._writer = None
        self._pool: WorkerPool | None = None
        self._expected = live_documents(ix)
        self._batch_files = 0
        self._batch_paragraphs = 0
        self._batch_bytes = 0  # of the batch's files read (without workers: _room_for)
        self._ending = False
        # merge segments by size tier (storage.tiered_merges); WHOOSH_MERGE: by Whoosh's
        # own policy at each commit, as before tiered merging (for side-by-side benchmarks)
        self.merge = merge is True
        self.whoosh_merge = merge == WHOOSH_MERGE
        # files rejected by earlier runs (by size and mtime), and by this one
        self.rejected_before = read_rejected(ix.storage.folder)
        self.rejected_now: dict[str, dict] = {}
        self.walked: set[str] = set()
        # the batch's story keys (versions.settle): the versions it adds to each, and
        # without workers, its paragraphs as written (the first one's number in the new
        # segment, the fields they share, each one's own)
        self._new_versions: dict[str, list[VersionInfo]] = {}
        self._shares: dict[str, list[FileOutcome]] = {}  # source -> the shares back
        self._shared_bytes: dict[str, bytes] = {}  # source -> the bytes its shares index
        self._written: dict[str, list[tuple[int, dict, list[dict]]]] = {}
        # with workers: the bytes of the files in flight, and the paragraphs a byte of
        # the files read so far gave, so a batch ends near batch_paragraphs although
        # outcomes come back after the files were handed out
        self._bytes_in_flight = 0
        # the workers asked for the segments of a batch not yet committed (_end_batch)
        self._finishing: list[int] | None = None
        self._ahead: Lookahead | None = None  # the walk, read ahead (_run)
        self._bytes_read = 0
        self._paragraphs_read = 0

    # -- writing in verified batches

    def _writer_now(self):
        if self._writer is None:
            # the posting pool's size (with workers, theirs): much smaller spills pickled
            # runs to disk and merges them at commit; much larger breaks the run's memory
            # bound (docs/benchmarks.md). With
            # workers this writer only deletes, and commits their segments
            self._writer = new_writer(self.ix, limitmb=160 if self._pool is None else 64)
        return self._writer

    def _end_batch(self) -> None:
        """The batch is full. Without workers it is committed. With workers, once its
        files are all back, the workers are asked for its segments, and the next batch's
        files go out while they write them: a worker done first goes on reading, not
        waiting for the others and the commit. _finish_batch commits it."""
        if self._pool is None:
            self._commit()
            return
        self._finish_batch()  # the batch before, if a file alone filled this one
        while self._pool.in_flight:
            self._apply_next()
        self._finishing = self._pool.send_finish()
        self._batch_files = self._batch_paragraphs = self._batch_bytes = 0

    def _finish_batch(self) -> None:
        """Commit the batch whose segments the workers are writing, if one is. The next
        batch's outcomes wait until then: its deletions and versions are the next
        commit's."""
        if self._finishing is not None:
            assert self._pool is not None
            asked, self._finishing = self._finishing, None
            self._commit(self._pool.collect_segments(asked))

    def _commit(self, finished: list | None = None) -> None:
        """Commit the batch (with workers: the segments they `finished` for it, or asked
        for here). A size tier full of segments (storage.tiered_merges) is merged: without
        workers, into the run's writer at the commit; with workers, by a worker beside
        the others reading files, its segment taken by a later commit."""
        if self._pool is not None and finished is None:  # the batch ends and is committed now
            self._end_batch()
            self._finish_batch()
            return
        segments = []
        done: list = []
        if self._pool is not None:
            assert finished is not None
            segments = finished
            # a merge done by now is committed now, even in a batch that wrote nothing:
            # left for a later commit, its segments would look free to the next merge
            done = self._pool.finished_merges()
            if segments or done:
                self._writer_now()
        if self._writer is None:
            return
        writer, self._writer = self._writer, None
        self.report.pool_spills += whoosh_ext.pool_spills(writer)  # none with workers
        self._settle_versions(writer, segments)
        if self._pool is None:
            groups = tiered_merges(writer.segments)[:1] if self.merge else []
        else:
            groups = [merge.group for merge in done]
            current = {segment.segment_id(): segment for segment in writer.segments}
            for merge in done:  # deleted while the merge ran: deleted from its copy too
                for docnum in merge.deleted_since(current):
                    merge.segment.delete_document(docnum)
            segments += [merge.segment for merge in done]
            if self._pool.merging or self._pool.in_flight:
                # merging workers' segments, and the next batch's, are not listed yet
                writer.keep_unlisted_files()
        group = [segment for merged in groups for segment in merged]
        if self.whoosh_merge:
            policy = MERGE_SMALL
        elif not group:
            policy = merge_none
        elif self._pool is None:
            policy = partial(merge_group, group=group)  # into this writer's segment
        else:
            policy = partial(drop_group, group=group)  # the workers' copies replace them
        merged_bytes = sum(segment_bytes(self.ix, segment) for segment in group)
        commit_verified(self.ix, writer, self._expected, segments=segments, mergetype=policy)
        self.report.merges += len(groups)
        self.report.merged_documents += sum(segment.doc_count() for segment in group)
        self.report.merged_bytes += merged_bytes
        gc.collect()  # the batch's writer: see garbage_collected_per_batch
        self.report.commits += 1
        self._batch_files = self._batch_paragraphs = self._batch_bytes = 0
        if self._pool is not None and self.merge and not self._ending:
            self._start_merges()

    def _settle_versions(self, writer, segments: list) -> None:
        """Have `superseded` name, in this commit, the paragraphs no longer current (or
        current again) after the batch's versions, kills and deletions."""
        new, self._new_versions = self._new_versions, {}
        written, self._written = self._written, {}
        if new:
            self._expected += settle_batch(self.ix, writer, new, written, segments)

    def upgrade(self) -> None:
        """An index made before the `superseded` field gets it, with the paragraphs
        that are not current marked, in a commit of its own."""
        if SUPERSEDED in self.ix.schema:
            return
        writer = new_writer(self.ix)
        writer.add_field(SUPERSEDED, build_schema()[SUPERSEDED])
        with Searcher(writer.reader()) as searcher:
            settle(writer, searcher, versioned_keys(searcher), lambda key: iter(()))
        commit_verified(self.ix, writer, self._expected, mergetype=merge_none)

    def _start_merges(self, reading: int = 1) -> bool:
        """Hand full size tiers of the committed segments to idle workers, keeping
        `reading` workers for the files (only with our writer, whose commits can leave a
        merging worker's files alone); whether one began."""
        assert self._pool is not None
        if not whoosh_ext.active():
            return False
        busy = {segment_id for merge in self._pool.pending for segment_id in merge.ids()}
        free = [segment for segment in segments_of(self.ix) if segment.segment_id() not in busy]
        groups = tiered_merges(free, limit=self.workers)
        if reading:
            groups = [group for group in groups if not self._outlasts_reading(group)]
        if not reading and groups:
            # the run's last merges, with no file left to read: a lone merge would keep
            # one worker busy while the others wait, so each group is split among the
            # idle ones (a segment each, as optimize --workers does)
            idle = max(1, (self.workers - len(self._pool.merging)) // len(groups))
            groups = [part for group in groups
                      for part in balanced_groups(group, min(idle, len(group) // 2))
                      if len(part) > 1]  # a lone segment (a large one) stays as it is
        began = False
        for group in groups:
            if not self._pool.start_merge(group, reading=reading):
                break
            began = True
        return began

    def _outlasts_reading(self, group: list) -> bool:
        """Whether merging the group now, beside the workers left reading, would outlast
        the reading still to do (known once the walk has been read to its end). Such a
        merge waits for the end of the run, where it is shared among all the workers
        (_finish_merges): merged beside them, one worker would merge on alone while the
        others wait."""
        assert self._pool is not None
        remaining = None if self._ahead is None else self._ahead.remaining()
        if remaining is None or not self._bytes_read:
            return False
        paragraphs = (remaining + self._bytes_in_flight) * self._paragraphs_read \
            / self._bytes_read
        readers = max(1, self.workers - len(self._pool.merging) - 1)
        return sum(segment.doc_count() for segment in group) * MERGE_COST \
            > paragraphs / readers

    def _finish_merges(self) -> None:
        """At the end of a run that committed: wait for the workers' merges, commit their
        segments, and merge what tiers are still full with every worker, so the run
        leaves fewer than MERGE_FACTOR segments in each size tier."""
        if not self.report.commits or not self.merge:
            return
        if self._pool is None:
            while tiered_merges(segments_of(self.ix)):
                self._writer_now()
                self._commit()  # merges a group into its writer
            return
        while True:
            if self._pool.pending:
                self._pool.wait_merges()
                self._writer_now()
                self._commit()
            if not self._start_merges(reading=0):
                return

    def _delete_source(self, source: str) -> int:
        """Delete a file's paragraphs, version records and ledger record; returns the
        paragraphs removed."""
        writer = self._writer_now()
        with self.ix.searcher() as searcher:
            paragraphs = len(searcher.search(And([Term("source", source),
                                                  Term(KIND, KIND_PARAGRAPH)]),
                                             limit=None, scored=False))
            for record in records(searcher, KIND_STORY, "source", source):
                self._new_versions.setdefault(record_key(record), [])  # its versions go
        self._expected -= writer.delete_by_term("source", source)
        return paragraphs

    # a DocumentSink for process_file: documents are counted by _apply

    def add(self, document: dict) -> None:
        self._writer_now().add_document(**document)

    def add_documents(self, common: dict, documents: list[dict]) -> None:
        writer = self._writer_now()
        if common[KIND] == KIND_PARAGRAPH:  # for _settle_versions, joined only if it asks
            self._written.setdefault(common[STORY_KEY], []).append(
                (writer.docnum, common, documents))
        whoosh_ext.add_documents(writer, common, documents)

    # -- the run

    def reject(self, path: str, reason: str) -> None:
        rejection = Rejection(path, reason)
        self.report.rejected += 1
        self.report.errors.append(rejection)
        if self.on_reject:
            self.on_reject(rejection)

    def run(self, paths: list[str], prune: bool = False,
            files: list[tuple[Path, Path, str]] | None = None) -> IngestReport:
        """Ingest the files under `paths`, or the `files` given as walk_sources() yields
        them (an archive hands each shard the files it plans for it)."""
        with garbage_collected_per_batch():
            return self._run(paths, prune, files)

    def _run(self, paths: list[str], prune: bool,
             files: list[tuple[Path, Path, str]] | None = None) -> IngestReport:
        started = time.monotonic()
        self.upgrade()
        ledger = read_ledger(self.ix)
        seen: set[str] = set()
        if self.workers > 1:
            from .workers import WorkerPool  # it imports this module

            self.people.prepare()  # once, before the workers fork
            self._pool = WorkerPool(self.ix, self.fmt, self.people, self.workers,
                                    limitmb=max(64, 160 // self.workers))
        try:
            index_folder = os.path.realpath(self.ix.storage.folder)
            walked = walk_sources(paths, index_folder, self.follow_symlinks) \
                if files is None else files
            if self._pool is not None and self.merge:  # for _outlasts_reading
                walked = self._ahead = Lookahead(walked, ledger)
            for path, root, found in walked:
                source = printable(found)  # the ledger's key, and the stored `source`
                self.walked.add(source)
                self.report.files_seen += 1
                if self.on_file:
                    self.on_file(str(path))
                job = self._job_for(path, root, source, ledger, seen)
                if job is not None:
                    if self._pool is None and not self._room_for(job):
                        self._end_batch()  # committed before the file, not spilled
                    self._read(job)
                if self._batch_full():
                    self._end_batch()
            self._finish_batch()
            if prune:
                self._prune(ledger)
            self._ending = True  # the last merges begin in _finish_merges, on every worker
            self._commit()
            self._finish_merges()
        finally:
            if self._pool is not None:
                self._pool.close()
            if self._writer is not None:  # an exception escaped: give the lock back
                self._writer.cancel()
                self._writer = None
            self.report.seconds = round(time.monotonic() - started, 3)  # failed runs too
        return self.report

    def _batch_full(self) -> bool:
        # until files come back, a paragraph is guessed at 200 bytes (Reuters SGML:
        # about 230): a first batch that ends early costs one small segment
        read, paragraphs = (self._bytes_read, self._paragraphs_read) if self._bytes_read \
            else (200, 1)
        coming = self._bytes_in_flight * paragraphs // read
        return (self._batch_files >= self.batch_files
                or self._batch_paragraphs + coming >= self.batch_paragraphs)

    def _room_for(self, job: FileJob) -> bool:
        """Without workers: whether the run's writer has room in its posting pool for the
        file, guessed from the pool bytes a byte of the batch's files took so far, with
        1/POOL_RESERVE of the pool kept free besides (a file's postings a byte vary). A
        batch ends between files, never within one: a file's ledger record lands in the
        commit that holds its paragraphs."""
        return self._writer is None or not self._batch_bytes \
            or not pool_short(self._writer, job.size / self._batch_bytes)

    def _job_for(self, path: Path, root: Path, source: str, ledger: dict[str, FileRecord],
                 seen: set[str]) -> FileJob | None:
        """The file to read, or None when it is unchanged (by size and mtime) or
        rejected before reading."""
        stat, reason = stat_walked(path)
        if stat is None:
            self.reject(str(path), reason)
            return None
        known = self.rejected_before.get(source)
        if known and (known["size"], known["mtime"]) == (stat.st_size, stat.st_mtime_ns) \
                and source not in seen:
            # rejected before and unchanged since: not read, nor reported, again
            seen.add(source)
            self.report.still_rejected += 1
            self.rejected_now[source] = known
            return None
        record = ledger.get(source)
        if source in seen or (record and record.unchanged(stat)):
            self.report.unchanged += 1  # or named twice in this run: read once
            return None
        seen.add(source)
        if stat.st_size > MAX_FILE_BYTES:
            self.reject(str(path), too_large(stat.st_size))
            return None
        return FileJob(str(path), str(root), source, stat.st_size, stat.st_mtime_ns, record,
                       shard=self.shard)

    def _read(self, job: FileJob) -> None:
        if self._pool is None:
            self._apply(process.process_file(job, self.fmt, self, self.people))
            return
        jobs = [job]
        if job.size >= SPLIT_BYTES:
            # a file of hundreds of stories, one worker's work while the others wait at
            # the batch's end: each worker indexes a share of its records, from the same
            # bytes (read here once, so a file rewritten meanwhile cannot split in two)
            try:
                data = process.read_wire_file(job.path)
            except WireFormatError as exc:
                self._apply(FileOutcome(job, "rejected", str(exc)))
                return
            job = replace(job, sha256=hashlib.sha256(data).hexdigest())
            if not (job.known and job.known.sha256 == job.sha256):  # touched: one job
                # each worker reads the file itself and checks it against the hash: the
                # bytes sent down a pipe would hold the run until a busy worker took
                # them. A share that finds other bytes is sent these (stale, _apply)
                self._shared_bytes[job.source] = data
                jobs = [replace(job, part=part, parts=self.workers)
                        for part in range(self.workers)]
            else:
                jobs = [job]
        for part in jobs:
            self._submit(part)

    def _submit(self, job: FileJob) -> None:
        assert self._pool is not None
        # while the workers write a batch's segments, files go out as long as one has
        # room; the batch is committed as soon as its segments are back, or before an
        # outcome of the next is taken
        while self._finishing is not None:
            if self._pool.segments_ready(self._finishing):
                self._finish_batch()
            elif self._pool.in_flight < 4 * self.workers and self._pool.has_room():
                break
            else:
                self._pool.wait_message()
        # the outcomes back are accounted for before more files go out (a batch ends on
        # them): at most four a worker wait to be taken
        while self._pool.in_flight >= 4 * self.workers:
            self._apply_next()
        self._pool.submit(job)
        if job.ledger_stories is None:
            self._bytes_in_flight += job.share_bytes

    def _apply_next(self) -> None:
        """Account for the next file a worker finished."""
        assert self._pool is not None
        outcome = self._pool.next_outcome()
        if outcome.job.ledger_stories is None:
            self._bytes_in_flight -= outcome.job.share_bytes
        self._apply(outcome)

    def _apply(self, outcome: FileOutcome) -> None:
        """Account for a read file: report, rejections, and the deletions of what its
        new documents replace (committed segments only, so the order does not matter)."""
        job = outcome.job
        self._expected += outcome.documents
        self.report.pool_spills += outcome.pool_spills
        if job.ledger_stories is not None:  # a shared file's ledger record, written
            return
        if outcome.status == "stale":  # the share again, from the bytes the run hashed
            self._submit(replace(job, data=self._shared_bytes[job.source]))
            return
        shared = job.parts > 1
        if shared:
            if outcome.status == "parsed":  # counted as it comes back: batches end on it
                self._count_paragraphs(outcome)
            whole = self._put_together(outcome)
            if whole is None:  # other shares of the file still out
                return
            outcome, job = whole, whole.job
        if outcome.status == "rejected":
            self.reject(job.path, outcome.reason)
            self.rejected_now[job.source] = {"size": job.size, "mtime": job.mtime_ns,
                                             "reason": outcome.reason, "since": _now()}
            return
        self._batch_files += 1
        if outcome.status == "touched":
            self.report.unchanged += 1
            self._delete_source_record(job.source)
            return
        for problem in outcome.problems:  # bad records of a multi-story file; the rest went in
            self.reject(job.path, problem)
        if job.known:
            self.report.paragraphs_removed += self._delete_source(job.source)
            self.report.updated += 1
        else:
            self.report.added += 1
        if not shared:
            self._count_paragraphs(outcome)

    def _put_together(self, outcome: FileOutcome) -> FileOutcome | None:
        """The outcome of a shared file once all its shares are back (None until then),
        as one worker reading it whole would have given it; a worker is then handed its
        ledger record, which lands in the same commit as the shares."""
        job = outcome.job
        shares = self._shares.setdefault(job.source, [])
        shares.append(outcome)
        if len(shares) < job.parts:
            return None
        del self._shares[job.source]
        self._shared_bytes.pop(job.source, None)
        whole = replace(job, part=0, parts=1)
        rejected = [share for share in shares if share.status == "rejected"]
        if rejected:
            # a file rejected as a whole is rejected by every share (the checks before
            # any record is parsed see the same bytes); a share that added documents
            # meanwhile would leave them without a ledger record
            if any(share.documents for share in shares):
                from ..errors import WorkerError
                raise WorkerError(f"{job.path}: the shares of the file disagree "
                                  f"({rejected[0].reason})")
            return FileOutcome(whole, "rejected", rejected[0].reason)
        problems = sorted((at, problem) for share in shares
                          for at, problem in zip(share.problems_at, share.problems, strict=True))
        stories = sorted((at, story_id) for share in shares
                         for at, story_id in zip(share.at, share.story_ids, strict=True))
        if not stories and not any(share.spans for share in shares):
            # as formats.parse_file rejects a file no record of which reads
            from ..formats import no_story_error
            return FileOutcome(whole, "rejected", str(no_story_error([p for _, p in problems])))
        combined = FileOutcome(whole, "parsed", problems=[problem for _, problem in problems])
        if stories:  # an archive's shard none of whose stories the file holds: no record
            spans = tuple(sorted({name for share in shares for name in share.spans}))
            self._submit(replace(whole, data=None, ledger_stories=tuple(s for _, s in stories),
                                 spans=spans))
        return combined

    def _count_paragraphs(self, outcome: FileOutcome) -> None:
        self.report.stories += outcome.stories
        self.report.paragraphs += outcome.paragraphs
        self._batch_paragraphs += outcome.paragraphs
        self._bytes_read += outcome.job.share_bytes
        self._batch_bytes += outcome.job.share_bytes
        self._paragraphs_read += outcome.paragraphs
        for key, version in outcome.versions:
            self._new_versions.setdefault(key, []).append(version)

    def _delete_source_record(self, source: str) -> None:
        self._expected -= self._writer_now().delete_by_term("id", f"file:{source}")

    def _prune(self, ledger: dict[str, FileRecord]) -> None:
        for source in sorted(ledger):  # this run's files are there, escaped names too
            if source not in self.walked and not os.path.exists(source):
                self.report.paragraphs_removed += self._delete_source(source)
                self.report.pruned += 1
