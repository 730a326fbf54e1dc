"""The index class: Whoosh's FileIndex, read safely while a writer commits, handing out our
writer and readers; and the few questions about an index Whoosh answers only privately.

FileIndex lists the folder for the newest table of contents, then opens it; a commit in
between deletes that file and the read raises FileNotFoundError (Whoosh retries only in
reader()). ConcurrentFileIndex retries every such read, verifies a segment's checksums
before a reader opens it, and hands out our extensions (stock Whoosh's on a Whoosh they
were not written for).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from whoosh import index as whoosh_index
from whoosh.index import _DEF_INDEX_NAME, FileIndex
from whoosh.reading import SegmentReader
from whoosh.writing import IndexWriter, SegmentWriter

from .. import checksums
from .guard import active
from .reader import FastSegmentReader, open_reader
from .writer import FastSegmentWriter


class ConcurrentFileIndex(FileIndex):
    """This project's index: a FileIndex whose table of contents survives a writer
    committing while it is read, and that hands out our Whoosh extensions (indexer.
    whoosh_ext: writer, codec, readers) for itself only; stock Whoosh's when the
    installed Whoosh is not one they were written for."""

    TOC_RETRIES = 20

    def __init__(self, storage, schema=None, indexname=_DEF_INDEX_NAME) -> None:
        # FileIndex.__init__ reads the TOC too, to see that there is one
        retrying(lambda: super(ConcurrentFileIndex, self).__init__(storage, schema, indexname),
                 self.TOC_RETRIES)

    def _read_toc(self):
        return retrying(super()._read_toc, self.TOC_RETRIES)

    @classmethod
    def _reader(cls, storage, schema, segments, generation, reuse=None):
        # sizes, and every byte of a file rewritten since it was written (checksums)
        checksums.verify_segments(storage.folder, segments,
                                  allowance=checksums.OPEN_CHECK_BYTES)
        if not active():
            return super()._reader(storage, schema, segments, generation, reuse=reuse)
        return open_reader(storage, schema, segments, generation, reuse=reuse)

    def writer(self, procs: int = 1, **kwargs) -> IndexWriter:
        if procs > 1 or not active():
            return super().writer(procs=procs, **kwargs)
        return self.segment_writer(**kwargs)

    def segment_writer(self, **kwargs) -> SegmentWriter:
        """A SegmentWriter of this index (the ingest workers take theirs with _lk=False)."""
        if not active():
            return SegmentWriter(self, **kwargs)
        return FastSegmentWriter(self, **kwargs)

    def segment_reader(self, segment) -> SegmentReader:
        """A reader of one of this index's segments (merges read them so)."""
        if not active():
            return SegmentReader(self.storage, self.schema, segment)
        return FastSegmentReader(self.storage, self.schema, segment)


def retrying(read: Callable, attempts: int):
    for attempt in range(attempts):
        try:
            return read()
        except FileNotFoundError:
            # the generation listed a moment ago was replaced by a commit: list again
            if attempt == attempts - 1:
                raise
            time.sleep(0.005 * (attempt + 1))


def index_exists(path: str) -> bool:
    """Whether the folder holds a Whoosh index: a table of contents, by its file name.
    Not whoosh.index.exists_in: it opens the index, and a commit replacing the table of
    contents between its listing and its reading raised FileNotFoundError in a reader."""
    try:
        names = os.listdir(path)
    except OSError:
        return False
    toc = whoosh_index.TOC._pattern(_DEF_INDEX_NAME)  # Whoosh's own name for it
    return any(toc.match(name) for name in names)


def segments_of(ix: FileIndex) -> list:
    """The segments of the index's current table of contents."""
    return ix._segments()


def finalize_segment(writer: SegmentWriter):
    """Write a writer's segment without committing it (a worker's or a merging process's
    segment, committed later by the run's writer), and return it."""
    return writer._finalize_segment()
