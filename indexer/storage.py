"""Safe writing around Whoosh's pitfalls.

- Whoosh's FileStorage never fsyncs (whoosh-community/whoosh#323): a commit it reports done
  can vanish in a power cut. DurableFileStorage fsyncs every file it closes and the folder
  after every rename, so the new table of contents only becomes visible once the segment
  files it names are on disk.
- A commit() that raises leaves the write lock held: commit_verified() cancels the writer.
- The multiprocessing writer without multisegment=True silently drops documents
  (mchaput/whoosh#35): commit_verified() checks doc_count() against what was written.
- Whoosh's default merge policy (MERGE_SMALL) only ever merges tiny segments, so every
  batch of a nightly run leaves one more segment per worker and query time grows with
  their number. tiered_merge() keeps it logarithmic in the size of the archive.
"""

from __future__ import annotations

import math
import os
from collections import defaultdict
from collections.abc import Callable

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.index import FileIndex
from whoosh.reading import SegmentReader
from whoosh.writing import IndexWriter

from . import whoosh_fixes

whoosh_fixes.apply()


class IndexIntegrityError(RuntimeError):
    """The index does not hold what was just committed to it."""


def fsync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class DurableFileStorage(FileStorage):
    """A FileStorage whose files and renames are on disk before Whoosh moves on."""

    def create_file(self, name: str, excl: bool = False, mode: str = "wb", **kwargs) -> StructFile:
        f = super().create_file(name, excl=excl, mode=mode, **kwargs)
        raw = f.file
        previous: Callable[[StructFile], None] | None = f.onclose

        def sync_on_close(structfile: StructFile) -> None:
            raw.flush()
            os.fsync(raw.fileno())
            if previous:
                previous(structfile)

        f.onclose = sync_on_close
        return f

    def rename_file(self, oldname: str, newname: str, safe: bool = False) -> None:
        super().rename_file(oldname, newname, safe=safe)
        fsync_dir(self.folder)


def open_durable(path: str) -> FileIndex:
    return DurableFileStorage(path).open_index()


def create_durable(path: str, schema) -> FileIndex:
    storage = DurableFileStorage(path)
    storage.create()
    return storage.create_index(schema)


def new_writer(ix: FileIndex, procs: int = 1, **options) -> IndexWriter:
    """A writer for ix. With procs > 1 always multisegment=True: without it Whoosh's
    multiprocessing writer can lose documents while merging the sub-writers' output."""
    if procs > 1:
        options["multisegment"] = True
        return ix.writer(procs=procs, **options)
    return ix.writer(**options)


MERGE_FACTOR = 8  # segments of one size tier merged together
MERGE_DELETED_SHARE = 0.3  # a segment with this share of deleted documents is rewritten


def size_tier(segment) -> int:
    """Segments of 4,096-32,767 live documents are tier 4, of 32,768-262,143 tier 5..."""
    return int(math.log(max(segment.doc_count(), 1), MERGE_FACTOR))


def tiered_merge(writer, segments: list) -> list:
    """A merge policy for commit(mergetype=): when MERGE_FACTOR segments share a size
    tier they become one segment of the next tier (as Lucene's log merge policy does),
    and segments mostly made of deleted documents are rewritten. Each document is then
    rewritten about log8(archive / batch) times in its life and a million paragraphs
    stay in a handful of segments. Returns the segments left as they are."""
    tiers: dict[int, list] = defaultdict(list)
    for segment in segments:
        tiers[size_tier(segment)].append(segment)
    chosen = [s for tier in tiers.values() if len(tier) >= MERGE_FACTOR for s in tier]
    chosen += [s for s in segments if s not in chosen and s.doc_count_all()
               and s.deleted_count() >= MERGE_DELETED_SHARE * s.doc_count_all()]
    if not chosen or (len(chosen) == 1 and not chosen[0].has_deletions()):
        return segments
    for segment in chosen:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)  # live documents only: deletions are dropped
        reader.close()
    return [s for s in segments if s not in chosen]


def commit_verified(ix: FileIndex, writer: IndexWriter, expected_docs: int, **commit_args) -> None:
    """Commit, releasing the lock whatever happens, then prove the documents are all there."""
    commit_args.setdefault("mergetype", tiered_merge)
    try:
        writer.commit(**commit_args)
    except BaseException:
        try:
            writer.cancel()
        except Exception:  # the writer may be half-closed; the lock is what matters
            lock = getattr(writer, "writelock", None)
            if lock is not None and getattr(lock, "fd", None) is not None:
                lock.release()
        raise
    fsync_dir(ix.storage.folder)
    actual = ix.doc_count()
    if actual != expected_docs:
        raise IndexIntegrityError(
            f"index holds {actual} documents after commit, expected {expected_docs}"
        )
