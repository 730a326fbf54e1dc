"""Top documents for a plain disjunction of words, scored term at a time.

The story pass of a query (indexer.index) ranks story records for a handful of words OR'ed
over two fields. Whoosh scores such a query document at a time through a tree of union
matchers, a few Python calls per posting and more per block it skips; at a million
paragraphs that was 80% of a query (100 ms of 125 for three words). Here each word's
posting blocks are decoded once and summed into one score per document with BM25 from a
256-entry table of the length byte Whoosh stores per document: the same scores as Whoosh's
(the same weighting object supplies idf, average length, B and K1), about 0.3 µs a posting.

Only queries made of terms and OR's of terms (any boosts) take this path; `top_documents`
returns None for anything else (phrases, wildcards, AND, NOT) and the caller asks Whoosh.
"""

from __future__ import annotations

import functools
import heapq
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import accumulate, repeat
from operator import neg

import whoosh.query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher, W3PerDocReader
from whoosh.idsets import BitSet
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length, length_to_byte

from .search import Filtered, date_test
from .whoosh_fixes import length_bytes


@dataclass(frozen=True)
class TopDocuments:
    """Best documents first as (global docnum, score); `exhausted` when every document
    the query matches (and the filters allow) is in the list."""

    ranked: list[tuple[int, float]]
    exhausted: bool


def query_terms(q: wq.Query, boost: float = 1.0) -> list[tuple[str, str, float]] | None:
    """(field, text, boost) of each term of a disjunction, or None if q is anything else.
    A one-clause Or ignores its own boost, as Whoosh's compound matcher does."""
    if type(q) is wq.Term:
        return [(q.fieldname, q.text, boost * q.boost)]
    if type(q) is wq.Or and not q.minmatch and q.scale is None:
        subs = q.subqueries
        inner = boost * q.boost if len(subs) > 1 else boost
        terms: list[tuple[str, str, float]] = []
        for sub in subs:
            found = query_terms(sub, inner)
            if found is None:
                return None
            terms.extend(found)
        return terms
    return None


def top_documents(searcher, q: wq.Query, limit: int,
                  mask: set[int] | None = None) -> TopDocuments | None:
    """The `limit` best documents for q (a disjunction of terms, optionally Filtered),
    excluding `mask`; ties go to the lower docnum, as in Whoosh. None when q has another
    shape or a field is not BM25-scored."""
    plain = _plain_disjunction(searcher, q)
    if plain is None:
        return None
    terms, allow_query, dates = plain
    # pruning needs the limit-th best score of documents that will be kept: filters
    # decide that only later, so a filtered query scores every document
    prune = allow_query is None and dates is None
    scores: dict[int, float] = {}
    # per segment with a date window: (first docnum, end, test of a local docnum)
    date_tests: list[tuple[int, int, Callable[[int], bool]]] = []
    for subsearcher, offset in searcher.leaf_searchers():
        reader = subsearcher.reader()
        term_scorers = _term_scorers(subsearcher, terms, searcher.weighting)
        if term_scorers is None:
            return None
        if not term_scorers:
            continue
        deleted = _deleted(reader)
        end = offset + reader.doc_count_all()
        excluded = deleted
        if mask:
            excluded = set(deleted) | {d - offset for d in mask if offset <= d < end}
        # the limit-th best of the segments before (their deleted and masked documents
        # already left out) is a floor for this one's
        floor = _kth_best(scores, limit, frozenset()) if prune and scores else 0.0
        local = _segment_scores(term_scorers, limit, floor, excluded, prune)
        if excluded:
            local = {docnum: score for docnum, score in local.items()
                     if docnum not in excluded}
        if not local:
            continue
        if dates is not None:
            date_tests.append((offset, end, date_test(subsearcher, dates)))
        if offset:
            scores.update((docnum + offset, score) for docnum, score in local.items())
        else:
            scores.update(local)

    take = limit
    if allow_query is not None:
        reader = searcher.reader()
        allow_query = allow_query.simplify(reader)  # wildcards expanded once
        estimate = allow_query.estimate_size(reader)
        if estimate <= len(scores):
            # a narrow filter (a person, a rare tag): keep only its documents, then rank
            allowed = set(searcher.docs_for_query(allow_query))
            scores = {docnum: score for docnum, score in scores.items() if docnum in allowed}
            allow_query = None
        else:
            # a wide one (a big city): look as deep as it takes to find `limit` at its rate
            share = estimate / max(reader.doc_count_all(), 1)
            take = int(min(limit / max(share, 1e-6) * 2, len(scores))) or limit

    def passes(docnum: int, allowed: set[int] | None) -> bool:
        """Deleted and masked documents are gone already; the filters are tested here."""
        if allowed is not None and docnum not in allowed:
            return False
        if dates is None:
            return True
        return any(start <= docnum < end and test(docnum - start)
                   for start, end, test in date_tests)

    while True:
        # (score, -docnum) compares in C: best score first, then the lower docnum
        best = heapq.nlargest(take, zip(scores.values(), map(neg, scores.keys()), strict=True))
        # a wide filter (a common tag, a big city) is tested on these documents only
        allowed = None if allow_query is None else _matching(
            searcher, allow_query, sorted(-negdoc for _, negdoc in best))
        ranked = [(-negdoc, score) for score, negdoc in best if passes(-negdoc, allowed)]
        if len(ranked) >= limit or len(best) == len(scores):
            return TopDocuments(ranked[:limit], len(ranked) < limit)
        take *= 4


def score_documents(searcher, q: wq.Query, docnums: list[int],
                    mask: set[int] | None = None) -> dict[int, float] | None:
    """The scores q (a disjunction of terms, optionally Filtered) gives those of the sorted
    global docnums it matches, mask excluded: what Whoosh's matcher would score them,
    reading only the posting blocks that can hold one of them. None when q has another
    shape (the caller asks Whoosh). The paragraph pass scores its candidates so."""
    plain = _plain_disjunction(searcher, q)
    if plain is None:
        return None
    terms, allow_query, dates = plain
    if mask:
        docnums = [docnum for docnum in docnums if docnum not in mask]
    if allow_query is not None:
        allowed = _matching(searcher, allow_query.simplify(searcher.reader()), docnums)
        docnums = [docnum for docnum in docnums if docnum in allowed]
    scores: dict[int, float] = {}
    for subsearcher, offset, targets in _by_segment(searcher, docnums):
        reader = subsearcher.reader()
        term_scorers = _term_scorers(subsearcher, terms, searcher.weighting)
        if term_scorers is None:
            return None
        deleted = _deleted(reader)
        within = date_test(subsearcher, dates)
        targets = [docnum for docnum in targets if docnum not in deleted
                   and (within is None or within(docnum))]
        local: dict[int, float] = {}
        for term in term_scorers:  # in the query's order, as Whoosh's union sums them
            matcher = _raw_matcher(reader, term.field, term.btext)
            for docnum, tf in _postings_at(matcher, targets):
                local[docnum] = local.get(docnum, 0.0) + term.score(docnum, tf)
        scores.update((docnum + offset, score) for docnum, score in local.items())
    return scores


def _plain_disjunction(searcher, q: wq.Query) -> tuple[list, wq.Query | None, tuple | None] | None:
    """(terms as (field, text, boost), allow query, date window) of a disjunction of terms
    in BM25-scored fields, optionally Filtered; None for any other query."""
    allow_query, dates = None, None
    if isinstance(q, Filtered):
        q, allow_query, dates = q.child, q.allow, q.dates
    terms = query_terms(q)
    schema = searcher.schema
    if terms is None or any(field not in schema or not schema[field].scorable
                            for field, _, _ in terms):
        return None
    return terms, allow_query, dates


def _term_scorers(subsearcher, terms: list[tuple[str, str, float]], weighting
                  ) -> list[_TermScorer] | None:
    """A scorer for each term the segment holds; None when the weighting is not BM25.
    The weighting is the top searcher's (a subsearcher keeps the one it was made with)."""
    reader, schema = subsearcher.reader(), subsearcher.schema
    scorers = []
    for field, text, boost in terms:
        btext = schema[field].to_bytes(text)
        if (field, btext) not in reader:
            continue
        scorer = weighting.scorer(subsearcher, field, btext)
        if not hasattr(scorer, "idf"):
            return None
        scorers.append(_TermScorer(reader, field, btext, scorer, boost))
    return scorers


def _matching(searcher, q: wq.Query, docnums: list[int]) -> set[int]:
    """Those of the (sorted) docnums that q matches. Terms, OR's and AND's of them read
    only the posting blocks that can hold one of the docnums (Whoosh's skip_to steps
    through a block one posting at a time); any other query skips its matcher to each."""
    if type(q) is wq.Term:
        return _term_matching(searcher, q, docnums)
    if type(q) in (wq.Or, wq.And) and q.subqueries:
        parts = [_matching(searcher, sub, docnums) for sub in q.subqueries]
        return set.union(*parts) if type(q) is wq.Or else set.intersection(*parts)
    found: set[int] = set()
    position = 0
    for subsearcher, offset in searcher.leaf_searchers():
        end = offset + subsearcher.reader().doc_count_all()
        matcher = q.matcher(subsearcher, subsearcher.boolean_context())
        while position < len(docnums) and docnums[position] < end:
            docnum = docnums[position]
            position += 1
            if not matcher.is_active():
                continue
            matcher.skip_to(docnum - offset)
            if matcher.is_active() and matcher.id() == docnum - offset:
                found.add(docnum)
    return found


_BIT_PLANES = [bytes.maketrans(b"\x01", bytes([1 << bit])) for bit in range(8)]


def docnum_bitset(docnums: Iterable[int], size: int) -> BitSet:
    """The docnums as the BitSet Whoosh builds from them, packed at C speed (Whoosh adds
    one document at a time: 0.4 s for a million)."""
    flags = bytearray(size)
    for docnum in docnums:
        flags[docnum] = 1
    return _packed(flags)


def term_bitset(searcher, fieldname: str, text: str) -> BitSet:
    """The live documents holding a term, as docnum_bitset(searcher.docs_for_query(term))
    but decoded block by block (Whoosh's matcher steps one posting at a time: half a
    second for the million paragraphs of a 1M index, now 0.1 s with the packing)."""
    flags = bytearray(searcher.doc_count_all())
    field = searcher.schema[fieldname] if fieldname in searcher.schema else None
    btext = field.to_bytes(text) if field is not None else None
    for reader, offset in ([] if field is None else searcher.reader().leaf_readers()):
        if (fieldname, btext) not in reader:
            continue
        for ids, _ in _posting_blocks(reader, fieldname, btext):
            for docnum in ids:
                flags[offset + docnum] = 1
        for docnum in _deleted(reader):
            flags[offset + docnum] = 0
    return _packed(flags)


def _packed(flags: bytearray) -> BitSet:
    """A BitSet of the documents whose flag byte is 1."""
    packed = 0
    for bit in range(8):  # the flags of documents 8j + bit become bit `bit` of byte j
        packed |= int.from_bytes(flags[bit::8].translate(_BIT_PLANES[bit]), "little")
    return BitSet.from_bytes(packed.to_bytes((len(flags) + 7) // 8, "little"))


def _by_segment(searcher, docnums: list[int]) -> Iterator[tuple[object, int, list[int]]]:
    """(subsearcher, its first docnum, the sorted docnums in it as local numbers) for each
    segment holding one of the sorted global docnums."""
    position = 0
    for subsearcher, offset in searcher.leaf_searchers():
        end = offset + subsearcher.reader().doc_count_all()
        targets = []
        while position < len(docnums) and docnums[position] < end:
            targets.append(docnums[position] - offset)
            position += 1
        if targets:
            yield subsearcher, offset, targets


def _term_matching(searcher, term: wq.Term, docnums: list[int]) -> set[int]:
    found: set[int] = set()
    field = searcher.schema[term.fieldname] if term.fieldname in searcher.schema else None
    if field is None:
        return found
    btext = field.to_bytes(term.text)
    for subsearcher, offset, targets in _by_segment(searcher, docnums):
        reader = subsearcher.reader()
        if (term.fieldname, btext) not in reader:
            continue
        deleted = _deleted(reader)
        matcher = _raw_matcher(reader, term.fieldname, btext)
        found.update(docnum + offset for docnum, _ in _postings_at(matcher, targets)
                     if docnum not in deleted)
    return found


def _postings_at(matcher, targets: list[int]) -> Iterator[tuple[int, float]]:
    """(docnum, weight) of those of the sorted target docnums that the term's matcher
    holds, decoding only the posting blocks that can hold one (a Whoosh 3 block's header
    gives its last document; Whoosh's skip_to would step through each block)."""
    if type(matcher) is not W3LeafMatcher:
        for docnum in targets:
            if not matcher.is_active():
                return
            matcher.skip_to(docnum)
            if matcher.is_active() and matcher.id() == docnum:
                yield docnum, matcher.weight()
        return
    index = 0
    while index < len(targets) and matcher.is_active():
        top = matcher.block_max_id()
        if top < targets[index]:
            matcher._next_block()  # reads the next block's header only
            continue
        block = dict(zip(*_decoded(matcher), strict=True))
        while index < len(targets) and targets[index] <= top:
            weight = block.get(targets[index])
            if weight is not None:
                yield targets[index], weight
            index += 1
        matcher._next_block()


def _raw_matcher(reader, field: str, btext: bytes):
    """The segment's own matcher for a term (deleted documents are the caller's job)."""
    terms = getattr(reader, "_terms", None)
    if terms is not None:
        return terms.matcher(field, btext, reader.schema[field].format)
    return reader.postings(field, btext)


@functools.lru_cache(maxsize=256)
def _length_norms(k1: float, b: float, avgfl: float) -> list[float]:
    """BM25's length normalisation for each length byte (the same few fields and average
    lengths come back query after query); Whoosh reads a missing length as 1."""
    return [k1 * ((1 - b) + b * byte_to_length(max(lbyte, 1)) / avgfl) for lbyte in range(256)]


class _TermScorer:
    """BM25 for one term in one segment, as Whoosh computes it, from the length bytes."""

    def __init__(self, reader, field: str, btext: bytes, scorer, boost: float) -> None:
        self.reader, self.field, self.btext, self.boost = reader, field, btext, boost
        self.lengths = _length_bytes(reader, field)
        k1 = scorer.K1
        self.norm = _length_norms(k1, scorer.B, scorer.avgfl)
        self.idf, self.k1_plus_1 = scorer.idf, k1 + 1
        # the most any posting can score: the highest weight at the shortest length byte
        # (one byte shorter, against rounding), a hair over for float error
        info = reader.term_info(field, btext)
        shortest = max(length_to_byte(info.min_length()) - 1, 1)
        top = info.max_weight()
        self.bound = boost * self.idf * (top * self.k1_plus_1) / (top + self.norm[shortest]) \
            * (1 + 1e-9)

    def score(self, docnum: int, tf: float) -> float:
        score = self.idf * ((tf * self.k1_plus_1) / (tf + self.norm[self.lengths[docnum]]))
        return score * self.boost if self.boost != 1.0 else score

    def add_all(self, scores: dict[int, float]) -> None:
        """Add this term's score to each of its documents."""
        lengths, norm, idf, k1_plus_1 = self.lengths, self.norm, self.idf, self.k1_plus_1
        get = scores.get
        for ids, weights in _posting_blocks(self.reader, self.field, self.btext):
            ids = list(ids)
            block = [idf * ((tf * k1_plus_1) / (tf + norm[lengths[docnum]]))
                     for docnum, tf in zip(ids, weights, strict=True)]
            if self.boost != 1.0:
                block = [score * self.boost for score in block]
            for docnum, score in zip(ids, block, strict=True):
                scores[docnum] = get(docnum, 0.0) + score

    def add_to(self, scores: dict[int, float]) -> None:
        """Add this term's score to the documents already in `scores` only."""
        matcher = _raw_matcher(self.reader, self.field, self.btext)
        for docnum, tf in _postings_at(matcher, sorted(scores)):
            scores[docnum] += self.score(docnum, tf)


def _segment_scores(terms: list[_TermScorer], limit: int, floor: float,
                    excluded: set[int] | frozenset[int], prune: bool) -> dict[int, float]:
    """Each document's score in one segment, or (prune) only those that can still make
    the top `limit`. MaxScore, term at a time: words are added in order of their highest
    possible score; once the words left could not lift a document that has none of the
    words so far above the limit-th best score (`floor` carries it over from the segments
    before), those words are added only to the documents that can still make it, and the
    rest are dropped. The blocks of common words then go mostly unread."""
    terms = sorted(terms, key=lambda term: -term.bound)
    # what the words after each one can add at most (summed afresh: 0.0 after the last,
    # where running subtraction leaves float dust that would drop a tie)
    after = [sum(term.bound for term in terms[i + 1:]) for i in range(len(terms))]
    scores: dict[int, float] = {}
    pruned = False
    for term, remaining in zip(terms, after, strict=True):
        if not pruned:
            term.add_all(scores)
            if not prune or not scores or remaining >= max(scores.values()):
                continue
        else:
            term.add_to(scores)
        threshold = max(floor, _kth_best(scores, limit, excluded))
        if remaining < threshold:
            pruned = True
            scores = {docnum: score for docnum, score in scores.items()
                      if score + remaining >= threshold and docnum not in excluded}
    return scores


def _kth_best(scores: dict[int, float], k: int, excluded: set[int] | frozenset[int]) -> float:
    """The k-th best score among documents not excluded; 0 when there are fewer."""
    values = scores.values() if not excluded else (
        score for docnum, score in scores.items() if docnum not in excluded)
    best = heapq.nlargest(k, values)
    return best[-1] if len(best) == k else 0.0


def _posting_blocks(reader, field: str, btext: bytes) -> Iterator[tuple]:
    """(ids, weights) of each posting block of a term, decoded as Whoosh 3's matcher
    does (delta-coded ids, weights None when all 1) with C-speed helpers; through the
    matcher's calls when the codec is another."""
    try:
        matcher = _raw_matcher(reader, field, btext)
    except TermNotFound:
        return
    if type(matcher) is W3LeafMatcher:
        while matcher.is_active():
            yield _decoded(matcher)
            matcher._next_block()
        return
    ids, weights = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    yield ids, weights


def _decoded(matcher: W3LeafMatcher) -> tuple:
    """The (ids, weights) of a Whoosh 3 matcher's current block, decoded as the matcher
    does (delta-coded ids, weights None when all 1) with C-speed helpers."""
    matcher._read_data()
    ids, weights = matcher._data[0], matcher._data[1]
    if not matcher._byteids:
        ids = accumulate(ids)
    if weights is None or isinstance(weights, float):
        weights = repeat(1.0 if weights is None else weights, matcher._blocklength)
    return ids, weights


def _length_bytes(reader, field: str) -> bytes:
    """The per-document length bytes of a field in one segment (one per document, 0 for
    none), read once per reader: 1 MB for a million documents."""
    perdoc = getattr(reader, "_perdoc", None)
    if isinstance(perdoc, W3PerDocReader):
        return length_bytes(perdoc, field)
    cache = reader.__dict__.setdefault("_wire_length_bytes", {})
    if field not in cache:
        cache[field] = bytes(length_to_byte(reader.doc_field_length(docnum, field) or 0)
                             for docnum in range(reader.doc_count_all()))
    return cache[field]


def _deleted(reader) -> set[int] | frozenset[int]:
    """The segment's deleted document numbers (postings keep them until a merge)."""
    if not reader.has_deletions():
        return frozenset()
    found = getattr(reader, "deleted_docs_set", None)
    if found is not None:
        return found
    return {docnum for docnum in range(reader.doc_count_all()) if reader.is_deleted(docnum)}
