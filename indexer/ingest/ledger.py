"""What was ingested, kept beside the index: the file records (the ledger, in the index
itself), the run reports, the files rejected, the last run's record, and the lock that
keeps one writer at a time.

The ledger is what makes ingest incremental and crash-safe: a file's paragraphs and its
record land in one commit, and a file whose size and mtime match its record is not read
again.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

from whoosh.index import FileIndex
from whoosh.searching import Searcher

from ..errors import IndexLockedError
from ..store import folder as index_folder
from ..store.folder import write_atomic
from ..store.schema import KIND_FILE
from ..store.storage import remove_orphan_segments
from ..textio import printable

LOCK_NAME = "ingest.lock"


LAST_RUN_NAME = "last_run.json"


HELD_LOCK_FDS: set[int] = set()  # closed by forked worker processes (indexer.ingest.workers)


@dataclass
class Rejection:
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{printable(self.path)}: {printable(self.reason)}"


@dataclass
class IngestReport:
    """What one ingest run did; `to_dict()` is the machine-readable run summary."""

    files_seen: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    pruned: int = 0
    stories: int = 0
    paragraphs: int = 0  # paragraphs written by this run
    paragraphs_removed: int = 0
    commits: int = 0
    merges: int = 0  # segments merged by this run's commits (a size tier's worth each)
    merged_documents: int = 0  # documents those merges copied
    merged_bytes: int = 0  # the merged segments' size on disk
    # times a posting pool overflowed and wrote sorted runs of all it held to disk, read
    # back when its segment was written: slow, and the sign of a pool too small for a story
    pool_spills: int = 0
    seconds: float = 0.0
    still_rejected: int = 0  # rejected by an earlier run, unchanged since: not read again
    errors: list[Rejection] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.rejected == 0

    def summary(self) -> str:
        return (
            f"{self.files_seen} files seen: {self.added} added, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.rejected} rejected, {self.pruned} pruned; "
            f"{self.paragraphs} paragraphs written in {self.seconds:.2f}s"
            + (f"; {self.still_rejected} still rejected, unchanged (`indexer check` lists "
               "them)" if self.still_rejected else "")
        )

    def to_dict(self) -> dict:
        data = asdict(self)
        data["errors"] = [{"path": e.path, "reason": e.reason} for e in self.errors]
        return data


@dataclass(frozen=True)
class FileRecord:
    """The ledger's memory of one ingested file."""

    size: int
    mtime_ns: int
    sha256: str
    stories: tuple[str, ...]
    shards: tuple[str, ...] = ()  # in an archive's shard: every shard the file's stories are in

    def unchanged(self, stat: os.stat_result) -> bool:
        """Whether the file is as it was when recorded, by size and mtime (its bytes are
        not read again to tell)."""
        return (self.size, self.mtime_ns) == (stat.st_size, stat.st_mtime_ns)


@contextmanager
def ingest_lock(index_dir: str) -> Iterator[None]:
    """One writer at a time. flock dies with its process, so a crashed run never blocks."""
    os.makedirs(index_dir, exist_ok=True)
    fd = os.open(os.path.join(index_dir, LOCK_NAME), os.O_CREAT | os.O_RDWR, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                raise IndexLockedError(
                    f"another ingest is writing to {index_dir} (lock held on {LOCK_NAME})"
                ) from None
            raise
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        HELD_LOCK_FDS.add(fd)
        yield
    finally:
        HELD_LOCK_FDS.discard(fd)
        os.close(fd)  # closing releases the flock


def read_ledger(ix: FileIndex) -> dict[str, FileRecord]:
    """Every file record in the index, keyed by source path."""
    with ix.searcher() as searcher:
        return ledger_of(searcher)


def ledger_of(searcher: Searcher) -> dict[str, FileRecord]:
    """The file records in the searcher's generation (the one its paragraphs come from)."""
    ledger: dict[str, FileRecord] = {}
    for fields in searcher.documents(kind=KIND_FILE):
        ledger[fields["source"]] = FileRecord(
            size=fields["size"],
            mtime_ns=fields["mtime"],
            sha256=fields["sha256"],
            stories=tuple(fields.get("stories") or ()),
            shards=tuple(fields.get("shards") or ()),
        )
    return ledger


REJECTED_NAME = "rejected.json"


def read_rejected(index_dir: str) -> dict[str, dict]:
    """The files earlier runs rejected, by source: size, mtime, reason, since when. A
    damaged record (our own bookkeeping, not the index) reads as its entries that are
    whole, or none; the next run writes it anew."""
    try:
        with open(os.path.join(index_dir, REJECTED_NAME), encoding="utf-8",
                  errors="replace") as f:
            data = json.load(f)
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {source: known for source, known in data.items()
            if isinstance(known, dict) and isinstance(known.get("size"), int)
            and isinstance(known.get("mtime"), int) and isinstance(known.get("reason"), str)}


def read_last_run(index_dir: str) -> dict | None:
    """The last run's record (write_last_run); None when there is none. A damaged one
    reads as {"outcome": "unknown", ...} saying so: the next run writes it anew."""
    path = os.path.join(index_dir, LAST_RUN_NAME)
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            data = json.load(f)
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("outcome"), str):
        return {"outcome": "unknown", "reason": f"{LAST_RUN_NAME} is damaged: the next "
                "ingest writes it anew"}
    return data


def mark_running(index_dir: str) -> str | None:
    """start_run's record: this run is running; "killed" when the one before still was."""
    previous = None
    try:
        with open(os.path.join(index_dir, LAST_RUN_NAME), encoding="utf-8") as f:
            if json.load(f).get("outcome") == "running":
                previous = "killed"
    except (OSError, ValueError, AttributeError):
        pass
    _write_json(os.path.join(index_dir, LAST_RUN_NAME),
                {"started": _now(), "outcome": "running", "pid": os.getpid()})
    return previous


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def write_last_run(index_dir: str, report: IngestReport, outcome: str,
                   previous: str | None = None, reason: str | None = None,
                   best_effort: bool = False) -> None:
    """Record the run's summary beside the index, atomically (for `indexer stats`):
    outcome ok, rejected, failed (with the reason) or interrupted; running while it runs,
    so the next run can tell that this one was killed (`previous_run`: killed)."""
    data: dict = {"finished": _now(), "outcome": outcome}
    if reason:
        data["reason"] = reason
    if previous:
        data["previous_run"] = previous
    data.update(report.to_dict())
    try:
        _write_json(os.path.join(index_dir, LAST_RUN_NAME), data)
    except OSError:
        if not best_effort:  # a failing run's record must not hide why it failed
            raise


def write_failed_run(index_dir: str, report: IngestReport, exc: BaseException,
                     previous: str | None = None) -> None:
    """Record a run that raised: interrupted (Ctrl-C), or failed and why."""
    if isinstance(exc, KeyboardInterrupt):
        write_last_run(index_dir, report, "interrupted", previous=previous, best_effort=True)
    else:
        write_last_run(index_dir, report, "failed", previous=previous,
                       reason=f"{type(exc).__name__}: {exc}", best_effort=True)


def _write_json(target: str, data: dict) -> None:
    write_atomic(target, json.dumps(data, indent=2))


def remove_temporary_files(index_dir: str) -> None:
    """Remove what a failed or killed run left in the index folder: Whoosh's posting-pool
    folder and our own temporary files, by their names, in an index folder of ours only
    (indexer.store.folder). Called under the ingest lock, when no run is writing."""
    index_folder.remove_temporary(index_dir)


def remove_leftovers(ix: FileIndex) -> None:
    """All a failed or killed run can leave: temporary files and segment files no table
    of contents names. Under the ingest lock only."""
    remove_temporary_files(ix.storage.folder)
    remove_orphan_segments(ix)


def start_run(ix: FileIndex) -> str | None:
    """Clean up after the run before and mark this one as running. Returns "killed" when
    the run before never finished (its record still says running), else None."""
    remove_leftovers(ix)
    return mark_running(ix.storage.folder)


def write_rejected(index_dir: str, before: dict[str, dict], walked: set[str],
                   now: dict[str, dict]) -> None:
    """Keep what a run rejected (or found still rejected: `now`), and the earlier runs'
    rejections (`before`) of files it did not walk that are still there; a file read
    fine again, or gone, is forgotten."""
    kept = {source: known for source, known in before.items()
            if source not in walked and os.path.lexists(source)}
    _write_json(os.path.join(index_dir, REJECTED_NAME), {**kept, **now})
