"""The copying merge: a segment's stored bytes and posting blocks copied, not re-indexed.

Whoosh's add_reader re-pickles every stored document and sends every posting through the pool
to be sorted again, although each segment's postings are sorted already. For a Whoosh 3
segment of our schema this copies stored and length bytes as they are, drops deleted
documents and renumbers the rest as Whoosh does, and joins each segment's terms, read in
order a block at a time, with the writer's own. The result is the segment Whoosh's merge
writes (tests compare them).
"""

from __future__ import annotations

import heapq
import mmap
import os
from collections.abc import Callable, Iterator
from functools import partial
from itertools import accumulate, chain, pairwise
from operator import itemgetter

from whoosh import columns
from whoosh.codec import whoosh3
from whoosh.reading import SegmentReader
from whoosh.system import emptybytes, pack_ushort

from .blocks import (
    _EXTENT,
    _LENGTH_OF_BYTE,
    _ROW_LENGTHS,
    _TERM_INFO,
    PackedBlock,
    _length_table,
    _unpacked,
    _value_list,
    _weight_list,
    iter_blocks,
)
from .files import MappedSubFile


def _mergeable(writer, reader) -> bool:
    """Whether the copying merge may copy reader's segment into writer: a Whoosh 3
    segment of this index (still in the writer's table of contents), of the writer's schema."""
    if not isinstance(reader, SegmentReader) or reader.is_closed:
        return False
    if not isinstance(reader._terms, whoosh3.W3TermsReader) \
            or not isinstance(reader._perdoc, whoosh3.W3PerDocReader):
        return False
    if reader.schema is not writer.schema and reader.schema != writer.schema:
        return False
    ours = {segment.segment_id() for segment in writer.segments}
    return reader.segment().segment_id() in ours


def copy_documents(writer, reader) -> list[int] | None:
    """Copy reader's live documents into writer's per-document files: stored fields and
    length bytes as they are (Whoosh unpickles and pickles each document, and reads back
    and re-encodes each length), column values one by one. Returns the live documents'
    numbers in the segment, or None when none is deleted."""
    perdoc, source = writer.perdocwriter, reader._perdoc
    count = reader.doc_count_all()
    live = None
    if reader.has_deletions():
        live = [docnum for docnum in range(count) if not reader.is_deleted(docnum)]
    docs = range(count) if live is None else live
    deleted = [] if live is None else sorted(set(range(count)) - set(live))
    base = writer.docnum
    schema = writer.schema

    for fieldname in schema.names():
        table = _length_table(source, fieldname)
        if table is None:
            continue
        chosen = table if live is None else bytes(table[docnum] for docnum in live)
        # The segment's exact total, less its deleted documents' (known only from their
        # length bytes). Whoosh instead sums every copied document's length as decoded
        # from its byte, so each merge moved the average lengths BM25 divides by (by up
        # to a percent) and the same stories scored differently before and after a merge.
        total = reader.field_length(fieldname)
        total -= sum(_LENGTH_OF_BYTE[table[docnum]] for docnum in deleted)
        perdoc._fieldlengths[fieldname] += max(total, 0)
        chosen = chosen.rstrip(b"\0")  # a column stops at its last document with a length
        if chosen:
            buffers = perdoc.__dict__.setdefault("_indexer_lengths", {})
            column = buffers.setdefault(fieldname, bytearray())
            column.extend(bytes(base - len(column)))
            column.extend(chosen)

    stored = source._cached_reader("_stored", whoosh3.STORED_COLUMN)
    if not perdoc._has_column("_stored"):
        perdoc._create_column("_stored", whoosh3.STORED_COLUMN)
    target = perdoc._get_column("_stored")
    raw = type(stored) is columns.PickleColumn.Reader \
        and type(target) is columns.PickleColumn.Writer
    if raw and type(stored._child) is columns.CompressedBytesColumn.Reader \
            and type(target._child) is columns.CompressedBytesColumn.Writer:
        # compressed as they are: neither decompressed nor compressed again
        read_stored = partial(columns.VarBytesColumn.Reader.__getitem__, stored._child)
        add_stored = partial(columns.VarBytesColumn.Writer.add, target._child)
    elif raw:
        read_stored, add_stored = stored._child.__getitem__, target._child.add
    values, compressed = [], []
    for fieldname in schema.names():
        kind = schema[fieldname].column_type
        if kind and reader.has_column(fieldname):
            creader = reader.column_reader(fieldname, kind)
            if isinstance(creader, columns.TranslatingColumnReader):
                creader = creader.raw_column()
            if not perdoc._has_column(fieldname):
                perdoc._create_column(fieldname, kind)
            cwriter = perdoc._get_column(fieldname)
            if type(creader) is columns.CompressedBytesColumn.Reader \
                    and type(cwriter) is columns.CompressedBytesColumn.Writer:
                # compressed bytes copied as they are (a feedback column: story_terms)
                compressed.append((partial(columns.VarBytesColumn.Reader.__getitem__,
                                           creader),
                                   partial(columns.VarBytesColumn.Writer.add, cwriter)))
            else:
                values.append((creader, cwriter.add))

    for docnum, old in enumerate(docs, base):
        perdoc.start_doc(docnum)
        if stored is not None:
            if raw:
                data = read_stored(old)
                if data:
                    add_stored(docnum, data)
            else:
                fields = stored[old]
                if fields:
                    target.add(docnum, fields)
        for creader, add in values:
            add(docnum, creader[old])
        for get, add in compressed:
            data = get(old)
            if data:  # else the column's default, as a value never added
                add(docnum, data)
        perdoc._indoc = False  # finish_doc: stored fields already written
        writer.docnum += 1
    _release_pages(reader)
    return live


RELEASE_EVERY = 32 << 20  # bytes of postings read by a merge between releases of pages


def _release_pages(reader) -> None:
    """Drop a segment's mapped pages from this process's resident memory (they stay in
    the page cache, and come back if read again): a merge reads every segment it merges
    front to back once, so without this a merge grew to the size of the index."""
    files = getattr(getattr(reader, "_storage", None), "a", None)
    source = getattr(files, "_source", None)
    if isinstance(source, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED"):
        try:
            source.madvise(mmap.MADV_DONTNEED)
        except (OSError, ValueError):  # a closed map, or a platform that refuses
            pass


def _file_size(handle) -> int:
    """The size of a segment's postings file (0 when it cannot be told)."""
    if isinstance(handle, MappedSubFile):
        return handle._end - handle._start
    try:
        return os.fstat(handle.fileno()).st_size
    except (AttributeError, OSError, ValueError):
        return 0


class _PageBudget:
    """Bytes a merge has read from its segments' maps since their pages were released
    (_release_pages): every segment's, at RELEASE_EVERY. It also tells `progress` (if
    any) the share of the segments' postings read, at each percent."""

    def __init__(self, readers: list, progress: Callable[[float], None] | None = None) -> None:
        self.readers, self.read = readers, 0
        self.progress, self.done, self.reported = progress, 0, -1
        self.total = sum(_file_size(reader._terms._postfile) for reader in readers)

    def spend(self, size: int) -> None:
        self.read += size
        self.done += size
        if self.read >= RELEASE_EVERY:
            for reader in self.readers:
                _release_pages(reader)
            self.read = 0
        if self.progress is not None and self.total:
            percent = min(100, self.done * 100 // self.total)
            if percent > self.reported:
                self.reported = percent
                self.progress(percent / 100)


def segment_terms(reader, schema, base: int, live: list[int] | None,
                   budget: _PageBudget | None = None) -> Iterator[tuple]:
    """A segment's terms as (fieldname, term, docnums, weights, values), in field and
    term order, read a posting block at a time, with the documents renumbered from base
    (deleted ones dropped)."""
    terms = reader._terms
    renumber = None if live is None else {old: new for new, old in enumerate(live, base)}
    shift = base if renumber is None else 0  # without deletions: renumbered as decoded
    for fieldname in sorted(terms.indexed_field_names()):
        if fieldname not in schema:
            continue
        fmt = schema[fieldname].format
        fixed = fmt.fixed_value_size()
        for btext, inlined, offset, length in term_rows(terms, fieldname):
            ids: list = []
            weights: list = []
            values: list = []
            if inlined is None:
                if budget is not None:
                    budget.spend(length)
                blocks = iter_blocks(terms._postfile.get(offset, length))
                first = next(blocks)
                if renumber is None and first[2]:  # one block (nearly every term)
                    packed = PackedBlock.read(first[0], first[1], shift, fixed)
                    if packed is not None:
                        yield fieldname, btext, packed, None, None
                        continue
                for header, (block_ids, block_weights, block_values), _ in chain((first,),
                                                                                 blocks):
                    # delta-coded from 0 in each block
                    ids.extend(accumulate(block_ids[1:], initial=block_ids[0] + shift))
                    weights.extend(_weight_list(block_weights, header[0]))
                    values.extend(_value_list(block_values, header[0], fixed))
            else:
                matcher = terms._codec.postings_reader(terms._postfile, inlined, fmt,
                                                       term=(fieldname, btext))
                while matcher.is_active():
                    ids.append(matcher.id() + shift)
                    weights.append(matcher.weight())
                    value = matcher.value()
                    values.append(emptybytes if value is None else value)
                    matcher.next()
            if renumber is not None:
                kept = [(renumber[docnum], weight, value)
                        for docnum, weight, value in zip(ids, weights, values, strict=True)
                        if docnum in renumber]
                if not kept:
                    continue
                ids, weights, values = (list(column) for column in zip(*kept, strict=True))
            yield fieldname, btext, ids, weights, values


def term_rows(terms, fieldname: str) -> Iterator[tuple]:
    """A field's rows of a segment's term table in term order, as (term, None, offset,
    length) of postings in the postings file, or (term, W3TermInfo, 0, 0) of postings
    inlined in the table (Whoosh 2.7's writer cannot inline: its call fails). Read
    straight from the table's map: W3TermsReader.items_from makes a term info object a
    term, through four generators and three copies, for the two numbers a merge needs."""
    fieldid = terms._fieldmap.get(fieldname)
    if fieldid is None:
        return
    prefix = pack_ushort(fieldid)
    tindex = terms._tindex
    dbfile = tindex.dbfile
    if type(dbfile) is not MappedSubFile:  # a table read through a file: Whoosh's way
        for (found, btext), info in terms.items_from(fieldname, emptybytes):
            if found != fieldname:
                return
            if info.is_inlined():
                yield btext, info, 0, 0
            else:
                length = info._length[0] if isinstance(info._length, tuple) else info._length
                yield btext, None, info._offset, length
        return
    position = tindex.closest_key_pos(prefix)
    if position is None:
        return
    source, base = dbfile._map, dbfile._start
    end = base + tindex.endofdata
    position += base
    row_lengths, extent = _ROW_LENGTHS.unpack_from, _EXTENT.unpack_from
    header, info_size = _ROW_LENGTHS.size, _TERM_INFO.size
    while position < end:
        keylength, datalength = row_lengths(source, position)
        keyat = position + header
        if source[keyat:keyat + 2] != prefix:
            return
        dataat = keyat + keylength
        btext = source[keyat + 2:dataat]
        if source[dataat]:  # the flags byte: postings inlined
            yield btext, whoosh3.W3TermInfo.from_bytes(source[dataat:dataat + datalength]), 0, 0
        else:
            offset, length = extent(source, dataat + info_size)
            yield btext, None, offset, length
        position = dataat + datalength


def _merged_terms(streams: list[Iterator[tuple]]) -> Iterator[tuple]:
    """Term streams (each in field and term order) as one: a term found in several has
    its postings joined in document order."""
    merged = heapq.merge(*streams, key=itemgetter(0, 1))
    pending = next(merged, None)
    while pending is not None:
        parts = [pending]
        pending = next(merged, None)
        while pending is not None and pending[1] == parts[0][1] \
                and pending[0] == parts[0][0]:
            parts.append(pending)
            pending = next(merged, None)
        if len(parts) == 1:
            yield parts[0]
            continue
        if all(type(part[2]) is PackedBlock for part in parts):
            parts.sort(key=lambda part: part[2].first)
            joined = PackedBlock.join([part[2] for part in parts])
            if joined is not None:
                yield parts[0][0], parts[0][1], joined, None, None
                continue
        parts = [_unpacked(part) for part in parts]
        parts.sort(key=lambda part: part[2][0])
        ids, weights, values = [], [], []
        for part in parts:
            ids += part[2]
            weights += part[3]
            values += part[4]
        if any(a[2][-1] > b[2][0] for a, b in pairwise(parts)):  # interleaved
            ordered = sorted(zip(ids, weights, values, strict=True), key=itemgetter(0))
            ids, weights, values = (list(column) for column in zip(*ordered, strict=True))
        yield parts[0][0], parts[0][1], ids, weights, values
