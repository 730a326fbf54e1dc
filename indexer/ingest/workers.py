"""Worker processes for `ingest --workers N`: each reads, parses and indexes files (or
its share of the records of a large one: FileJob) into a segment of its own (or
more: _SegmentOfBatch), and hands the finished segments to the run, which commits all of
a batch's segments in one table of contents (indexer.store.storage.commit_verified).

Only file jobs and their outcomes cross between processes, on a pipe per worker.
Whoosh's own multiprocessing writer instead parses nothing in its workers: the run parsed
every file and pickled every document to them, more CPU per paragraph than one process,
with the parsing left in one process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import traceback
from bisect import bisect_left
from collections import deque
from multiprocessing.connection import Connection, wait
from typing import cast

from whoosh.index import FileIndex
from whoosh.writing import SegmentWriter

from ..enrich.people import PeopleFinder
from ..errors import IndexDamagedError, WorkerError
from ..forked import die_with_run
from ..store import whoosh_ext
from ..store.storage import merge_into
from ..store.whoosh_ext.fileindex import finalize_segment
from . import ledger
from . import process as file_process
from .process import FileJob, FileOutcome

POLL_SECONDS = 1.0  # how often an idle worker checks that the run is still alive
# a worker is given another file while it has fewer files than this in flight, and fewer
# bytes than QUEUED_BYTES (or none): small files keep it busy, large ones wait in the run
QUEUED_JOBS = 4
QUEUED_BYTES = 256 * 1024


def _failure(exc: BaseException, where: str) -> dict:
    """What a worker tells the run of an error: enough to raise its like in the run (a
    full disk is the same one line, and exit code, with workers as without)."""
    failure: dict = {"type": type(exc).__name__, "message": str(exc), "where": where,
               "traceback": traceback.format_exc(limit=-3)}
    if isinstance(exc, OSError) and exc.errno is not None:
        failure.update(errno=exc.errno, strerror=exc.strerror, filename=exc.filename)
    if isinstance(exc, IndexDamagedError):
        failure["damaged"] = True
    return failure


def _raised(number: int, failure: dict) -> Exception:
    """The run's exception for a worker's failure; the worker's traceback in its notes
    (a crash report shows them, the one-line message does not)."""
    error: Exception
    if failure.get("errno") is not None:
        error = OSError(failure["errno"], failure["strerror"], failure["filename"])
    elif failure.get("damaged"):
        error = IndexDamagedError(failure["message"])
    else:
        error = WorkerError(f"worker {number}: {failure['where']}{failure['type']}: "
                            f"{failure['message']}")
    error.add_note(f"in worker {number}:\n{failure['traceback']}")
    return error


class WorkerPool:
    """`count` forked processes, each with a pipe of its own: file jobs go to the worker
    with the fewest in flight (the run keeps four each), outcomes come back on the same pipe.
    Pipes, not multiprocessing queues: a queue's feeder thread and locks cost the run CPU
    for every file."""

    def __init__(self, ix: FileIndex, fmt: str, people: PeopleFinder, count: int,
                 limitmb: int) -> None:
        # fork: the workers share the open index and the loaded lexicons, and start at once
        context = multiprocessing.get_context("fork")
        self.in_flight = 0
        # each worker's work in flight, in bytes of the files handed to it (file jobs
        # differ a thousandfold: a count would hand a worker clearing rejected notes the
        # same share as one parsing a file of a thousand stories)
        self._load = [0] * count
        self._jobs = [0] * count  # and in file jobs
        self._outcomes: deque[FileOutcome] = deque()  # back, not yet taken
        self._merging: dict[int, Merge] = {}  # worker number -> the merge it is doing
        self._merged: list[Merge] = []  # done, not yet committed
        self._segments: dict[int, list] = {}  # worker number -> its batch's segments, back
        # segments a worker set to merge wrote first, from files it had been handed: they
        # belong to the batch those files are in (collect_segments)
        self._early: list = []
        self._owed: set[int] = set()  # workers set to merge whose early segments are not back
        self.connections: list[Connection] = []
        self.processes = []
        for number in range(count):
            ours, theirs = context.Pipe()
            # the run's ends, its own and the earlier workers', are closed in the forked
            # worker (_serve): held there, they would hide the run's death from workers
            process = context.Process(target=_serve, daemon=True,
                                      name=f"indexer-worker-{number}",
                                      args=(ix, fmt, people, limitmb, number, theirs,
                                            os.getpid(), [*self.connections, ours]))
            process.start()
            theirs.close()  # the worker's end is the worker's alone: its death reads as EOF
            self.connections.append(ours)
            self.processes.append(process)

    def submit(self, job: FileJob) -> None:
        """Hand the job to the worker with the least work in flight, waiting until one
        has room: a job queued behind a worker's large file (or a merge) would wait
        there while another worker ran out of work."""
        # the outcomes already back first: a worker done with its files is free, although
        # the run has not taken them yet
        self._take_waiting()
        while not (free := self._with_room()):
            self._receive()
        number = min(free, key=lambda n: self._load[n])
        self.connections[number].send(("file", job))
        self._load[number] += _work(job)
        self._jobs[number] += 1
        self.in_flight += 1

    def next_outcome(self) -> FileOutcome:
        while not self._outcomes:
            self._result("file")
        self.in_flight -= 1
        return self._outcomes.popleft()

    def send_finish(self) -> list[int]:
        """Ask the workers reading files (not those merging) to write the batch's
        segments; returns which were asked, for collect_segments. Files handed out from
        now on are the next batch's: each worker reads its messages in order."""
        asked = [n for n in range(len(self.connections)) if n not in self._merging]
        for number in asked:
            self.connections[number].send(("finish", None))
        return asked

    def segments_ready(self, asked: list[int]) -> bool:
        """Whether collect_segments(asked) would find every segment back (no wait)."""
        self._take_waiting()
        return self._segments_back(asked)

    def collect_segments(self, asked: list[int]) -> list:
        """The segments of the batch send_finish() ended (none from a worker given no
        file): those of the workers asked, and those that workers set to merge sent
        before merging (of the files they held)."""
        while not self._segments_back(asked):
            self._receive()
        segments = [segment for number in asked for segment in self._segments.pop(number)]
        segments += self._early
        self._early = []
        return segments

    def _segments_back(self, asked: list[int]) -> bool:
        return not self._owed and all(number in self._segments for number in asked)

    def has_room(self) -> bool:
        """Whether submit() would hand a file out at once."""
        return bool(self._with_room())

    def _with_room(self) -> list[int]:
        """The workers that may be handed a file now. A merging worker reads none: its
        batch stays empty until its merge is done."""
        return [n for n in range(len(self.connections)) if n not in self._merging
                and self._jobs[n] < QUEUED_JOBS
                and (not self._jobs[n] or self._load[n] < QUEUED_BYTES)]

    def _take_waiting(self) -> None:
        """Keep every message already back, without waiting for more."""
        while any(connection.poll() for connection in self.connections):
            self._receive()

    def wait_message(self) -> None:
        """Until a worker's next message is back (and kept)."""
        self._receive()

    # -- merges, beside the files

    @property
    def merging(self) -> list[Merge]:
        return list(self._merging.values())

    @property
    def pending(self) -> list[Merge]:
        """The merges begun and not yet handed out by finished_merges(): their segments
        are not free to merge again."""
        return [*self._merging.values(), *self._merged]

    def start_merge(self, group: list, reading: int = 1) -> bool:
        """Have a worker merge committed segments into a new segment of its own while
        `reading` others read the files; False when no other worker may merge. The worker
        with the least work in flight is chosen; it indexes the files it was handed
        first, and sends their segment before it merges (collect_segments)."""
        if len(self._merging) >= len(self.connections) - reading:
            return False
        number = min((n for n in range(len(self.connections)) if n not in self._merging),
                     key=lambda n: self._load[n])
        merge = Merge(group)
        self.connections[number].send(("merge", group))
        self._merging[number] = merge
        self._owed.add(number)
        return True

    def finished_merges(self) -> list[Merge]:
        """The merges done since the last call."""
        while self._merging and any(c.poll() for c in self.connections):
            self._receive()
        done, self._merged = self._merged, []
        return done

    def wait_merges(self) -> None:
        """Until every merge begun is done (finished_merges() then has them)."""
        while self._merging:
            self._result("merged")

    def _result(self, expected: str) -> tuple:
        """The next message of the kind expected; file outcomes and finished merges that
        come first are kept (next_outcome(), finished_merges())."""
        while True:
            kind, number, payload = self._receive()
            if kind == expected:
                return kind, number, payload
            if kind not in ("file", "merged", "segment", "early"):
                raise WorkerError(f"worker {number} sent {kind!r} when {expected!r} was "
                                  "expected")

    def _receive(self) -> tuple:
        """The next message from any worker; a file outcome, a batch's segments or a
        finished merge is kept as it comes, and its worker's load lightened."""
        kind, number, payload = self._message()
        if kind == "file":
            self._load[number] -= _work(payload.job)
            self._jobs[number] -= 1
            self._outcomes.append(payload)
        elif kind == "segment":
            self._segments[number] = payload
        elif kind == "early":
            self._early += payload
            self._owed.discard(number)
        elif kind == "merged":
            merge = self._merging.pop(number)
            merge.segment = payload
            self._merged.append(merge)
        return kind, number, payload

    def _message(self) -> tuple:
        while True:
            ready = wait(self.connections, timeout=POLL_SECONDS)
            if not ready:
                for process in self.processes:
                    if not process.is_alive():
                        raise WorkerError(f"{process.name} died (exit code {process.exitcode})")
                continue
            connection = cast(Connection, ready[0])
            number = self.connections.index(connection)
            try:
                kind, payload = connection.recv()
            except EOFError:
                process = self.processes[number]
                process.join(timeout=1)
                raise WorkerError(f"{process.name} died (exit code {process.exitcode})") from None
            if kind == "error":
                raise _raised(number, payload)
            return kind, number, payload

    def close(self) -> None:
        """Stop the workers; a batch not finished is dropped (its files never reach a
        table of contents, and Whoosh deletes them at a later commit)."""
        for connection in self.connections:
            try:
                connection.send(None)
            except OSError:  # a worker already gone
                pass
        for process in self.processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join()
        for connection in self.connections:
            connection.close()


def _work(job: FileJob) -> int:
    """A job's weight in a worker's load: the bytes of its share of the file (a shared
    file's ledger record, or an empty file: 1)."""
    return 1 if job.ledger_stories is not None else max(1, job.share_bytes)


class Merge:
    """Committed segments a worker merges into one, with the documents deleted from each
    when it began: documents deleted after, while it ran, are deleted from its segment
    at the commit that takes it (deleted_since)."""

    def __init__(self, group: list) -> None:
        self.group = group
        self.deleted = [sorted(segment.deleted_docs()) if segment.has_deletions() else []
                        for segment in group]
        self.segment = None  # the merged segment, once done

    def ids(self) -> set[str]:
        return {segment.segment_id() for segment in self.group}

    def deleted_since(self, current: dict) -> list[int]:
        """Documents of the merged segment to delete: those deleted from its sources
        (current: segment id -> the segment as the committing writer holds it) since the
        merge began, renumbered as the merge numbered the live ones."""
        found, base = [], 0
        for segment, before in zip(self.group, self.deleted, strict=True):
            now = current[segment.segment_id()]
            gone = set(before)
            if now.has_deletions():
                for docnum in sorted(set(now.deleted_docs()) - gone):
                    found.append(base + docnum - bisect_left(before, docnum))
            base += segment.doc_count_all() - len(before)
        return found


class _SegmentOfBatch:
    """A worker's writer for the current batch, made at its first document: a worker that
    read no file (or only rejected ones) leaves nothing behind.

    A writer whose posting pool is nearly full finishes its segment before the next
    story, and the story begins a new segment of the batch: a pool that overflows writes
    sorted runs of all it holds to disk and merges them back when the segment is
    written, far slower than writing the segment; a segment more costs a little more
    merging. The check is made a story at a time, not guessed from a file's size before
    it is read: a worker handed all of a batch's files (the other one merging) filled its
    pool to within a file, and a file's postings vary too much by its bytes for that."""

    def __init__(self, ix: FileIndex, limitmb: float) -> None:
        self.ix, self.limitmb = ix, limitmb
        self.writer: SegmentWriter | None = None
        self.finished: list = []  # this batch's segments finished early
        self.spills = 0  # the pool spills of the writers finished so far

    # a DocumentSink for file_process.process_file

    def add(self, fields: dict) -> None:
        self._writer_now().add_document(**fields)

    def add_documents(self, common: dict, documents: list[dict]) -> None:
        whoosh_ext.add_documents(self._writer_now(), common, documents)

    def _writer_now(self) -> SegmentWriter:
        if self.writer is not None and file_process.pool_short(self.writer):  # before each story
            self.finished.append(self._finish_writer())
        if self.writer is None:
            self.writer = self.ix.segment_writer(_lk=False, limitmb=self.limitmb)
        return self.writer

    def file(self, job: FileJob, fmt: str, people: PeopleFinder) -> FileOutcome:
        """Read and index a file job (process.process_file) into this batch."""
        before = self._spills_now()
        outcome = file_process.process_file(job, fmt, self, people)
        outcome.pool_spills = self._spills_now() - before
        return outcome

    def _spills_now(self) -> int:
        return self.spills + (whoosh_ext.pool_spills(self.writer) if self.writer else 0)

    def finish(self) -> list:
        """The batch's finished segments. Never the writer's cancel() or commit: those
        delete the temporary folder (MAIN.tmp) that every writer of the index shares."""
        segments, self.finished = self.finished, []
        if self.writer is not None:
            segments.append(self._finish_writer())
        return segments

    def merge(self, group: list):
        """A new segment holding the live documents of the segments of `group`."""
        writer = self.ix.segment_writer(_lk=False, limitmb=self.limitmb)
        merge_into(writer, group)
        return finalize_segment(writer)

    def _finish_writer(self):
        writer, self.writer = self.writer, None
        self.spills += whoosh_ext.pool_spills(writer)  # before the segment reads them back
        return finalize_segment(writer)


def _serve(ix: FileIndex, fmt: str, people: PeopleFinder, limitmb: int, number: int,
           connection, parent: int, runs_ends: list[Connection]) -> None:
    # the run's ingest lock is this process's too after fork: let it go with the run
    for fd in list(ledger.HELD_LOCK_FDS):
        os.close(fd)
    # with the run's ends of the pipes closed here, the run's death (even halfway through
    # sending a job) reads as the end of the pipe, not as a wait that never ends
    for end in runs_ends:
        end.close()
    die_with_run(parent)
    # Ctrl-C reaches the whole process group: the run stops its workers itself (close())
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # collected once a batch, as in the run (ingest.garbage_collected_per_batch); what the
    # run's process held at the fork is left out of every collection
    gc.disable()
    gc.freeze()
    batch = _SegmentOfBatch(ix, limitmb)
    while True:
        if not connection.poll(POLL_SECONDS):
            if os.getppid() != parent:  # the run was killed: nothing will be committed
                os._exit(0)
            continue
        try:
            message = connection.recv()
        except (EOFError, OSError):  # the run is gone, maybe halfway through a message
            break
        if message is None:
            break
        kind, job = message
        try:
            if kind == "file":
                connection.send(("file", batch.file(job, fmt, people)))
            elif kind == "merge":
                # the files handed out before the merge: their segment goes with their
                # batch, not after the merge
                connection.send(("early", batch.finish()))
                connection.send(("merged", batch.merge(job)))
            elif kind == "finish":
                connection.send(("segment", batch.finish()))
                gc.collect()  # while the run commits
        except BaseException as exc:
            # the batch is abandoned: its files never reach a table of contents
            where = f"{job.path}: " if kind == "file" else ""
            try:
                connection.send(("error", _failure(exc, where)))
            except OSError:  # the run is gone: no one to tell
                pass
            break
