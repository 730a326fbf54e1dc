"""The codec: Whoosh 3's, with our postings, field and per-document writers and reader.

Segments still record a stock W3Codec, so any Whoosh reads them. The per-document writer
buffers length bytes and pickles stored fields with a newer protocol; the per-document reader
reads a field's length bytes once and remembers absent columns, which Whoosh looked up on
disk for every posting.
"""

from __future__ import annotations

import pickle
import zlib

from whoosh import columns
from whoosh.codec import whoosh3
from whoosh.codec.whoosh3 import W3PostingsWriter
from whoosh.util.numeric import byte_to_length, length_to_byte

from .blocks import _block_bytes, _length_table, _term_lists, compress, write_terms

_MISSING = object()


class FastPostingsWriter(W3PostingsWriter):
    """Fixes 8 and 10: small blocks left uncompressed; block data in pickle protocol 3."""

    def _write_block(self, last=False):
        # Whoosh's W3PostingsWriter._write_block, with its small-block test working
        if not self._blockcount:
            self._postfile.write(whoosh3.WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        infobytes, databytes = _block_bytes(
            (self._mini_ids(), self._mini_weights(), self._mini_values()), self._compression,
            len(self._ids), self._ids[-1], self._maxweight, length_to_byte(self._minlength),
            length_to_byte(self._maxlength))
        postfile = self._postfile
        blocklength = len(infobytes) + len(databytes)
        if last:
            blocklength *= -1  # the last block of a term
        postfile.write_int(blocklength)
        postfile.write(infobytes)
        postfile.write(databytes)
        self._blockcount += 1
        self._new_block()


class FastFieldWriter(whoosh3.W3FieldWriter):
    """Terms written a block at a time: a term's postings written a block at a time."""

    def add_postings(self, schema, lengths, items):
        if not isinstance(lengths, whoosh3.W3PerDocReader):
            return super().add_postings(schema, lengths, items)
        write_terms(self, schema, lengths, _term_lists(items))


STORED_PICKLE_PROTOCOL = 4  # a document's stored fields (newer pickle protocols)


class FastPerDocWriter(whoosh3.W3PerDocWriter):
    """Fixes 9, 10 and 12: length bytes buffered per field; stored fields in protocol 4;
    compressed columns (stored fields, story_terms) compressed by compress()."""

    def _create_column(self, fieldname, column):
        super()._create_column(fieldname, column)
        writer = self._get_column(fieldname)
        if type(writer) is columns.PickleColumn.Writer:
            writer = writer._child
        if type(writer) is columns.CompressedBytesColumn.Writer \
                and writer._compress is zlib.compress:
            writer._compress = compress  # this writer's own attribute: no class changes

    def add_field(self, fieldname, fieldobj, value, length):
        if value is not None:
            self._storedfields[fieldname] = value
        if length:
            self.add_lengths(fieldname, self._docnum, length, 1)

    def add_lengths(self, fieldname: str, first: int, length: int, count: int) -> None:
        """The field's length for `count` documents from `first` (none written since)."""
        buffers = self.__dict__.get("_indexer_lengths")
        if buffers is None:
            buffers = self.__dict__["_indexer_lengths"] = {}
        column = buffers.get(fieldname)
        if column is None:
            column = buffers[fieldname] = bytearray()
        if len(column) < first:
            column.extend(bytes(first - len(column)))  # Whoosh's fill()
        if count == 1:
            column.append(length_to_byte(length))
        else:
            column.extend(bytes((length_to_byte(length),)) * count)
        self._fieldlengths[fieldname] += length * count

    def close(self):
        for fieldname, column in self.__dict__.pop("_indexer_lengths", {}).items():
            lenfield = whoosh3._lenfield(fieldname)
            if not self._has_column(lenfield):
                self._create_column(lenfield, whoosh3.LENGTHS_COLUMN)
            writer = self._get_column(lenfield)
            writer._dbfile.write(column)  # never a 0 last: a length of 1 or more is 1 or more
            writer._count = len(column)
        return super().close()

    def finish_doc(self):
        stored = self._storedfields
        if stored:
            if not self._has_column("_stored"):
                self._create_column("_stored", whoosh3.STORED_COLUMN)
            writer = self._get_column("_stored")
            if type(writer) is columns.PickleColumn.Writer:
                writer._child.add(self._docnum, pickle.dumps(stored, STORED_PICKLE_PROTOCOL))
            else:
                writer.add(self._docnum, stored)
            stored.clear()
        self._indoc = False


class FastPerDocReader(whoosh3.W3PerDocReader):
    """Fixes 1 and 3: a column's absence remembered; length bytes read once per reader."""

    def _cached_reader(self, fieldname, column):
        found = self._readers.get(fieldname, _MISSING)
        if found is not _MISSING:
            return found
        reader = super()._cached_reader(fieldname, column)
        self._readers[fieldname] = reader  # None too: the column file will not appear
        return reader

    def doc_field_length(self, docnum, fieldname, default=0):
        if docnum > self._doccount:
            raise IndexError(f"Asked for docnum {docnum!r} of {self._doccount}")
        lengths = _length_table(self, fieldname)
        if lengths is None:
            return default
        lbyte = lengths[docnum] if docnum < len(lengths) else 0
        if lbyte:
            return byte_to_length(lbyte)
        return None  # sic, as Whoosh


class FastCodec(whoosh3.W3Codec):
    """Whoosh 3's codec with our writers and per-document reader. The segments it makes
    record a stock W3Codec, so stock Whoosh unpickles the table of contents and reads
    them with its own classes."""

    def per_document_writer(self, storage, segment):
        return FastPerDocWriter(self, storage, segment)

    def field_writer(self, storage, segment):
        return FastFieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return FastPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                  compression=self._compression,
                                  inlinelimit=self._inlinelimit)

    def per_document_reader(self, storage, segment):
        return FastPerDocReader(storage, segment)

    def new_segment(self, storage, indexname):
        stock = whoosh3.W3Codec(self._blocklimit, self._compression, self._inlinelimit)
        return whoosh3.W3Segment(stock, indexname)
