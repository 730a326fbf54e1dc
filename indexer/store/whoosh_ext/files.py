"""Memory-mapped sub-files of a compound segment.

Whoosh's CompoundStorage copies each sub-file into a BytesIO, so opening an index read every
segment in full and a query process held all of it. MappedSubFile reads the same bytes
straight from the map, so a reader touches only the pages it uses.
"""

from __future__ import annotations

import pickle
import threading
from io import BytesIO

from whoosh.filedb import compound
from whoosh.filedb.structfile import StructFile


class MappedSubFile(StructFile):
    """A read-only sub-file of a memory-mapped compound file, read without copying
    (see the mapped sub-files). Its position is its own, as a BufferFile's is, and each
    thread's own: a segment's postings file is one object that every query's matchers
    seek and read, and threads searching one searcher (a server's) would move each
    other's position between a seek and its read."""

    PICKLE_WINDOW = 512  # bytes offered to a pickle first; widened fourfold until it fits

    def __init__(self, source, offset: int, length: int, name: str | None = None):
        self.file = None
        self._map, self._start, self._end = source, offset, offset + length
        self._cursor = threading.local()
        self._name, self.onclose = name, None
        self.is_real, self.is_closed = False, False

    @property
    def _pos(self) -> int:
        return getattr(self._cursor, "pos", 0)

    @_pos.setter
    def _pos(self, position: int) -> None:
        self._cursor.pos = position

    def __iter__(self):
        return iter(self.readline, b"")

    def read(self, size: int | None = -1) -> bytes:
        start = self._start + self._pos
        end = self._end if size is None or size < 0 else min(self._end, start + size)
        end = max(start, end)
        self._pos = end - self._start
        return self._map[start:end]

    def readline(self, size: int | None = -1) -> bytes:
        start = self._start + self._pos
        newline = self._map.find(b"\n", start, self._end)
        end = self._end if newline < 0 else newline + 1
        if size is not None and size >= 0:
            end = min(end, start + size)
        return self.read(max(0, end - start))

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = 0) -> int:
        base = (0, self._pos, self._end - self._start)[whence]
        if base + offset < 0:
            raise ValueError(f"negative seek position {base + offset}")
        self._pos = base + offset
        return self._pos

    def get(self, position: int, length: int) -> bytes:
        start = self._start + position
        return self._map[start:min(self._end, start + length)]

    def subset(self, position: int, length: int, name: str | None = None):
        return MappedSubFile(self._map, self._start + position, length, name or self._name)

    def read_pickle(self):
        # A pickle's length is known only once loaded: offer a window, widen it if short
        window = self.PICKLE_WINDOW
        while True:
            data = self.get(self._pos, window)
            stream = BytesIO(data)
            try:
                value = pickle.Unpickler(stream).load()
            except (EOFError, pickle.UnpicklingError):
                if len(data) < window:  # the sub-file's end: truly truncated
                    raise
                window *= 4
                continue
            self._pos += stream.tell()
            return value

    def write(self, *args, **kwargs):
        raise OSError(f"{self._name}: a compound sub-file is read-only")

    def flush(self) -> None:
        pass

    def close(self) -> None:
        if self.is_closed:
            raise Exception(f"{self!r} is already closed")  # as StructFile
        self.is_closed = True
        if self.onclose:
            self.onclose(self)
        self._map = None


class MappedCompoundStorage(compound.CompoundStorage):
    """Mapped sub-files: a compound segment's sub-files read straight from its memory map."""

    def open_file(self, name, *args, **kwargs):
        if self._source is None or self.is_closed:
            return super().open_file(name, *args, **kwargs)
        offset, length = self.range(name)
        return MappedSubFile(self._source, offset, length, name=name)
