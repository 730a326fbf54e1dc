"""Posting blocks and term tables, written (and read back) a block at a time.

Whoosh writes a posting with a dozen calls and checks, and a commit spent much of its time
there. These functions write each term's blocks and table row in one step, with the same
statistics and the same bytes Whoosh writes, but two deliberate changes Whoosh's readers read
unchanged: tiny blocks are left uncompressed (Whoosh meant to, a line re-sets it), and blocks
are pickled with a newer protocol. Compression of small inputs uses a small deflate state, or
ISA-L where installed.
"""

from __future__ import annotations

import pickle
import zlib
from array import array
from collections.abc import Callable, Iterator
from hashlib import md5
from io import BytesIO
from itertools import accumulate, chain, pairwise
from operator import sub
from struct import Struct
from types import ModuleType

from whoosh.codec import base as codec_base
from whoosh.codec import whoosh3
from whoosh.filedb import filetables
from whoosh.filedb.structfile import StructFile
from whoosh.system import emptybytes, pack_int, pack_long, pack_ushort
from whoosh.util.numeric import byte_to_length

_EXTENT = Struct("!qi")  # a term info's postings offset and length, after its statistics


class PackedBlock:
    """A term's postings that fit one block, as a merge read them: the block's data as
    stored (ids delta-coded with the first absolute, weights and values minified), its
    header's statistics, and the first and last document numbers after renumbering.
    Merging segments without deletions only shifts document numbers, so such a term is
    written again from these (joined with the same term's blocks of the other segments
    when they fit one block) without a Python object per posting: the same block and
    term info bytes as unpacking it and writing its postings (the copying merge)."""

    __slots__ = ("first", "last", "count", "deltas", "weights", "values", "minbyte",
                 "maxbyte", "fixed")

    def __init__(self, first: int, last: int, count: int, deltas: tuple, weights, values,
                 minbyte: int, maxbyte: int, fixed: int | None) -> None:
        self.first, self.last, self.count = first, last, count
        self.deltas, self.weights, self.values = deltas, weights, values  # deltas[0] unused
        self.minbyte, self.maxbyte = minbyte, maxbyte
        self.fixed = fixed  # the format's value size (Format.fixed_value_size)

    @classmethod
    def read(cls, header: tuple, data: tuple, shift: int,
             fixed: int | None) -> PackedBlock | None:
        """A term's only block (header and data as iter_blocks reads them) packed, or None
        when its ids are not ours to shift."""
        count, last, _maxweight, _compressed, minbyte, maxbyte = header
        deltas, weights, values = data
        if type(deltas) is not tuple:  # ids as bytes (byteids)
            return None
        return cls(deltas[0] + shift, last + shift, count, deltas, weights, values,
                   minbyte, maxbyte, fixed)

    @classmethod
    def join(cls, parts: list[PackedBlock]) -> PackedBlock | None:
        """The parts (in document order, none overlapping) as one packed term, or None
        when their data cannot simply be concatenated."""
        if any(a.last >= b.first for a, b in pairwise(parts)):
            return None
        values = parts[0].values
        kind = type(values)
        if any(type(part.values) is not kind for part in parts) \
                or kind not in (tuple, bytes, type(None)):
            return None
        if kind is not type(None):
            values = kind().join(part.values for part in parts) if kind is bytes \
                else tuple(chain.from_iterable(part.values for part in parts))
        deltas = [parts[0].deltas]
        for before, part in pairwise(parts):
            deltas.append((part.first - before.last,) + part.deltas[1:])
        kinds = {type(part.weights) for part in parts}
        if kinds <= {type(None), float} and len({1.0 if part.weights is None
                                                 else part.weights for part in parts}) == 1:
            weights = parts[0].weights
        else:
            full = tuple(chain.from_iterable(_weight_list(part.weights, part.count)
                                             for part in parts))
            if full.count(full[0]) == len(full):
                weights = None if full[0] == 1.0 else full[0]
            else:
                weights = full
        known = [part.minbyte for part in parts if part.minbyte]
        return cls(parts[0].first, parts[-1].last, sum(part.count for part in parts),
                   tuple(chain.from_iterable(deltas)), weights, values,
                   min(known) if known else 0, max(part.maxbyte for part in parts),
                   parts[0].fixed)

    def unpack(self) -> tuple[list, list, list]:
        """Document numbers, weights and values, as segment_terms reads a block."""
        return (list(accumulate(self.deltas[1:], initial=self.first)),
                _weight_list(self.weights, self.count),
                _value_list(self.values, self.count, self.fixed))

    def term_bytes(self, compression: int, offset: int, lengths: bool) -> tuple[bytes, bytes]:
        """The block and term info _term_blocks writes for these postings."""
        weights = _weight_list(self.weights, self.count)
        maxweight = max(0, *weights)
        minbyte, maxbyte = (self.minbyte, self.maxbyte) if lengths else (0, 0)
        deltas = (self.first,) + self.deltas[1:]
        infobytes, databytes = _block_bytes((deltas, self.weights, self.values), compression,
                                            self.count, self.last, maxweight, minbyte,
                                            maxbyte)
        block = whoosh3.WHOOSH3_HEADER_MAGIC + pack_int(-(len(infobytes) + len(databytes))) \
            + infobytes + databytes
        info = _TERM_INFO.pack(False, 0 + sum(weights), self.count, minbyte, maxbyte,
                               maxweight, self.first, self.last)
        return block, info + pack_long(offset) + pack_int(len(block))


def _weight_list(weights, count: int) -> list[float]:
    """A block's weights, one a posting, from their minified form (None: all 1.0; a
    float: all that; else each)."""
    if weights is None or isinstance(weights, float):
        return [1.0 if weights is None else weights] * count
    return list(weights)


def _value_list(values, count: int, fixed: int | None) -> list:
    """A block's values from their minified form, by the format's value size."""
    if fixed is None or fixed < 0:
        return list(values)
    if fixed == 0:
        return [emptybytes] * count
    return [values[i:i + fixed] for i in range(0, len(values), fixed)]


def _unpacked(part: tuple) -> tuple:
    """A term stream's item with its postings as lists, packed or not."""
    fieldname, btext, ids, weights, values = part
    if type(ids) is not PackedBlock:
        return part
    return (fieldname, btext, *ids.unpack())


def iter_blocks(raw: bytes) -> Iterator[tuple[tuple, tuple, bool]]:
    """(header, data, whether it is the last) of each posting block of a term's stored
    postings, as W3LeafMatcher reads them (a header tag; per block, its signed length,
    negative for the last, a pickled header, the data pickled and maybe compressed),
    without a matcher per term."""
    if raw[:4] != whoosh3.WHOOSH3_HEADER_MAGIC:
        raise ValueError(f"block tag error {raw[:4]!r}")
    position, last = 4, False
    loads, dumps = pickle.loads, pickle.dumps
    while not last:
        size = _INT.unpack_from(raw, position)[0]
        last, size = size < 0, abs(size)
        chunk = raw[position + 4:position + 4 + size]
        # the header's pickle ends where pickling it again ends (Whoosh wrote it with
        # protocol 2), checked: quicker than an Unpickler on a stream, which tells
        header = loads(chunk)
        written = dumps(header, 2)
        if chunk.startswith(written):
            data = chunk[len(written):]
        else:  # pickled some other way
            stream = BytesIO(chunk)
            header = pickle.Unpickler(stream).load()
            data = stream.read()
        yield header, loads(zlib.decompress(data) if header[3] else data), last
        position += 4 + size


_INT = Struct("!i")


def length_bytes(perdoc, fieldname: str) -> bytes:
    """A field's length byte for every document of a segment (0: none), read once per
    W3PerDocReader."""
    return _length_table(perdoc, fieldname) or bytes(perdoc.doc_count_all())


def _length_table(perdoc, fieldname: str) -> bytes | None:
    """The length bytes of a field's column, padded to the segment's documents (the
    column leaves trailing documents without a length off); None when there is no column."""
    cache = perdoc.__dict__.setdefault("_indexer_length_bytes", {})
    if fieldname not in cache:
        doccount = perdoc.doc_count_all()
        column = perdoc._cached_reader(whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN)
        if column is None:
            cache[fieldname] = None
        elif hasattr(column, "_dbfile") and hasattr(column, "_count"):
            raw = bytes(column._dbfile.get(column._basepos, column._count))
            cache[fieldname] = raw.ljust(doccount, b"\0")
        else:
            cache[fieldname] = bytes(column[docnum] for docnum in range(doccount))
    return cache[fieldname]


_LENGTH_OF_BYTE = [byte_to_length(lbyte) if lbyte else 0 for lbyte in range(256)]


def _term_lists(items: Iterator[tuple]) -> Iterator[tuple]:
    """A posting stream sorted by field, term and document, as one (fieldname, term,
    docnums, weights, values) per term; spelling words skipped as Whoosh skips them."""
    lastfn = lasttext = None
    ids: list[int] = []
    weights: list[float] = []
    values: list[bytes] = []
    for fieldname, btext, docnum, weight, value in items:
        if fieldname != lastfn:
            if lastfn is not None and fieldname < lastfn:
                raise codec_base.OutOfOrderError(f"Field {lastfn!r} .. {fieldname!r}")
            if lasttext is not None:
                yield lastfn, lasttext, ids, weights, values
                ids, weights, values = [], [], []
            lastfn, lasttext = fieldname, None
        if docnum == -1:
            continue
        if btext != lasttext:
            if lasttext is not None:
                if btext < lasttext:
                    raise codec_base.OutOfOrderError(
                        f"Term {lastfn}:{lasttext!r} .. {fieldname}:{btext!r}")
                yield lastfn, lasttext, ids, weights, values
                ids, weights, values = [], [], []
            lasttext = btext
        ids.append(docnum)
        weights.append(weight)
        values.append(emptybytes if value is None else value)
    if lasttext is not None:
        yield lastfn, lasttext, ids, weights, values


def write_terms(self, schema, lengths, terms: Iterator[tuple]) -> None:
    """Write each term's postings a block at a time, with a W3FieldWriter.

    Each term's blocks and term table row are written here, each file's position
    counted rather than asked: BufferedWriter.tell() is an lseek system call, and Whoosh
    asks three times a term. The row is what OrderedHashWriter.add writes and records."""
    tindex = self._tindex
    if type(tindex.buckets[0]) is not _HashBucket:
        tindex.buckets = [_HashBucket(entries) for entries in tindex.buckets]
    postfile, termfile = self._postfile, tindex.dbfile
    # each file's own write, not StructFile's wrapper of it: two calls a term
    write_posts, write_row = _raw_write(postfile), _raw_write(termfile)
    buckets, positions = tindex.buckets, tindex.index
    hashed = None if tindex.hashfn is filetables.md5_hash else tindex.hashfn
    postpos, termpos, lastkey = postfile.tell(), termfile.tell(), tindex.lastkey
    lastfn = None
    table = None
    prefix = emptybytes
    limit = 0
    for fieldname, btext, ids, weights, values in terms:
        if fieldname != lastfn:
            if lastfn is not None:
                self.finish_field()
            self.start_field(fieldname, schema[fieldname])
            table = _length_table(lengths, fieldname)
            prefix = pack_ushort(self._fieldid)
            limit = self._postwriter._blocklimit
            fixedsize = self._fieldobj.format.fixed_value_size()
            lastfn = fieldname
        key = prefix + btext
        packed = type(ids) is PackedBlock
        if packed and ids.count > limit:  # packed blocks joined past a block's size
            _, _, ids, weights, values = _unpacked((fieldname, btext, ids, None, None))
            packed = False
        if key <= lastkey:
            raise ValueError(f"Keys must increase: {lastkey!r}..{key!r}")
        if packed:
            block, info = ids.term_bytes(self._postwriter._compression, postpos,
                                         table is not None)
        else:
            block, info = _term_blocks(fixedsize, self._postwriter._compression, limit,
                                       postpos, ids, weights, values,
                                       None if table is None
                                       else bytes(map(table.__getitem__, ids)))
        write_posts(block)
        postpos += len(block)
        row = _ROW_LENGTHS.pack(len(key), len(info)) + key + info
        write_row(row)
        positions.append(termpos)
        if hashed is None:  # filetables.md5_hash without its hex string
            digest = int.from_bytes(md5(key, usedforsecurity=False).digest()[-4:], "big")
        else:
            digest = hashed(key)
        buckets[digest & 255].add(digest, termpos)
        termpos += len(row)
        lastkey = key
    tindex.lastkey = lastkey
    if lastfn is not None:
        self.finish_field()


def _raw_write(handle) -> Callable[[bytes], object]:
    """The write of the file a StructFile wraps (its own write passes every argument on)."""
    if type(handle) is StructFile and hasattr(handle.file, "write"):
        return handle.file.write
    return handle.write


class _HashBucket:
    """One of a term table's 256 hash buckets (filetables.HashWriter), its (hash, position)
    entries kept in two arrays, not as a list of tuples (ten times the memory): a table
    holds an entry per term until it is closed, millions when a large index is merged
    into one segment. HashWriter appends, counts and
    iterates a bucket; the table it writes is the same."""

    __slots__ = ("hashes", "positions")

    def __init__(self, entries=()) -> None:
        self.hashes, self.positions = array("I"), array("q")
        for entry in entries:
            self.append(entry)

    def add(self, hashed: int, position: int) -> None:
        self.hashes.append(hashed)
        self.positions.append(position)

    def append(self, entry: tuple[int, int]) -> None:
        self.add(*entry)

    def __len__(self) -> int:
        return len(self.hashes)

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return zip(self.hashes, self.positions, strict=True)


def _term_blocks(fixedsize: int | None, compression: int, limit: int, offset: int, ids,
                 weights, values, length_bytes: bytes | None) -> tuple[bytes, bytes]:
    """The blocks and term info that start_term, add_posting for each posting, then
    finish_term write for a term, made in one step instead of Whoosh's dozen calls a
    posting: the same bytes as that path, a block of `limit` postings at a time (the last
    one's length negative). `fixedsize`: the format's fixed_value_size(); `length_bytes`:
    each document's length byte in the field (0: none), or None for a field without
    lengths."""
    count = len(ids)
    if count == 1:  # a term of one document (every id, most rare words): most terms
        return _one_posting(fixedsize, compression, offset, ids[0], weights[0], values[0],
                            length_bytes)
    if count <= limit:  # nearly every term
        infobytes, databytes, weight, maxweight, minbyte, maxbyte = _block(
            fixedsize, compression, ids, weights, values, length_bytes)
        block = whoosh3.WHOOSH3_HEADER_MAGIC + pack_int(-(len(infobytes) + len(databytes))) \
            + infobytes + databytes
    else:
        # the term info's statistics gathered block by block, as W3TermInfo.add_block
        # does (its weight a sum of the blocks' sums, in that order)
        parts = [whoosh3.WHOOSH3_HEADER_MAGIC]
        weight, maxweight, minbyte, maxbyte = 0, 0, 0, 0
        for start in range(0, count, limit):
            end = start + limit
            infobytes, databytes, block_weight, block_maxweight, block_minbyte, \
                block_maxbyte = _block(fixedsize, compression, ids[start:end],
                                       weights[start:end], values[start:end],
                                       None if length_bytes is None
                                       else length_bytes[start:end])
            size = len(infobytes) + len(databytes)
            parts += (pack_int(-size if end >= count else size), infobytes, databytes)
            weight += block_weight
            maxweight = max(maxweight, block_maxweight)
            if block_minbyte and (not minbyte or block_minbyte < minbyte):
                minbyte = block_minbyte
            maxbyte = max(maxbyte, block_maxbyte)
        block = emptybytes.join(parts)
    # the term info as add_block and set_extent leave it, and to_bytes packs it
    info = _TERM_INFO.pack(False, 0 + weight, count, minbyte, maxbyte, maxweight, ids[0],
                           ids[-1])
    return block, info + pack_long(offset) + pack_int(len(block))


def _one_posting(fixedsize: int | None, compression: int, offset: int, docnum: int,
                 weight: float, value: bytes, length_bytes: bytes | None) -> tuple[bytes, bytes]:
    """_term_blocks for a term of one posting: the same bytes, without the loops that
    _block runs over a block's postings."""
    stored = array("f", (weight,))[0]  # the block keeps its weights single precision
    maxweight = max(0, weight)
    minbyte = maxbyte = length_bytes[0] if length_bytes else 0
    mini_values: tuple | bytes | None
    if fixedsize is None or fixedsize < 0:
        mini_values = (value,) if value else ()
    else:
        mini_values = None if fixedsize == 0 else value
    infobytes, databytes = _block_bytes(((docnum,), None if stored == 1.0 else stored,
                                         mini_values), compression, 1, docnum, maxweight,
                                        minbyte, maxbyte)
    block = whoosh3.WHOOSH3_HEADER_MAGIC + pack_int(-(len(infobytes) + len(databytes))) \
        + infobytes + databytes
    info = _TERM_INFO.pack(False, 0 + stored, 1, minbyte, maxbyte, maxweight, docnum, docnum)
    return block, info + pack_long(offset) + pack_int(len(block))


def _block(fixedsize: int | None, compression: int, ids, weights, values,
           length_bytes: bytes | None) -> tuple:
    """One posting block's header and data as _write_block writes them, and the
    statistics add_block takes from it: (header, data, weight sum, greatest weight,
    least and greatest length byte). Each posting's work is done by C loops (bytes,
    filter, join), not Python ones: this runs for every posting a commit writes."""
    stored_weights = array("f", weights)  # the block's weights are single precision
    maxweight = max(0, *weights)  # as add_posting keeps it: from 0, double precision
    # the header and the info keep the least and the greatest length as bytes: those of
    # the length bytes (each byte's length gives that byte again), 0 (none) left out
    minbyte, maxbyte = 0, 0
    if length_bytes and (maxbyte := max(length_bytes)):
        minbyte = min(length_bytes.replace(b"\0", b"") if 0 in length_bytes else length_bytes)
    first = stored_weights[0]
    if stored_weights.count(first) == len(ids):  # as _mini_weights
        mini_weights = None if first == 1.0 else first
    else:
        mini_weights = tuple(stored_weights)
    # the values present (empty ones left out, as _mini_values leaves them)
    if fixedsize is None or fixedsize < 0:
        mini_values = tuple(filter(None, values))
    elif fixedsize == 0:
        mini_values = None
    else:
        mini_values = emptybytes.join(values)
    deltas = tuple(map(sub, ids, chain((0,), ids)))
    infobytes, databytes = _block_bytes((deltas, mini_weights, mini_values), compression,
                                        len(ids), ids[-1], maxweight, minbyte, maxbyte)
    return infobytes, databytes, sum(stored_weights), maxweight, minbyte, maxbyte


_TERM_INFO = whoosh3.W3TermInfo._struct
_ROW_LENGTHS = filetables._lengths  # a term table row's key and value lengths
SMALL_BLOCK = 96  # bytes of pickle under which zlib saves little or makes a block larger
# Whoosh pickles a block's data with protocol 2, which has no bytes type: each posting's
# encoded positions become a call of _codecs.encode on a latin-1 string. Protocol 3 (any
# Python 3 reads it, as Whoosh's reader does, with pickle.loads) stores them as bytes.
BLOCK_PICKLE_PROTOCOL = 3


SMALL_INPUT = 4096  # bytes under which zlib compresses with a state sized for them
isal_zlib: ModuleType | None
try:
    from isal import isal_zlib
except ImportError:  # a platform with no isal wheel: zlib's deflate, as before
    isal_zlib = None


def compress(data: bytes, level: int) -> bytes:
    """zlib.compress(data, level), but quicker (small-input compression): by ISA-L
    where isal is installed, else by zlib with a state sized for small inputs."""
    if isal_zlib is not None and level > 0:
        # ISA-L's levels run 0-3; its 1 and 2 match zlib's 1 and 3 in size
        return isal_zlib.compress(data, 1 if level == 1 else 2)
    return zlib_compress(data, level)


def zlib_compress(data: bytes, level: int) -> bytes:
    """zlib.compress(data, level), quicker for small inputs (without isal)."""
    if len(data) >= SMALL_INPUT:
        return zlib.compress(data, level)
    deflate = zlib.compressobj(level, zlib.DEFLATED, 12, 5)
    return deflate.compress(data) + deflate.flush()


def _block_bytes(data: tuple, compression: int, count: int, last: int, maxweight,
                 minbyte: int, maxbyte: int) -> tuple[bytes, bytes]:
    """A posting block's header and data as _write_block writes them: the data pickled,
    compressed unless under SMALL_BLOCK bytes (small blocks stored plain); the header
    says how. The header is pickled as Whoosh pickles it; the data with
    BLOCK_PICKLE_PROTOCOL (newer pickle protocols)."""
    databytes = pickle.dumps(data, BLOCK_PICKLE_PROTOCOL)
    comp = 0 if len(databytes) < SMALL_BLOCK else compression
    if comp:
        databytes = compress(databytes, comp)
    infobytes = pickle.dumps((count, last, maxweight, comp, minbyte, maxbyte), 2)
    return infobytes, databytes
