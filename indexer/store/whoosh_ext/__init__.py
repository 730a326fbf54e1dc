"""Our Whoosh extensions: a writer, codec and readers that index and read faster, handed
out only by this project's index class (indexer.store.storage.ConcurrentFileIndex) and its
ingest workers. This package is the only place a private Whoosh name is used; nothing in
it changes Whoosh itself, so another program's indexes in the same process are written
and read by stock Whoosh (tests/test_embedding.py checks it).

Segments keep a stock W3Codec in the table of contents, so stock Whoosh opens and searches
what these write. On a Whoosh other than guard.WRITTEN_FOR the index class hands out
stock Whoosh's writer and reader instead. docs/whoosh_extensions.md explains each
extension and why it exists. One module per concern:

- guard: the Whoosh versions these were written for, and the stock_whoosh() switch
- analysis: one-loop analysis of our text fields, and the reuse of repeated values
- pool: posting groups kept per field until a commit writes them
- blocks: posting blocks and term tables written a block at a time; compression
- files: memory-mapped sub-files of a compound segment
- codec: the codec whose writers and per-document reader use the above
- merge: the copying merge (a segment's stored bytes and blocks copied, not re-indexed)
- reader: segment readers, and a multi-reader that caches term statistics
- writer: the segment writer that ties them together
"""

from .analysis import JoinedText, fast_analysis
from .blocks import (
    BLOCK_PICKLE_PROTOCOL,
    SMALL_BLOCK,
    SMALL_INPUT,
    compress,
    isal_zlib,
    length_bytes,
    zlib_compress,
)
from .codec import STORED_PICKLE_PROTOCOL, FastCodec
from .files import MappedCompoundStorage, MappedSubFile
from .guard import WRITTEN_FOR, active, stock_whoosh
from .pool import FastPostingPool, pool_spills
from .reader import FastSegmentReader, StatsCachingReader, open_reader
from .writer import FastSegmentWriter, add_documents

__all__ = [
    "BLOCK_PICKLE_PROTOCOL", "SMALL_BLOCK", "SMALL_INPUT", "STORED_PICKLE_PROTOCOL",
    "WRITTEN_FOR",
    "FastCodec", "FastPostingPool", "FastSegmentReader", "FastSegmentWriter", "JoinedText",
    "MappedCompoundStorage", "MappedSubFile", "StatsCachingReader", "active", "add_documents",
    "compress", "fast_analysis", "isal_zlib", "length_bytes", "open_reader", "pool_spills",
    "stock_whoosh", "zlib_compress",
]
