"""Segment readers over mapped files, and a multi-reader that caches term statistics.

A query asks each segment for each term's statistics (feedback's words too, on every shard of
an archive), and Whoosh walks five layers of calls a segment for each. StatsCachingReader
makes a term's key and hash once and reads each segment's table from its map, with the same
answers.
"""

from __future__ import annotations

from collections.abc import Callable
from struct import Struct

from whoosh.codec import whoosh3
from whoosh.filedb import filetables
from whoosh.filedb.filestore import OverlayStorage
from whoosh.reading import EmptyReader, MultiReader, SegmentReader
from whoosh.system import pack_ushort

from .blocks import _ROW_LENGTHS
from .codec import FastCodec
from .files import MappedCompoundStorage, MappedSubFile


class FastSegmentReader(SegmentReader):
    """A segment read through FastCodec and, when compound, MappedCompoundStorage."""

    def __init__(self, storage, schema, segment, generation=None) -> None:
        self.schema = schema
        self.is_closed = False
        self._segment = segment
        self._segid = segment.segment_id()
        self._gen = generation
        if segment.is_compound():
            # as Segment.open_compound_file, with our compound storage; an overlay, as
            # SegmentReader keeps one, for files added after the segment was written
            name = segment.make_filename(segment.COMPOUND_EXT)
            files = MappedCompoundStorage(storage.open_file(name),
                                          use_mmap=storage.supports_mmap)
            self._storage = OverlayStorage(files, storage)
        else:
            self._storage = storage
        self._codec = FastCodec()
        self._terms = self._codec.terms_reader(self._storage, segment)
        self._perdoc = self._codec.per_document_reader(self._storage, segment)


def open_reader(storage, schema, segments: list, generation: int, reuse=None):
    """A reader of the segments through FastSegmentReader: Whoosh's FileIndex._reader,
    line for line, but for the segment reader's class."""
    if reuse:
        segments.extend(segment for segment in reuse.segments() if segment not in segments)
    reusable: dict = {}
    try:
        if not segments:
            return EmptyReader(schema)
        if reuse:
            reusable = {r.segment(): r for r, _ in reuse.leaf_readers()
                        if r.segment() is not None}

        def segment_reader(segment):
            if segment in reusable:
                return reusable.pop(segment)
            return FastSegmentReader(storage, schema, segment, generation=generation)

        if len(segments) == 1:
            return segment_reader(segments[0])
        return StatsCachingReader([segment_reader(segment) for segment in segments],
                                  generation=generation)
    finally:
        for reader in reusable.values():
            reader.close()


class StatsCachingReader(MultiReader):
    """Whoosh's MultiReader, remembering each term's document frequency and frequency,
    and each field's total length: Whoosh sums them over the segments at every call (for
    a term, a hash lookup in each segment's term table), and a query asks again for every
    word and field it scores (feedback adds dozens of words). A reader is a fixed
    generation, so what it answered stays true."""

    CACHED_TERMS = 1 << 17  # then the cache starts again

    def __init__(self, readers, generation=None) -> None:
        super().__init__(readers, generation=generation)
        # whether every segment's term table can be read from its memory map (_summed)
        self._direct = bool(readers) and all(
            isinstance(r, SegmentReader) and type(r._terms) is whoosh3.W3TermsReader
            and type(r._terms._dbfile) is MappedSubFile for r in readers)
        self._df: dict = {}
        self._tf: dict = {}
        self._lengths: dict = {}

    def doc_frequency(self, fieldname, text):
        return self._remembered(self._df, self._doc_frequencies, fieldname, text)

    def frequency(self, fieldname, text):
        return self._remembered(self._tf, self._frequencies, fieldname, text)

    def _doc_frequencies(self, fieldname, text) -> int:
        return self._summed(fieldname, text, 1 + _FLOAT.size, _UINT, "doc_frequency")

    def _frequencies(self, fieldname, text) -> float:
        return self._summed(fieldname, text, 1, _FLOAT, "frequency")

    def _summed(self, fieldname, text, offset: int, number: Struct, method: str):
        """A term's document frequency or weight summed over the segments, as
        MultiReader sums each segment's answer, with the term's bytes, key and hash made
        once and each segment's hash table read from its memory map (cached term
        statistics): Whoosh's path costs tens of microseconds a segment, and an
        archive's query asks for dozens of words (feedback's among them) over every
        segment of every shard."""
        readers = self.readers
        if not self._direct or readers[0].is_closed:
            return sum(getattr(r, method)(fieldname, text) for r in readers)
        first = readers[0]
        first._test_field(fieldname)  # TermNotFound as Whoosh raises it
        tbytes = first._text_to_bytes(fieldname, text)
        keys: dict[int, tuple[bytes, int]] = {}  # field number -> (key, hash)
        total = 0
        for reader in readers:
            terms = reader._terms
            fieldnum = terms._fieldmap.get(fieldname, 65535)
            known = keys.get(fieldnum)
            if known is None:
                key = pack_ushort(fieldnum) + tbytes
                known = keys[fieldnum] = (key, terms._tindex.hashfn(key))
            datapos = _term_position(terms._tindex, terms._dbfile, *known)
            if datapos is not None:
                dbfile = terms._dbfile
                total += number.unpack_from(dbfile._map, dbfile._start + datapos + offset)[0]
        return total

    def field_length(self, fieldname):
        # BM25 asks for it for every document it scores; Whoosh sums the segments each time
        found = self._lengths.get(fieldname)
        if found is None:
            found = self._lengths[fieldname] = super().field_length(fieldname)
        return found

    def _remembered(self, cache: dict, count: Callable, fieldname, text):
        key = (fieldname, text)
        found = cache.get(key)
        if found is None:
            if len(cache) >= self.CACHED_TERMS:
                cache.clear()
            found = cache[key] = count(fieldname, text)
        return found


_UINT, _FLOAT = Struct("!I"), Struct("!f")  # as StructFile.get_uint and get_float read
_SLOT = filetables._pointer  # a hash table slot: the key's hash, the key's position


def _term_position(tindex, dbfile: MappedSubFile, key: bytes, keyhash: int) -> int | None:
    """Where a key's value starts in a term table (HashReader.ranges_for_key's first
    answer), read from the table's memory map; None when the table lacks the key."""
    tablestart, numslots = tindex.tables[keyhash & 255]
    if not numslots:
        return None
    data, base = dbfile._map, dbfile._start
    slotsize = _SLOT.size
    tableend = tablestart + numslots * slotsize
    slotpos = tablestart + ((keyhash >> 8) % numslots) * slotsize
    for _ in range(numslots):
        slothash, itempos = _SLOT.unpack_from(data, base + slotpos)
        if not itempos:
            return None
        if slothash == keyhash:
            keylen, _ = _ROW_LENGTHS.unpack_from(data, base + itempos)
            if keylen == len(key):
                keystart = itempos + _ROW_LENGTHS.size
                if data[base + keystart:base + keystart + keylen] == key:
                    return keystart + keylen
        slotpos += slotsize
        if slotpos == tableend:
            slotpos = tablestart
    return None
