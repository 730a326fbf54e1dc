"""One file, in the run's process or a worker's: read it (within the size limit), hash
it, parse it with its reader (indexer.formats), add the people each story names, and
hand its documents (paragraphs, story records, then its ledger record) to a sink.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from stat import S_ISREG
from typing import Protocol

from ..dates import shard_name
from ..enrich.people import PeopleFinder
from ..errors import WireFormatError
from ..store.documents import paragraph_records, story_document
from ..store.schema import KIND, KIND_FILE
from ..store.versions import VersionInfo
from ..textio import printable
from .ledger import FileRecord

MAX_FILE_BYTES = 64 * 1024 * 1024  # a day of one agency's wire is a few MB


# a writer keeps 1/POOL_RESERVE of its posting pool free for what comes next: a pool that
# overflows writes sorted runs of all it holds to disk, and reads them back when the
# segment is written (far slower than writing the segment)
POOL_RESERVE = 8


def pool_short(writer, growth: float = 0.0) -> bool:
    """Whether the writer's posting pool, having taken `growth` times what it holds now,
    would have less than 1/POOL_RESERVE of it free (never for a writer that does not say:
    stock Whoosh's)."""
    room = getattr(writer, "pool_room", None)
    if room is None:
        return False
    left, limit = room(), writer.pool.limit
    return left - (limit - left) * growth < limit / POOL_RESERVE


def too_large(size: int) -> str:
    return f"file too large ({size} bytes, limit {MAX_FILE_BYTES})"


def read_wire_file(path: str) -> bytes:
    """A wire file's bytes (read_limited at MAX_FILE_BYTES), or WireFormatError saying
    why they cannot be read."""
    try:
        return read_limited(path, MAX_FILE_BYTES)
    except OSError as exc:
        raise WireFormatError(f"unreadable: {exc.strerror or exc}") from None


def read_limited(path: str, limit: int) -> bytes:
    """A regular file's bytes, at most `limit` of them (the limit holds for the bytes
    read, not only for the size seen when the folder was listed: a file may grow). Opened
    without blocking, so a path swapped for a FIFO or a device is refused, not waited on."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    try:
        if not S_ISREG(os.fstat(fd).st_mode):
            raise WireFormatError("not a regular file")
        os.set_blocking(fd, True)
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise WireFormatError(f"file too large (over {limit} bytes)")
        return b"".join(chunks)
    finally:
        os.close(fd)


def story_id_for(path: Path, root: Path) -> str:
    """The path relative to the ingested root, without its suffix, '/'-separated (bytes
    that do not decode, and control characters, escaped: see textio.printable)."""
    relative = path.relative_to(root) if path.is_relative_to(root) else Path(path.name)
    return printable(relative.with_suffix("").as_posix())


@dataclass(frozen=True)
class FileJob:
    """A file the run has to read: new, or changed on disk since its ledger record."""

    path: str
    root: str
    source: str  # the resolved path: the ledger's key
    size: int
    mtime_ns: int
    known: FileRecord | None  # its ledger record, when it was ingested before
    # with workers, a large file is shared by several: each parses and indexes its share
    # of the records (formats.parse_file); the run puts their outcomes together and has
    # a worker write the ledger record (`ledger_stories`: every story of the file)
    part: int = 0
    parts: int = 1
    # a large file is read and hashed once by the run; each share is checked against
    # that hash, and given the run's bytes (`data`) when it found others
    data: bytes | None = None
    sha256: str = ""
    ledger_stories: tuple[str, ...] | None = None
    # in an archive (indexer.archive): (shard_by, shard) indexes only that shard's
    # stories, its ledger record naming every shard the file's stories are in (`spans`)
    shard: tuple[str, str] | None = None
    spans: tuple[str, ...] = ()

    @property
    def share_bytes(self) -> int:
        """The bytes of the file this job reads (its share of a shared file)."""
        return self.size // self.parts


@dataclass
class FileOutcome:
    """What reading a file gave: "parsed" (documents added), "touched" (same content:
    its ledger record refreshed), "rejected" (nothing added) or, for a share of a file,
    "stale" (nothing added: the file no longer held the bytes the run hashed)."""

    job: FileJob
    status: str
    reason: str = ""
    problems: list[str] = field(default_factory=list)
    stories: int = 0
    paragraphs: int = 0
    documents: int = 0  # documents added: paragraphs, story records, the file record
    versions: list[tuple[str, VersionInfo]] = field(default_factory=list)  # key, version
    # a share of a file: its story ids and problems, each with its record's number
    story_ids: list[str] = field(default_factory=list)
    at: list[int] = field(default_factory=list)
    problems_at: list[int] = field(default_factory=list)
    spans: tuple[str, ...] = ()
    pool_spills: int = 0  # a worker's posting pool spilled while it read this file


RULES = PeopleFinder()


class DocumentSink(Protocol):
    """Where process_file puts a file's documents: the run's writer or a worker's."""

    def add(self, document: dict) -> None: ...

    def add_documents(self, common: dict, documents: list[dict]) -> None:
        """A document for each of `documents`, each with the fields of `common` too."""


def process_file(job: FileJob, fmt: str, sink: DocumentSink,
                 people: PeopleFinder = RULES) -> FileOutcome:
    """Read, hash and parse one file, add the people each story names, and add its
    documents (paragraphs, story records, then its ledger record) to `sink`; the same in
    the run's process or a worker's."""
    if job.ledger_stories is not None:  # the shares of the file are in: its ledger record
        sink.add(_file_record(job, job.sha256, job.ledger_stories, job.spans))
        return FileOutcome(job, "recorded", documents=1)
    given = job.data
    if given is not None:  # the outcome goes back without the bytes
        job = replace(job, data=None)
    digest = job.sha256  # a large file's, hashed by the run: each share checks its bytes
    if not (digest and job.known and job.known.sha256 == digest):
        try:
            data = given if given is not None else read_wire_file(job.path)
        except WireFormatError as exc:
            if digest:  # the run has the bytes it read: it sends them (_apply)
                return FileOutcome(job, "stale", str(exc))
            return FileOutcome(job, "rejected", str(exc))
        found = digest if given is not None else hashlib.sha256(data).hexdigest()
        if digest and found != digest:  # rewritten since the run read it
            return FileOutcome(job, "stale", "changed since the run read it")
        digest = found
    if job.known and job.known.sha256 == digest:
        # touched, not changed: refresh the ledger so the next run skips it on stat alone
        sink.add(_file_record(job, digest, job.known.stories, job.known.shards))
        return FileOutcome(job, "touched", documents=1)
    from ..formats import parse_file  # the readers: only a run that reads files loads them

    try:
        parsed = parse_file(data, story_id_for(Path(job.path), Path(job.root)), job.source,
                            fmt, share=(job.part, job.parts))
    except WireFormatError as exc:
        return FileOutcome(job, "rejected", str(exc))  # an earlier good version stays
    except Exception as exc:  # a reader bug must not end the batch
        return FileOutcome(job, "rejected", f"could not parse: {type(exc).__name__}: {exc}")
    del data  # the file's bytes, and each story once written: a big file's peak memory
    spans: tuple[str, ...] = ()
    if job.shard is not None:  # an archive's shard: its own stories only
        shard_by, name = job.shard
        names = [shard_name(story.date, shard_by) for story in parsed.stories]
        spans = tuple(sorted(set(names)))
        parsed.at = [at for at, found in zip(parsed.at, names, strict=True) if found == name]
        parsed.stories = [story for story, found in zip(parsed.stories, names, strict=True)
                          if found == name]
    story_ids = [story.story_id for story in parsed.stories]
    stories = parsed.stories[::-1]
    parsed.stories = []
    outcome = FileOutcome(job, "parsed", problems=parsed.problems, stories=len(stories))
    if job.parts > 1:
        outcome.story_ids, outcome.at = story_ids, parsed.at
        outcome.problems_at, outcome.spans = parsed.problems_at, spans
    while stories:
        story = people.add_people(stories.pop())
        outcome.versions.append((story.key, VersionInfo(story.story_id, story.version,
                                                        story.date, story.status,
                                                        story.source)))
        common, paragraphs = paragraph_records(story)
        sink.add_documents(common, paragraphs)
        outcome.paragraphs += len(paragraphs)
        sink.add(story_document(story))
    outcome.documents = outcome.paragraphs + outcome.stories
    # a shard none of whose stories the file holds (any more) keeps no record of it
    if job.parts == 1 and (job.shard is None or story_ids):
        sink.add(_file_record(job, digest, tuple(story_ids), spans))
        outcome.documents += 1
    return outcome


def _file_record(job: FileJob, digest: str, stories: tuple[str, ...],
                 spans: tuple[str, ...] = ()) -> dict:
    record = {"id": f"file:{job.source}", KIND: KIND_FILE, "source": job.source,
              "size": job.size, "mtime": job.mtime_ns, "sha256": digest,
              "stories": list(stories)}
    if spans:
        record["shards"] = list(spans)
    return record
