"""Our Whoosh extensions: a writer, codec and reader that index and read faster, handed
out only by this project's index class (indexer.storage.ConcurrentFileIndex) and its
ingest workers. Nothing here changes Whoosh itself: another program's indexes, in the
same process, are written and read by stock Whoosh, and every class attribute of Whoosh
stays its own (tests/test_embedding.py checks both).

Segments keep a stock W3Codec in the table of contents, so stock Whoosh (2.7.4 and
whoosh-reloaded 2.7.5) opens and searches what these write; the blocks and tables are
the ones Whoosh writes (the differential tests compare them), but for the deliberate
changes listed below (small blocks stored uncompressed, newer pickle protocols), which
Whoosh's readers read unchanged.

The extensions were written against WRITTEN_FOR. On any other Whoosh, `active()` is
False and the index class hands out stock Whoosh's writer and reader instead (one
warning), rather than run code written for other internals.

What each extension does, and why (each is named where the code does it):

- Remembered absent columns. W3PerDocReader._cached_reader remembers a field's length
  column once found, but not its absence: for every posting of a field without lengths
  (ID and keyword fields), a commit asks the file system again whether the column file
  exists (os.path.exists per posting, about an eighth of a commit's time here). This
  version remembers the absence too, for the reader's lifetime, during which the
  segment's files do not change.

- Reused analysis. SegmentWriter.add_document analyses every field of every document.
  Our paragraphs carry their story's headline, dateline, byline, places, people and
  tags, the same values for every paragraph of a story, so the analysis is repeated for
  nothing (about a fifth of the writing time). This version keeps, per field, the last
  value and its analysed terms, and reuses them when the next document brings the same
  value. Analysis is a pure function of the value, so the postings written are
  identical; it is otherwise Whoosh 2.7's own method, line for line.

  A JoinedText value (a story record's fulltext: its paragraphs joined by blank lines,
  which no token spans) in a Frequency-format field is not analysed again when each of
  its parts was analysed with the same analyzer in this writer's recent documents (the
  story's paragraphs, just before): the parts' term counts are summed. A Frequency
  posting keeps only the count (weight = count x field boost), so the postings are the
  same as analysing the joined text (the test compares them with stock Whoosh's).

  Values that change with each paragraph take short paths too: an ID field's value (its
  IDTokenizer makes one term of it) is that one term; a NUMERIC field's terms for an
  integer (paragraph numbers recur from story to story) are kept per field and number; a
  sortable field's column value is reused while documents bring the same value.

- Lengths read once. W3PerDocReader.doc_field_length reads a document's length byte from
  the column file at each call: a commit asks it once per posting it writes (a tenth of
  a single writer's time, half of it in file reads), and Whoosh's own scorer once per
  posting it scores. This version reads each field's length bytes once per reader (one
  byte per document) and answers from memory; the answers are the same.

- Mapped sub-files. CompoundStorage.open_file memory-maps a segment's compound file,
  then wraps each sub-file in BufferFile, whose BytesIO copies the whole sub-file into
  memory: opening an index read every segment in full (1.5 GB, 1 to 3 s, at a million
  paragraphs) and a query process held all of it. MappedSubFile reads the same bytes
  straight from the map, so a reader touches only the pages it uses and opening costs
  milliseconds.

- Terms written a block at a time. FieldWriter.add_postings, at a commit, hands the
  writer each posting in turn: two calls (the length of its document, then add_posting
  with four type asserts) and several checks per posting, a third of a commit. For a
  Whoosh 3 segment flushed from a writer's posting pool (commits and merges alike), this
  version gathers each term's postings and writes its blocks in one step instead of
  Whoosh's dozen calls a block (start_term, start_postings, add_posting for each
  posting, _write_block, add_block, the _mini_ lists, three writes, finish_postings,
  to_bytes), with the same statistics (highest weight, shortest and longest non-zero
  length) add_posting keeps: the same block and term info bytes as that path (but for
  the small blocks stored plain). Its term table row too, with the positions of both
  files counted, not asked of them (Whoosh asks three times a term; each tell() of a
  BufferedWriter is a system call) and the key's MD5 hash taken from the digest, not
  parsed back from its hex string. The table's hash entries are kept in arrays until it
  is written (_HashBucket): a tuple per term made an optimize of a million paragraphs
  hold 320 MB. PostingPool.add is Whoosh's without its two asserts (the codec checks
  types again).

- Posting groups. SegmentWriter.add_document puts one tuple per posting in Whoosh's
  posting pool, which a commit then sorts and regroups by term: 47 tuples a document
  here, most of them the story's fields repeated on each of its paragraphs. This version
  keeps, per field, groups of consecutive documents that share one analysis (a story's
  paragraphs: one group) and makes each term's posting list from them, already in
  document order; only terms are sorted. The lists are made every few megabytes of
  groups, not only at the flush: a group keeps a tuple and a term's bytes for each of
  its postings, and the same postings in arrays take about two thirds of that memory, so
  a writer's pool holds more documents before its segment must be written, and fewer
  segments are merged later. Postings that reach the pool by other ways (merged
  segments) are joined term by term. Memory stays bounded as Whoosh bounds it: past the
  pool's limit the postings are handed to the pool, which writes sorted runs to disk.
  The postings written are the same (the tests compare them with stock Whoosh's). the
  reused analysis' reuse of the last analysis also covers numbers and dates now, and a
  document's field names are sorted and checked, and each field's settings looked up,
  once per set of keys.

- One-loop analysis. Analysis runs a token through a chain of generators (tokenizer,
  lower-case, stop words, stemmer), setting attributes of a Token object at each step:
  about a fifth of a worker's time went to analysing paragraphs. For a text value
  analysed by a chain of exactly Whoosh's RegexTokenizer (matching, not gaps), then
  optionally StripFilter, LowercaseFilter, StopFilter and StemFilter, in that order,
  into a Positions or Frequency field (our stemmed text fields, and comma-separated
  keywords: people, tags, places), this version does the same steps in one loop, with
  each filter's own settings (pattern, stop list, minimum and maximum size, renumbering,
  stemmer and the words it ignores), and encodes postings with the format's own encoder.
  Any other analyzer, format or value goes through Whoosh's own path. A token's term is
  looked up as written (lower case, stop list and stem in one dictionary), and the last
  texts' analyses are remembered by one loop shared by equal chains: a story record's
  `story_terms` count the words of paragraphs just analysed for `body`.

- Small blocks stored plain. W3PostingsWriter._write_block means not to compress a
  block's pickle when it is tiny ("if len(databytes) < 20: comp = 0"), but the next line
  sets comp again, so every block is compressed: 40,000 of 60,000 blocks at 10,000
  paragraphs are under 96 bytes, where zlib makes them larger (1.93 MB raw, 2.00 MB
  compressed) and costs a call each. This version leaves a block under 96 bytes
  uncompressed; a block's header records its compression, and Whoosh's reader
  decompresses only blocks whose header says so.

- Buffered length bytes. W3PerDocWriter.add_field writes a document's length byte for
  each scorable field through add_column_value and the column writer's add (eight calls,
  and a call per byte to fill the documents in between): 6.6 per document here. This
  version appends the byte to a buffer per field and hands each column its bytes at
  close, as Whoosh would have written them (a zero for a document without a length,
  nothing after the last document with one).

- Newer pickle protocols. A posting block's data is pickled with protocol 3, not
  Whoosh's 2 (see BLOCK_PICKLE_PROTOCOL): at 10,000 paragraphs the blocks take 3.05 MB
  instead of 4.75, pickling them half the time (70 ms against 143), fewer reach zlib
  (9,900 of 60,000 against 16,200), and a reader's pickle.loads of them takes 81 ms
  against 145. A document's stored fields are pickled with protocol 4 (a date's state is
  bytes; short strings take a one-byte length): 409 bytes compressed a paragraph against
  502, pickle and zlib 20.6 us against 25.4. Both are read by stock Whoosh's
  pickle.loads.

- The copying merge. SegmentWriter.add_reader (how a merge copies a segment) re-pickles
  each document's stored fields and puts every posting of the segment into the posting
  pool as a tuple, which the pool pickles to disk, sorts and merges again, although each
  segment's postings are sorted already: most of an optimize's time. For a Whoosh 3
  segment of the same schema, this version copies each document's stored bytes and
  length bytes as they are, and keeps the segment open until the flush, where its terms,
  read a block at a time in order, join the writer's own terms (written a block at a
  time, as above): no posting passes through the pool. Deleted documents are dropped and
  the rest renumbered as Whoosh does; the postings, lengths and stored values are the
  same (tests compare them with stock Whoosh's merge). From a segment without deletions,
  a term whose postings fit one block (most terms) is kept as its block's data and
  statistics (_PackedBlock): renumbering shifts only each block's first document number,
  so the term is written again, joined with its blocks from the other segments, with no
  Python object per posting and the same bytes as unpacking it. Each segment's term
  table is read straight from its map (_term_rows: a term's postings offset and length,
  without Whoosh's term info object), and each block's header without an unpickler.

- Small-input compression. Whoosh compresses each posting block, each document's stored
  fields and each story's `story_terms` with zlib.compress, whose deflate state (a 32
  KiB window and a hash table sized for large inputs) is allocated and cleared at every
  call: for the few hundred bytes of a block or a paragraph that setup is most of the
  call's time. This version compresses inputs under 4 KiB with a state sized for them (a
  4 KiB window, memory level 5), at the same compression level: a valid zlib stream,
  which Whoosh's zlib.decompress reads as it reads any. Where the isal package is
  installed (a dependency), ISA-L's deflate writes the stream instead: even with a small
  state, zlib's deflate is slow on a few hundred bytes, ISA-L's is several times quicker
  there at about the same size (bench/bench_compress.py).

- Cached term statistics. MultiReader.doc_frequency and frequency ask each segment in
  turn, and each segment encodes the term, makes its key, hashes it and walks its hash
  table through five layers of calls and generators: tens of microseconds a segment, for
  each word and field a query scores (feedback's words too), over every segment of every
  shard of an archive. StatsCachingReader makes the term's bytes, key and hash once and
  reads each segment's table from its memory map, with the same answers.

- A story's paragraphs added together. Whoosh's writer takes one document at a time, so
  each paragraph's copy of its story's fields (their analysis is reused, above) still
  went through the writer's per-field work: its group, its length byte, its column
  value. FastSegmentWriter.add_documents takes a story's paragraphs with the fields they
  share, and does that work once for all of them; each paragraph's stored fields are the
  same dictionary in the same order, and the segment is the one add_document makes
  (tests/test_scale_paths.py compares them).
"""

from __future__ import annotations

import heapq
import mmap
import os
import pickle
import re
import warnings
import zlib
from array import array
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import partial
from hashlib import md5
from io import BytesIO
from itertools import accumulate, chain, pairwise
from operator import itemgetter, sub
from struct import Struct
from types import ModuleType
from typing import Any

import whoosh
from whoosh import analysis, columns, fields, formats
from whoosh import index as whoosh_index
from whoosh.codec import base as codec_base
from whoosh.codec import whoosh3
from whoosh.codec.whoosh3 import W3PostingsWriter
from whoosh.filedb import compound, filetables
from whoosh.filedb.filestore import OverlayStorage
from whoosh.filedb.structfile import StructFile
from whoosh.reading import EmptyReader, MultiReader, SegmentReader
from whoosh.system import emptybytes, pack_int, pack_long, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.util.text import utf8encode
from whoosh.writing import PostingPool, SegmentWriter

from . import checksums
from . import folder as index_folder

_MISSING = object()


# the Whoosh releases these extensions were written against (whoosh.versionstring())
WRITTEN_FOR = ("2.7.5",)
_WARNED: list[str] = []


_STOCK: list[bool] = []
_VERSION_OK: list[bool] = []  # [True] once active() found a Whoosh of WRITTEN_FOR


@contextmanager
def stock_whoosh() -> Iterator[None]:
    """Within this block the index class hands out stock Whoosh's writer and readers, as
    on a Whoosh these extensions were not written for: the reference the tests compare
    with, and the benchmarks' naive baseline."""
    _STOCK.append(True)
    try:
        yield
    finally:
        _STOCK.pop()


def active() -> bool:
    """Whether the index class hands out these extensions: this Whoosh is one they were
    written for (else stock Whoosh's writer and reader, after one warning), and no
    stock_whoosh() block is open."""
    if _STOCK:
        return False
    if _VERSION_OK:  # asked for every document: the version is read once
        return True
    version = whoosh.versionstring()
    if version in WRITTEN_FOR:
        _VERSION_OK.append(True)
        return True
    if version not in _WARNED:
        _WARNED.append(version)
        warnings.warn_explicit(
            f"Whoosh {version} is not a version indexer's Whoosh extensions were written for "
            f"({', '.join(WRITTEN_FOR)}); using stock Whoosh (slower)",
            RuntimeWarning, filename="indexer", lineno=0)
    return False


RECENT_PARTS = 512  # analysed values kept for JoinedText: a long story's paragraphs


class JoinedText(str):
    """Text made of parts joined by a separator that no token spans (see "Reused
    analysis" above)."""

    parts: tuple[str, ...]
    separator: str

    def __new__(cls, parts: tuple[str, ...] | list[str], separator: str = "\n\n") -> JoinedText:
        joined = super().__new__(cls, separator.join(parts))
        joined.parts, joined.separator = tuple(parts), separator
        return joined

    def __reduce__(self):  # Whoosh's multiprocessing writer pickles documents
        return (JoinedText, (self.parts, self.separator))


def _summed_parts(recent: dict, field, value: JoinedText) -> list | None:
    """A JoinedText's index items from its parts' recent analyses, or None."""
    if type(field.format) is not formats.Frequency:
        return None
    counts: dict[bytes, int] = {}
    for part in value.parts:
        items = recent.get((id(field.analyzer), part))
        if items is None:
            return None
        for tbytes, freq, _, _ in items:
            counts[tbytes] = counts.get(tbytes, 0) + freq
    boost = field.format.field_boost
    return [(tbytes, freq, float(freq) * boost, formats.pack_uint(freq))
            for tbytes, freq in counts.items()]


class _FastAnalysis:
    """One-loop analysis: one analyzer chain of a recognised shape, as one loop."""

    STEM_CACHE = 100_000  # stems kept (Whoosh's StemFilter keeps 50,000)
    MEMO = 512  # texts whose analysis is kept: a story's paragraphs, analysed twice

    def __init__(self, analyzer) -> None:
        items = self._chain(analyzer)
        tokenizer = items.pop(0)
        self.pattern = tokenizer.expression
        self.tokens = _ungrouped(self.pattern)  # for findall(): each match whole
        self.strip = bool(items) and type(items[0]) is analysis.StripFilter
        if self.strip:
            items.pop(0)
        self.lower = bool(items) and type(items[0]) is analysis.LowercaseFilter
        if self.lower:
            items.pop(0)
        self.stops, self.renumber = None, False
        if items and type(items[0]) is analysis.StopFilter:
            stop = items.pop(0)
            self.stops, self.minsize, self.maxsize = stop.stops, stop.min, stop.max
            self.renumber = stop.renumber
        self.stem = None
        if items and type(items[0]) is analysis.StemFilter:
            stem = items.pop(0)
            self.stem, self.ignore = stem.stemfn, stem.ignore
            if stem.lang:
                from whoosh.lang import stemmer_for_language

                self.stem = stemmer_for_language(stem.lang)
        self._stems: dict[str, str] = {}
        self._terms: dict[str, str] = {}
        self._memo: dict[str, dict[str, list[int]]] = {}
        assert not items, "only for analyzers that _fast_analysis accepted"

    def signature(self) -> tuple:
        """What the chain does: equal for two chains that analyse every text alike."""
        return (self.pattern.pattern, self.pattern.flags, self.strip, self.lower,
                None if self.stops is None else (frozenset(self.stops), self.minsize,
                                                 self.maxsize, self.renumber),
                None if self.stem is None else (self.stem, frozenset(self.ignore)))

    @staticmethod
    def _chain(analyzer) -> list:
        if type(analyzer) is analysis.RegexTokenizer:  # a tokenizer alone is an analyzer
            return [analyzer]
        if type(analyzer) is analysis.CompositeAnalyzer:
            return list(analyzer.items)
        return []

    @classmethod
    def accepts(cls, analyzer) -> bool:
        chain = cls._chain(analyzer)
        if not chain:
            return False
        tokenizer, *filters = chain
        if type(tokenizer) is not analysis.RegexTokenizer or tokenizer.gaps:
            return False
        order = [analysis.StripFilter, analysis.LowercaseFilter, analysis.StopFilter,
                 analysis.StemFilter]
        for item in filters:
            if type(item) not in order:
                return False
            order = order[order.index(type(item)) + 1:]
        return True

    def spans(self, text: str, wanted: set[str] | frozenset[str]) -> list[tuple[int, int]]:
        """Character spans of the words whose analysed form (stop words kept, unstemmed,
        as Whoosh's chain leaves them with removestops=False) is in `wanted`."""
        return [match.span() for match in self.pattern.finditer(text)
                if self._analysed(match.group(0))[0] in wanted]

    def term(self, token: str) -> str | None:
        """The term the chain makes of one token, or None when it stops it."""
        word, stopped = self._analysed(token)
        return None if stopped else word

    def _analysed(self, token: str) -> tuple[str, bool]:
        """The token stripped, lower-cased and stemmed as the chain does, and whether its
        stop filter removes it (a stopped word is not stemmed)."""
        word = token.strip() if self.strip else token
        if self.lower:
            word = word.lower()
        stops = self.stops
        if stops is not None and (len(word) < self.minsize or word in stops or (
                self.maxsize is not None and len(word) > self.maxsize)):
            return word, True
        if self.stem is not None and word not in self.ignore:
            stems = self._stems
            stemmed = stems.get(word)
            if stemmed is None:
                if len(stems) >= self.STEM_CACHE:
                    stems.clear()
                stemmed = stems[word] = self.stem(word)
            word = stemmed
        return word, False

    def positions(self, text: str) -> dict[str, list[int]]:
        """Each term of the text and the positions Whoosh's chain gives it, in order of
        first appearance. The caller must not change the answer: a text analysed again
        soon (a paragraph, then its story's terms) is answered from memory."""
        memo = self._memo
        found = memo.get(text)
        if found is not None:
            return found
        found = {}
        terms = self._terms  # token as written -> its term, or "" when stopped
        stops, renumber = self.stops is not None, self.renumber
        pos = None
        tokens = self.tokens.findall(text) if self.tokens is not None else \
            [match.group(0) for match in self.pattern.finditer(text)]
        for index, token in enumerate(tokens):
            word = terms.get(token)
            if word is None:
                if len(terms) >= self.STEM_CACHE:
                    terms.clear()
                word = terms[token] = self.term(token) or ""
            if stops:
                if not word:
                    continue
                # StopFilter renumbers from the first kept token's own position
                pos = index if pos is None or not renumber else pos + 1
            else:
                pos = index
            seen = found.get(word)
            if seen is None:
                found[word] = [pos]
            else:
                seen.append(pos)
        if len(memo) >= self.MEMO:
            memo.clear()
        memo[text] = found
        return found


def _ungrouped(pattern: re.Pattern) -> re.Pattern | None:
    """The pattern with its groups made non-capturing (the same matches; findall then
    gives each match whole), or None when that cannot be done safely."""
    if not pattern.groups:
        return pattern
    source = pattern.pattern
    if not isinstance(source, str) or re.search(r"\\\d|\(\?P[=<]|\[(?:\\.|[^\]])*\(",
                                                source):
        return None  # backreferences, named groups, a "(" in a class: left as they are
    try:
        rewritten = re.compile(re.sub(r"(?<!\\)\((?!\?)", "(?:", source), pattern.flags)
    except re.error:
        return None
    return rewritten if not rewritten.groups else None


_FAST: dict[int, tuple] = {}  # id(analyzer) -> (analyzer, _FastAnalysis or None)
_SHARED: dict[tuple, _FastAnalysis] = {}  # what a chain does -> its one _FastAnalysis


def fast_analysis(analyzer) -> _FastAnalysis | None:
    """The one-loop form of an analyzer of a recognised shape (one-loop analysis), or
    None. Chains that do the same (each schema builds its own analyzers) share one, and so its
    memory of recent texts."""
    known = _FAST.get(id(analyzer))
    if known is None or known[0] is not analyzer:
        fast = None
        if _FastAnalysis.accepts(analyzer):
            fast = _FastAnalysis(analyzer)
            fast = _SHARED.setdefault(fast.signature(), fast)
        known = _FAST[id(analyzer)] = (analyzer, fast)
    return known[1]


_FIELD_INDEX = fields.FieldType.index  # a field type that analyses as Whoosh's base class
_NUMBERS: dict[tuple[int, int], tuple] = {}  # (id(field), number) -> (field, items)


def _index_items(field, value) -> list:
    """field.index(value) as a list: (term bytes, frequency, weight, encoded value)."""
    fmt = field.format
    kind = type(value)
    if type(field).index is not _FIELD_INDEX:
        if kind is int and type(field) is fields.NUMERIC:  # paragraph numbers recur
            key = (id(field), value)
            known = _NUMBERS.get(key)
            if known is None or known[0] is not field:
                if len(_NUMBERS) >= 10_000:
                    _NUMBERS.clear()
                known = _NUMBERS[key] = (field, list(field.index(value)))
            return known[1]
    elif kind is str and type(fmt) is formats.Existence \
            and type(field.analyzer) is analysis.IDTokenizer:
        # one term, the value itself, as Existence.word_values makes it (an ID field)
        return [(value.encode("utf-8"), 1, fmt.field_boost, emptybytes)]
    elif kind is str and type(fmt) in (formats.Positions, formats.Frequency):
        fast = fast_analysis(field.analyzer)
        if fast is not None:
            boost = fmt.field_boost
            found = fast.positions(value)
            if type(fmt) is formats.Positions:
                return _positions_items(fmt, found, boost)
            return [(word.encode("utf-8"), len(poslist), float(len(poslist)) * boost,
                     formats.pack_uint(len(poslist))) for word, poslist in found.items()]
    return list(field.index(value))


_ONE_POSITION: dict[int, bytes] = {}  # Positions.encode([p]): most words occur once


def _positions_items(fmt, found: dict[str, list[int]], boost: float) -> list:
    encode, one = fmt.encode, _ONE_POSITION
    items = []
    for word, poslist in found.items():
        count = len(poslist)
        if count == 1:
            value = one.get(poslist[0])
            if value is None:
                if len(one) >= 100_000:
                    one.clear()
                value = one[poslist[0]] = encode(poslist)
        else:
            value = encode(poslist)
        items.append((word.encode("utf-8"), count, float(count) * boost, value))
    return items


class _WriterState:
    """What our writer keeps between documents (add_document, add_segment) and the
    settings of its commit."""

    def __init__(self) -> None:
        self.last: dict = {}  # fieldname -> (value, items): the last value analysed (reused)
        self.recent: dict = {}  # (analyzer id, text) -> items: for JoinedText (reused)
        self.column_values: dict = {}  # fieldname -> (value, column value): the last one
        self.shapes: dict = {}  # the document's keys as given -> (per-field plan, plain)
        # fieldname -> [[items, boost, docnums, length], ...] in document order (the posting groups)
        self.groups: dict[str, list[list]] = {}
        # fieldname -> term -> [docnums, weights, values]: groups made into posting lists
        # (_compact), in arrays where they can be: about two thirds of the groups' memory
        self.postings: dict[str, dict[bytes, list | tuple]] = {}
        # estimated memory of each (the writer's pool_room counts both)
        self.group_bytes = 0
        self.postings_bytes = 0
        # segments added by add_reader (the copying merge): (reader, first docnum, live docnums)
        self.merged: list[tuple] = []
        self.progress: Callable[[float], None] | None = None  # report_merge_progress()
        self.keep_files = False  # keep_unlisted_files()
        self.listed: set[str] = set()  # and the segments listed when it was called


def pool_spills(writer) -> int:
    """Sorted runs the writer's posting pool has spilled to disk so far (each holds all
    the pool held); ask before the segment is written, which reads them back."""
    return len(getattr(getattr(writer, "pool", None), "runs", ()))


def _state(writer) -> _WriterState:
    state = writer.__dict__.get("_indexer_state")
    if state is None:
        state = writer.__dict__["_indexer_state"] = _WriterState()
    return state


_REUSABLE = (str, int, float, datetime)  # values whose analysis the reused analysis may reuse
GROUP_BYTES = 200  # estimated memory of an analysed term kept in a group
DOCNUM_BYTES = 40  # of a document number appended to a group


def _spill_groups(writer) -> None:
    """Hand the grouped postings to Whoosh's posting pool, one posting at a time."""
    state = _state(writer)
    _compact(state)
    add = writer.pool.add
    for fieldname, terms in state.postings.items():
        for tbytes, entry in terms.items():
            for docnum, weight, vbytes in zip(*_posting_columns(entry), strict=True):
                add((fieldname, tbytes, docnum, weight, vbytes))
    state.postings = {}
    state.group_bytes = state.postings_bytes = 0


COMPACT_BYTES = 4 << 20  # estimated bytes of groups made into posting lists at once
# estimated memory of a term of one posting, of a term's posting lists, and of a posting
# in them (tracemalloc, Reuters and TREC files; a posting's value is mostly shared: see
# _ONE_POSITION)
ONE_POSTING_BYTES = 200
TERM_BYTES = 360
POSTING_BYTES = 32


def _compact(state: _WriterState) -> None:
    """Make the groups posting lists, each term's in document order after those made
    before (the posting groups): the flush does this anyway, and the lists take less memory than a
    group's items (a tuple and a term's bytes for each posting). A term of one posting
    (most terms: every id, most rare words) is kept as a tuple until a second comes."""
    if not state.groups:
        return
    added = 0
    for fieldname, fieldgroups in state.groups.items():
        terms = state.postings.get(fieldname)
        if terms is None:
            terms = state.postings[fieldname] = {}
        for items, boost, docnums, _ in fieldgroups:
            count = len(docnums)
            added += POSTING_BYTES * count * len(items)
            for tbytes, _, weight, vbytes in items:
                if boost != 1.0:
                    weight *= boost
                if vbytes is None:
                    vbytes = emptybytes
                entry: Any = terms.get(tbytes)  # a tuple or a list (_posting_lists)
                if entry is None:
                    if count == 1:
                        terms[tbytes] = (docnums[0], weight, vbytes)
                        added += ONE_POSTING_BYTES - POSTING_BYTES
                    else:
                        terms[tbytes] = _posting_lists(docnums, weight, count, vbytes)
                        added += TERM_BYTES
                    continue
                if type(entry) is tuple:
                    entry = terms[tbytes] = _posting_lists([entry[0]], entry[1], 1, entry[2])
                    added += TERM_BYTES - ONE_POSTING_BYTES + POSTING_BYTES
                ids, weights, values = entry
                if type(weight) is not float and type(weights) is array:
                    weights = entry[1] = list(weights)
                if count == 1:
                    ids.append(docnums[0])
                    weights.append(weight)
                    values.append(vbytes)
                else:
                    ids.extend(docnums)
                    weights.extend((weight,) * count)
                    values.extend((vbytes,) * count)
    state.groups = {}
    state.group_bytes = 0
    state.postings_bytes += added


def _posting_lists(docnums: list[int], weight, count: int, vbytes: bytes) -> list:
    """A term's posting lists, `count` documents of one weight and value: document
    numbers and weights in arrays (weights as doubles, as written, when they are floats)."""
    return [array("i", docnums),
            array("d", (weight,) * count) if type(weight) is float else [weight] * count,
            [vbytes] * count]


def _posting_columns(entry) -> tuple[list, list, list]:
    """A term's postings as _compact keeps them, as lists."""
    if type(entry) is tuple:
        return [entry[0]], [entry[1]], [entry[2]]
    ids, weights, values = entry
    return list(ids), list(weights), values


def _joined(ours: tuple[list, list, list], pooled: tuple[list, list, list]) -> tuple:
    """One term's postings from the groups and from the pool, in document order."""
    ids, weights, values = (a + b for a, b in zip(ours, pooled, strict=True))
    if ours[0] and pooled[0] and ours[0][-1] > pooled[0][0]:  # groups spilled earlier
        ordered = sorted(zip(ids, weights, values, strict=True), key=lambda p: p[0])
        ids, weights, values = (list(column) for column in zip(*ordered, strict=True))
    return ids, weights, values


def _grouped_terms(postings: dict[str, dict[bytes, list | tuple]],
                   pooled: Iterator[tuple]) -> Iterator[tuple]:
    """(fieldname, term, docnums, weights, values) in field and term order, from the
    writer's posting lists (_compact) and from its pool's term lists (merged segments,
    spilled groups)."""
    pending = next(pooled, None)
    for fieldname in sorted(postings):
        while pending is not None and pending[0] < fieldname:
            yield pending
            pending = next(pooled, None)
        terms = postings.pop(fieldname)
        for btext in sorted(terms):
            while pending is not None and pending[0] == fieldname and pending[1] < btext:
                yield pending
                pending = next(pooled, None)
            found = _posting_columns(terms.pop(btext))
            if pending is not None and pending[0] == fieldname and pending[1] == btext:
                found = _joined(found, pending[2:])
                pending = next(pooled, None)
            yield (fieldname, btext, *found)
    while pending is not None:
        yield pending
        pending = next(pooled, None)


# -- the copying merge: a segment merged without the posting pool


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


def _copy_documents(writer, reader) -> list[int] | None:
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
    front to back once, so without this a merge of a million paragraphs grew to the size
    of the index (1.9 GB)."""
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


def _segment_terms(reader, schema, base: int, live: list[int] | None,
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
        for btext, inlined, offset, length in _term_rows(terms, fieldname):
            ids: list = []
            weights: list = []
            values: list = []
            if inlined is None:
                if budget is not None:
                    budget.spend(length)
                blocks = _blocks(terms._postfile.get(offset, length))
                first = next(blocks)
                if renumber is None and first[2]:  # one block (nearly every term)
                    packed = _PackedBlock.read(first[0], first[1], shift, fixed)
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


def _term_rows(terms, fieldname: str) -> Iterator[tuple]:
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


_EXTENT = Struct("!qi")  # a term info's postings offset and length, after its statistics


class _PackedBlock:
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
             fixed: int | None) -> _PackedBlock | None:
        """A term's only block (header and data as _blocks reads them) packed, or None
        when its ids are not ours to shift."""
        count, last, _maxweight, _compressed, minbyte, maxbyte = header
        deltas, weights, values = data
        if type(deltas) is not tuple:  # ids as bytes (byteids)
            return None
        return cls(deltas[0] + shift, last + shift, count, deltas, weights, values,
                   minbyte, maxbyte, fixed)

    @classmethod
    def join(cls, parts: list[_PackedBlock]) -> _PackedBlock | None:
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
        """Document numbers, weights and values, as _segment_terms reads a block."""
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
    if type(ids) is not _PackedBlock:
        return part
    return (fieldname, btext, *ids.unpack())


def _blocks(raw: bytes) -> Iterator[tuple[tuple, tuple, bool]]:
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
        if all(type(part[2]) is _PackedBlock for part in parts):
            parts.sort(key=lambda part: part[2].first)
            joined = _PackedBlock.join([part[2] for part in parts])
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


class MappedSubFile(StructFile):
    """A read-only sub-file of a memory-mapped compound file, read without copying
    (see the mapped sub-files). Its position is its own, as a BufferFile's is."""

    PICKLE_WINDOW = 512  # bytes offered to a pickle first; widened fourfold until it fits

    def __init__(self, source, offset: int, length: int, name: str | None = None):
        self.file = None
        self._map, self._start, self._end, self._pos = source, offset, offset + length, 0
        self._name, self.onclose = name, None
        self.is_real, self.is_closed = False, False

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


def _write_terms(self, schema, lengths, terms: Iterator[tuple]) -> None:
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
        packed = type(ids) is _PackedBlock
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
    entries kept in two arrays, 12 bytes an entry, not as a list of tuples (about 120): a
    table holds an entry per term until it is closed, 2.7 million terms when a million
    paragraphs are merged into one segment (320 MB). HashWriter appends, counts and
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


# -- the classes our index hands out


class FastPostingPool(PostingPool):
    """The posting pool's add without its asserts (the codec checks types again)."""

    def add(self, item):
        # item = (fieldname, tbytes, docnum, weight, vbytes); the size estimate is Whoosh's
        self.fieldnames.add(item[0])
        self.currentsize += 150 + len(item[0]) + 2 * len(item[1]) + len(item[4] or "")
        if self.currentsize > self.limit:
            self.save()
        self.current.append(item)


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
        _write_terms(self, schema, lengths, _term_lists(items))


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


class MappedCompoundStorage(compound.CompoundStorage):
    """Mapped sub-files: a compound segment's sub-files read straight from its memory map."""

    def open_file(self, name, *args, **kwargs):
        if self._source is None or self.is_closed:
            return super().open_file(name, *args, **kwargs)
        offset, length = self.range(name)
        return MappedSubFile(self._source, offset, length, name=name)


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


def add_documents(writer, common: dict, documents: list[dict]) -> None:
    """add_document(**common, **document) for each document: by our writer's
    add_documents, or one at a time by a stock Whoosh writer."""
    if isinstance(writer, FastSegmentWriter):
        writer.add_documents(common, documents)
        return
    for document in documents:
        writer.add_document(**common, **document)


class FastSegmentWriter(SegmentWriter):
    """Whoosh's SegmentWriter with FastCodec, FastPostingPool, reused and one-loop
    analysis and posting groups. It is handed out for this project's schema only, whose
    analysis is a pure function of a field's value (reused analysis relies on it)."""

    def __init__(self, ix, limitmb: int = 128, **kwargs) -> None:
        super().__init__(ix, limitmb=limitmb, codec=FastCodec(), **kwargs)
        # SegmentWriter ignores its poolclass argument and makes a PostingPool
        self.pool = FastPostingPool(self._tempstorage, self.newsegment, limitmb=limitmb)

    def pool_room(self) -> int:
        """Bytes of postings (as the posting pool estimates them) this writer can still
        hold before its pool spills sorted runs to disk."""
        state = _state(self)
        return self.pool.limit - self.pool.currentsize - state.group_bytes \
            - state.postings_bytes

    def reader(self, reuse=None):
        """The index as this writer found it, through our readers (deletions by term
        read it)."""
        self._check_state()
        return open_reader(self.storage, self.schema, self.segments, self.generation,
                           reuse=reuse)

    def add_document(self, **fields):
        self._check_state()
        plan, plain = self._plan(fields)
        self._add_one(fields, plan, plain, self._doc_boost(fields))
        self._added = True
        self._bounded()

    def _bounded(self) -> None:
        """Groups past COMPACT_BYTES become posting lists; past the pool's limit, all go
        to the pool, which keeps memory bounded: it writes sorted runs to disk."""
        state = _state(self)
        if state.group_bytes > COMPACT_BYTES:
            _compact(state)
        if state.group_bytes + state.postings_bytes > self.pool.limit:
            _spill_groups(self)

    def add_documents(self, common: dict, documents: list[dict]) -> None:
        """add_document(**common, **document) for each of the documents, in order, with
        the fields of `common` (a story's, on each of its paragraphs) analysed, grouped,
        measured and stored once for all of them instead of once a document: the same
        segment. No field may be in both, nor be a keyword (_boost, _stored_...)."""
        if not documents:
            return
        self._check_state()
        shared = self._shared_plan(common)
        if shared is None:  # not ours to shortcut: one document at a time
            for document in documents:
                self.add_document(**common, **document)
            return
        plan, stored = shared
        first = self.docnum
        orders: dict[tuple, list[str]] = {}  # a document's own stored names -> all, in order
        for document in documents:
            own_plan, plain = self._plan(document)
            if not plain or not common.keys().isdisjoint(document):
                raise ValueError("add_documents: a document repeats a shared field or "
                                 f"names a keyword: {sorted(document)}")
            self._add_one(document, own_plan, True, 1.0, stored, orders)
        self._added = True
        self._add_shared(common, plan, first, self.docnum - first)
        self._bounded()

    def _add_one(self, fields: dict, plan: list, plain: bool, docboost: float,
                 shared: dict | None = None, orders: dict | None = None) -> None:
        """One document: its fields, and the stored values of fields it shares
        (add_documents), stored with its own by field name, as add_document orders them."""
        perdoc = self.perdocwriter
        perdoc.start_doc(self.docnum)
        try:
            self._add_fields(fields, plan, plain, docboost)
        except Exception as ex:
            perdoc.cancel_doc()
            raise ex
        if shared and orders is not None:
            own = perdoc._storedfields
            keys = tuple(own)
            order = orders.get(keys)
            if order is None:
                order = orders[keys] = sorted((*shared, *keys))
            perdoc._storedfields = {name: own[name] if name in own else shared[name]
                                    for name in order}
        perdoc.finish_doc()
        self.docnum += 1

    def _plan(self, fields: dict) -> tuple[list, bool]:
        """What each field's settings say for a document of these keys, looked up once a
        shape; "plain": no _boost or _stored_ keyword in the document."""
        state = _state(self)
        shape = tuple(fields)
        known = state.shapes.get(shape)
        if known is None:
            schema = self.schema
            fieldnames = sorted(name for name in fields if not name.startswith("_"))
            self._check_fields(schema, fieldnames)
            if len(state.shapes) >= 64:
                state.shapes.clear()
            plan = [(name, field, field.indexed, field.scorable, field.separate_spelling(),
                     field.vector, field.stored, field.column_type)
                    for name in fieldnames for field in [schema[name]]]
            known = state.shapes[shape] = (plan, len(fieldnames) == len(fields))
        return known

    def _shared_plan(self, common: dict) -> tuple[list, dict] | None:
        """The plan of `common`'s fields and the values of those stored, when
        add_documents may add them once for all documents: plain fields, no spelling words
        or vectors, and our per-document writer."""
        plan, plain = self._plan(common)
        if not plain or type(self.perdocwriter) is not FastPerDocWriter \
                or any(spelling or vformat for _, _, _, _, spelling, vformat, _, _ in plan):
            return None
        return plan, {name: common[name] for name, *_, stored, _ in plan
                      if stored and common[name] is not None}

    @staticmethod
    def _items(state: _WriterState, fieldname: str, field, value) -> list:
        """The field's index items for the value: the last value's again when it is the
        same (the reused analysis), else analysed now and remembered."""
        remembered = state.last.get(fieldname)
        kind = type(value)
        if remembered is not None and type(remembered[0]) is kind and remembered[0] == value:
            return remembered[1]
        items = None
        recent = state.recent
        if kind is JoinedText:
            items = _summed_parts(recent, field, value)
        if items is None:
            items = _index_items(field, value)
            if kind in _REUSABLE:
                state.last[fieldname] = (value, items)
            if kind is str and type(field.format) is not formats.Existence:
                # for a JoinedText of analysed texts: not ids, which would crowd them out
                if len(recent) >= RECENT_PARTS:
                    recent.clear()
                recent[(id(field.analyzer), value)] = items
        return items

    @staticmethod
    def _group(state: _WriterState, fieldname: str, items: list, fieldboost: float,
               scorable: bool, docnums: list[int]) -> list:
        """Posting groups: the documents join the field's last group when they bring the same
        analysed terms, or start a group; postings are made at the flush."""
        fieldgroups = state.groups.get(fieldname)
        if fieldgroups is None:
            fieldgroups = state.groups[fieldname] = []
        group = fieldgroups[-1] if fieldgroups else None
        if group is not None and group[0] is items and group[1] == fieldboost:
            group[2].extend(docnums)
            state.group_bytes += DOCNUM_BYTES * len(docnums)
            return group
        length = sum(item[1] for item in items) if scorable else 0
        group = [items, fieldboost, docnums, length]
        fieldgroups.append(group)
        state.group_bytes += GROUP_BYTES * len(items) + DOCNUM_BYTES * len(docnums)
        return group

    @staticmethod
    def _column_value(state: _WriterState, fieldname: str, field, value):
        """The field's column value for the value; the last one's again when the same (a
        story's paragraphs bring the same sortable values: date, story_id)."""
        column_values = state.column_values
        previous = column_values.get(fieldname)
        if previous is not None and type(previous[0]) is type(value) \
                and previous[0] == value:
            return previous[1]
        cv = field.to_column_value(value)
        if type(value) in _REUSABLE:
            column_values[fieldname] = (value, cv)
        return cv

    def _add_fields(self, fields: dict, plan: list, plain: bool, docboost: float) -> None:
        """The document's fields (between the per-document writer's start_doc and
        finish_doc), as SegmentWriter.add_document adds them."""
        perdocwriter = self.perdocwriter
        docnum = self.docnum
        state = _state(self)
        vbytes = None
        for fieldname, field, indexed, scorable, spelling, vformat, stored, column in plan:
            value = fields.get(fieldname)
            if value is None:
                continue

            length = 0
            if indexed:
                fieldboost = docboost if plain else self._field_boost(fields, fieldname,
                                                                      docboost)
                length = self._group(state, fieldname, self._items(state, fieldname, field, value),
                                     fieldboost, scorable, [docnum])[3]

            if spelling:
                spellfield = field.spelling_fieldname(fieldname)
                for word in field.spellable_words(value):
                    word = utf8encode(word)[0]
                    self.pool.add((spellfield, word, 0, 1, vbytes))  # sic, as Whoosh

            if vformat:
                vitems = vformat.word_values(value, field.analyzer, mode="index")
                vitems = sorted((text, weight, vbytes) for text, _, weight, vbytes in vitems)
                perdocwriter.add_vector_items(fieldname, field, vitems)

            customval = value if plain else fields.get(f"_stored_{fieldname}", value)
            sv = customval if stored else None
            perdocwriter.add_field(fieldname, field, sv, length)

            if column and customval is not None:
                perdocwriter.add_column_value(
                    fieldname, column, self._column_value(state, fieldname, field, customval))

    def _add_shared(self, common: dict, plan: list, first: int, count: int) -> None:
        """add_documents' shared fields for its `count` documents from `first`: each
        field's terms grouped for them all, its length byte and column value for each
        (their stored values are in each document's already)."""
        perdoc = self.perdocwriter
        state = _state(self)
        docnums = list(range(first, first + count))
        for fieldname, field, indexed, scorable, _, _, _, column in plan:
            value = common.get(fieldname)
            if value is None:
                continue
            length = self._group(state, fieldname, self._items(state, fieldname, field, value),
                                 1.0, scorable, docnums[:])[3] if indexed else 0
            if length:
                perdoc.add_lengths(fieldname, first, length, count)
            if column:
                cv = self._column_value(state, fieldname, field, value)
                if not perdoc._has_column(fieldname):
                    perdoc._create_column(fieldname, column)
                add = perdoc._get_column(fieldname).add
                for docnum in docnums:
                    add(docnum, cv)

    def add_reader(self, reader):
        """The copying merge: a segment of this index copied without the posting pool; any other
        reader as Whoosh adds it."""
        if not _mergeable(self, reader):
            return super().add_reader(reader)
        self.add_segment(reader.segment())

    def add_segment(self, segment) -> None:
        """Copy the live documents of a committed segment of this index (deletions as
        the segment object records them) into this writer's segment (the copying merge)."""
        self._check_state()
        if any(field.vector for _, field in self.schema.items()):
            reader = FastSegmentReader(self.storage, self.schema, segment)
            try:
                return super().add_reader(reader)
            finally:
                reader.close()
        # our own reader of the segment, open until the flush; its files stay until the
        # commit's new table of contents is written
        source = FastSegmentReader(self.storage, self.schema, segment)
        try:
            base = self.docnum
            live = _copy_documents(self, source)
        except BaseException:
            source.close()
            raise
        _state(self).merged.append((source, base, live))
        self._added = True

    def _flush_segment(self):
        state = self.__dict__.get("_indexer_state")
        if state is None or not (state.groups or state.postings or state.merged):
            return super()._flush_segment()
        _compact(state)
        postings, state.postings = state.postings, {}
        state.group_bytes = state.postings_bytes = 0
        self.perdocwriter.close()
        lengths = self.per_document_reader() if self.codec.length_stats else None
        terms = _term_lists(self.pool.iter_postings())
        if postings:
            terms = _grouped_terms(postings, terms)
        if state.merged:
            budget = _PageBudget([source for source, _, _ in state.merged], state.progress)
            terms = _merged_terms([terms] + [
                _segment_terms(source, self.schema, base, live, budget)
                for source, base, live in state.merged])
        _write_terms(self.fieldwriter, self.schema, lengths, terms)
        self.fieldwriter.close()
        if lengths:
            lengths.close()

    def _finalize_segment(self):
        segment = super()._finalize_segment()
        folder = getattr(self.storage, "folder", None)
        if folder is not None:  # checksummed before any table of contents lists it
            checksums.write_sums(folder, segment.segment_id())
        return segment

    def report_merge_progress(self, progress: Callable[[float], None]) -> None:
        """Have a merge at this writer's flush call progress(share of the merged
        segments' postings written, 0 to 1), at each percent."""
        _state(self).progress = progress

    def keep_unlisted_files(self) -> None:
        """At this writer's commit, leave the files of segments its table of contents does
        not list and the index's temporary folder (Whoosh deletes both): a worker may be
        writing a segment beside it. Only the files of the segments the commit drops
        (merged into another) go, with the earlier tables of contents."""
        state = _state(self)
        state.keep_files = True
        state.listed = {segment.segment_id() for segment in self.segments}

    def _commit_toc(self, segments):
        # Not Whoosh's clean_files: it deletes every file shaped like a segment's that the
        # new table of contents does not list, a user's own included. Only journaled
        # segments' files go (indexer.folder).
        state = _state(self)
        whoosh_index.TOC(self.schema, segments, self.generation).write(self.storage,
                                                                       self.indexname)
        folder = getattr(self.storage, "folder", None)
        if folder is None:
            return
        listed = {segment.segment_id() for segment in segments}
        # with keep_files, only the segments this commit drops: workers write beside it
        dropped = state.listed - listed if state.keep_files else None
        index_folder.remove_unlisted(folder, self.generation, listed, dropped=dropped)

    def _finish(self):
        if not _state(self).keep_files:
            return super()._finish()
        if self._searcher is not None:  # Whoosh's _finish, but for the temporary folder
            self._searcher._orig_close()
            self._searcher = None
        if self.writelock:
            self.writelock.release()
        self.is_closed = True

    def _close_segment(self):
        state = self.__dict__.get("_indexer_state")
        if state is not None:
            for source, _, _ in state.merged:
                source.close()
            state.merged = []
        try:
            super()._close_segment()
        except OSError:
            # a full disk: Whoosh stops at the first file that cannot be written and keeps
            # the rest open, and the space of deleted files held open is not freed
            for handle in self._open_files():
                try:
                    handle.close()
                except (OSError, ValueError):
                    pass
            self.pool.cleanup()
            raise

    def _open_files(self) -> list:
        """The files a writer may hold open while it writes its segment."""
        perdoc, fields = self.perdocwriter, self.fieldwriter
        found = [getattr(getattr(perdoc, "_cols", None), "_temp", None),
                 getattr(perdoc, "_vpostfile", None), getattr(fields, "_postfile", None),
                 getattr(getattr(fields, "_tindex", None), "dbfile", None)]
        return [handle for handle in found if handle is not None]

    def _partial_segment(self):
        # Whoosh's single-segment multiprocessing writer merges its sub-writers' pools
        _spill_groups(self)
        return super()._partial_segment()
