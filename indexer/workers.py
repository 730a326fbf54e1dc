"""Worker processes for `ingest --workers N`: each reads, parses and indexes whole files
into a segment of its own, and hands the finished segment to the run, which commits all
of a batch's segments in one table of contents (indexer.storage.commit_verified).

Only file jobs and their outcomes cross between processes, on a pipe per worker.
Whoosh's own multiprocessing writer instead parses nothing in its workers: the run parsed
every file and pickled every document to them, a quarter more CPU per paragraph than one
process (2 workers: 0.85-0.89 ms against 0.65-0.68) with the parsing left in one process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import traceback
from multiprocessing.connection import Connection, wait
from typing import cast

from whoosh.index import FileIndex
from whoosh.writing import SegmentWriter

from . import ingest
from .people import PeopleFinder

POLL_SECONDS = 1.0  # how often an idle worker checks that the run is still alive


class WorkerError(RuntimeError):
    """A worker failed other than by rejecting a file; the batch is abandoned."""


class WorkerPool:
    """`count` forked processes, each with a pipe of its own: file jobs go to the worker
    with the fewest in flight (the run keeps four each), outcomes come back on the same pipe.
    Pipes, not multiprocessing queues: a queue's feeder thread and locks cost the run
    about 100 µs of CPU per file."""

    def __init__(self, ix: FileIndex, fmt: str, people: PeopleFinder, count: int,
                 limitmb: int) -> None:
        # fork: the workers share the open index and the loaded lexicons, and start at once
        context = multiprocessing.get_context("fork")
        self.in_flight = 0
        self._load = [0] * count
        self.connections = []
        self.processes = []
        for number in range(count):
            ours, theirs = context.Pipe()
            process = context.Process(target=_serve, daemon=True,
                                      name=f"indexer-worker-{number}",
                                      args=(ix, fmt, people, limitmb, number, theirs,
                                            os.getpid()))
            process.start()
            theirs.close()  # the worker's end is the worker's alone: its death reads as EOF
            self.connections.append(ours)
            self.processes.append(process)

    def submit(self, job: ingest.FileJob) -> None:
        number = self._load.index(min(self._load))
        self.connections[number].send(("file", job))
        self._load[number] += 1
        self.in_flight += 1

    def next_outcome(self) -> ingest.FileOutcome:
        kind, number, outcome = self._result()
        if kind != "file":
            raise WorkerError(f"worker {number} sent {kind!r} when a file was expected")
        self._load[number] -= 1
        self.in_flight -= 1
        return outcome

    def finish_batch(self, merges: list[list] | None = None) -> list:
        """Each worker's finished segment of this batch (none from a worker given no file
        and no merge). merges: groups of committed segments, at most one per worker, each
        copied into that worker's segment (indexer.storage.tiered_merges): the workers
        merge side by side, and the commit drops the groups' segments."""
        groups = list(merges or [])
        if len(groups) > len(self.connections):
            raise ValueError("more merges than workers")
        groups += [[]] * (len(self.connections) - len(groups))
        for connection, group in zip(self.connections, groups, strict=True):
            connection.send(("finish", group))
        segments = []
        for _ in self.connections:
            kind, number, segment = self._result()
            if kind != "segment":
                raise WorkerError(f"worker {number} sent {kind!r} when a segment was expected")
            if segment is not None:
                segments.append(segment)
        return segments

    def _result(self) -> tuple:
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
                raise WorkerError(f"worker {number}: {payload}")
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


class _SegmentOfBatch:
    """A worker's writer for the current batch, made at its first document: a worker that
    read no file (or only rejected ones) leaves nothing behind."""

    def __init__(self, ix: FileIndex, limitmb: int) -> None:
        self.ix, self.limitmb = ix, limitmb
        self.writer: SegmentWriter | None = None

    def add(self, fields: dict) -> None:
        if self.writer is None:
            self.writer = self.ix.segment_writer(_lk=False, limitmb=self.limitmb)
        self.writer.add_document(**fields)

    def finish(self, merge: list):
        """The finished segment, holding the batch's documents and the live documents of
        the segments in `merge`, or None. Never the writer's cancel() or commit: those
        delete the temporary folder (MAIN.tmp) that every writer of the index shares."""
        if merge and self.writer is None:
            self.writer = self.ix.segment_writer(_lk=False, limitmb=self.limitmb)
        writer, self.writer = self.writer, None
        if writer is None:
            return None
        for segment in merge:
            writer.add_segment(segment)
        return writer._finalize_segment()


def _serve(ix: FileIndex, fmt: str, people: PeopleFinder, limitmb: int, number: int,
           connection, parent: int) -> None:
    # the run's ingest lock is this process's too after fork: let it go with the run
    for fd in list(ingest.HELD_LOCK_FDS):
        os.close(fd)
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
        except EOFError:
            break
        if message is None:
            break
        kind, job = message
        try:
            if kind == "file":
                connection.send(("file", ingest.process_file(job, fmt, batch.add, people)))
            elif kind == "finish":
                connection.send(("segment", batch.finish(job)))
                gc.collect()  # while the run commits
        except BaseException as exc:
            # the batch is abandoned: its files never reach a table of contents
            where = f"{job.path}: " if kind == "file" else ""
            connection.send(("error", f"{where}{type(exc).__name__}: {exc}\n"
                                      f"{traceback.format_exc(limit=-3)}"))
            break
