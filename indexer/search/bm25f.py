"""BM25F: one word searched in several fields, scored as one saturated term frequency.

Robertson, Zaragoza and Taylor (2004), as Pérez-Agüera et al. (2010) write it: for each
word of the query, each field's term frequency is normalised by that field's own length
(its own b and average length) and weighted, the weighted frequencies are summed, and
the sum is saturated once (k1) and multiplied by one idf:

    tf~(w, d) = sum over fields f: weight_f * tf_f(w, d) / ((1 - b_f) + b_f * len_f(d) / avg_f)
    score(w, d) = idf(w) * tf~ * (k1 + 1) / (k1 + tf~)

Whoosh's own `BM25F` saturates each field on its own and adds the fields' scores, so a
story whose one query word stands in both headline and body outranked a story holding
every word of the query.

A word searched in several fields is a FieldGroup query (the query parser makes one for
each word it spreads over the default fields; a word in one named field is a group of one).
Its Whoosh matcher scores with GroupScorer; the term-at-a-time scorer (indexer.search.disjunction)
uses the same GroupScorer on the same length bytes, so both give the same scores.
"""

from __future__ import annotations

import functools
import heapq
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from whoosh import matching, scoring
from whoosh import query as wq
from whoosh.util.numeric import byte_to_length

from ..store.whoosh_ext import length_bytes
from . import budget


@dataclass(frozen=True)
class FieldSpec:
    """A field's weight in its BM25F sum and its length normalisation b."""

    name: str
    weight: float = 1.0
    b: float = 0.75


@functools.lru_cache(maxsize=1024)
def _field_table(weight: float, b: float, avgfl: float) -> tuple[float, ...]:
    """weight / length normalisation for each of the 256 length bytes Whoosh stores (a
    missing length reads as 1, as in Whoosh's scorers)."""
    return tuple(weight / ((1 - b) + b * byte_to_length(max(lbyte, 1)) / avgfl)
                 for lbyte in range(256))


class GroupScorer:
    """BM25F for one word (or phrase) over some fields of one kind of document.

    `fields` are (fieldname, term bytes or None, table) with `table[length byte]` the
    field's weight over its length normalisation; the term bytes are None for a phrase or
    a pattern, whose frequency comes from its matcher."""

    __slots__ = ("bound_factor", "factor", "fields", "idf", "k1")

    def __init__(self, idf: float, k1: float, boost: float,
                 fields: list[tuple[str, bytes | None, Sequence[float]]]) -> None:
        self.idf, self.k1, self.fields = idf, k1, fields
        self.factor = idf * boost * (k1 + 1)

    def saturate(self, tf: float) -> float:
        return self.factor * tf / (self.k1 + tf)


class BM25FModel(scoring.WeightingModel):
    """The weighting of a searcher over this index: BM25F groups (FieldGroup) and, for a
    term Whoosh scores alone, BM25 with that field's b.

    Statistics are each kind of document's own: `doc_counts` gives the documents that
    carry a field (paragraphs for `body`, stories for `fulltext`), and a field's average
    length is its total over those. Whoosh's own would count every record of the index
    (paragraphs, stories and file records alike)."""

    def __init__(self, doc_counts: dict[str, int], b: dict[str, float] | None = None,
                 k1: float = 1.2) -> None:
        self.doc_counts = doc_counts
        self.b = b or {}
        self.k1 = k1

    def supports_block_quality(self) -> bool:
        return False

    def word_idf(self, n: int, df: int) -> float:
        # Robertson-Sparck Jones, kept positive (as Lucene's): a word in most documents
        # still counts a little, never against a document
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def _documents(self, searcher, fieldname: str) -> int:
        return self.doc_counts.get(fieldname) or searcher.doc_count_all() or 1

    def table(self, searcher, fieldname: str, weight: float) -> Sequence[float]:
        count = self._documents(searcher, fieldname)
        avgfl = searcher.field_length(fieldname) / count or 1.0
        return _field_table(weight, self.b.get(fieldname, 0.75), avgfl)

    def group(self, searcher, parts: list[tuple[str, bytes | None, float]], boost: float,
              df: int | None = None) -> GroupScorer:
        """The scorer of a word whose (field, term bytes, weight) parts are given. Its idf
        is over the documents of the first part's kind (stories, paragraphs), from the
        largest document frequency among the parts of that kind (or the others', when
        none of those holds the word); `df` instead for a phrase or a pattern."""
        top = searcher.get_parent()
        n = self._documents(top, parts[0][0])
        if df is None:
            native = [top.doc_frequency(name, btext) for name, btext, _ in parts
                      if btext is not None and self._documents(top, name) == n]
            df = max(native, default=0) or max(
                (top.doc_frequency(name, btext) for name, btext, _ in parts
                 if btext is not None), default=0)
        idf = self.word_idf(n, min(max(df, 1), n))
        return GroupScorer(idf, self.k1, boost,
                           [(name, btext, self.table(top, name, weight))
                            for name, btext, weight in parts])

    def scorer(self, searcher, fieldname, text, qf=1):
        """A term Whoosh scores on its own (more-like-this, a term built by hand): a
        FieldGroup of one field, weight 1."""
        if not searcher.schema[fieldname].scorable:
            return scoring.WeightScorer.for_(searcher, fieldname, text)
        return _OneFieldScorer(searcher, self.group(searcher, [(fieldname, text, 1.0)], 1.0))


class _OneFieldScorer(scoring.BaseScorer):
    def __init__(self, searcher, group: GroupScorer) -> None:
        self.group = group
        name, _, self.table = group.fields[0]
        self.lengths = length_bytes_of(searcher.reader(), name)

    def supports_block_quality(self) -> bool:
        return False

    def score(self, matcher) -> float:
        return self.group.saturate(matcher.weight() * self.table[self.lengths[matcher.id()]])


def length_bytes_of(reader, fieldname: str) -> bytes:
    """A field's length byte for each document of a segment (0: none)."""
    perdoc = getattr(reader, "_perdoc", None)
    if perdoc is not None and hasattr(perdoc, "_cached_reader"):
        return length_bytes(perdoc, fieldname)
    cache = reader.__dict__.setdefault("_wire_length_bytes", {})
    if fieldname not in cache:
        from whoosh.util.numeric import length_to_byte

        cache[fieldname] = bytes(length_to_byte(reader.doc_field_length(docnum, fieldname)
                                                or 0)
                                 for docnum in range(reader.doc_count_all()))
    return cache[fieldname]


# -- the query


class FieldGroup(wq.CompoundQuery):
    """One word, phrase or pattern of a query in several fields, scored by BM25F.

    Each subquery searches one field; its boost is that field's weight in the sum.
    `answering` is False for the words that feedback adds: a paragraph matching only
    those does not answer the query (indexer.search.ranking). `named` marks a word the query
    put in a field of its own choosing (`body:flour`), not spread over the defaults."""

    JOINT = " | "
    intersect_merge = False

    def __init__(self, subqueries: Iterable[wq.Query], boost: float = 1.0,
                 answering: bool = True, named: bool = False) -> None:
        super().__init__(list(subqueries), boost=boost)
        self.answering = answering
        self.named = named

    def __eq__(self, other) -> bool:
        return (super().__eq__(other) and self.answering == other.answering
                and self.named == other.named)

    def __hash__(self) -> int:
        return super().__hash__() ^ hash((self.answering, self.named))

    def _like(self, subs: list[wq.Query]) -> FieldGroup:
        return FieldGroup(subs, boost=self.boost, answering=self.answering, named=self.named)

    def normalize(self) -> wq.Query:
        subs = [sub.normalize() for sub in self.subqueries]
        subs = [sub for sub in subs if sub is not wq.NullQuery]
        if not subs:
            return wq.NullQuery
        return self._like(subs)

    def simplify(self, ixreader) -> wq.Query:
        return self  # a pattern's expansion is the matcher's job, within the group

    def apply(self, fn) -> FieldGroup:
        return self._like([fn(sub) for sub in self.subqueries])

    def estimate_size(self, ixreader) -> int:
        return sum(sub.estimate_size(ixreader) for sub in self.subqueries)

    def terms_by_field(self) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for sub in self.subqueries:
            for fieldname, text in sub.iter_all_terms():
                found.setdefault(fieldname, set()).add(text)
        return found

    def _searchable(self, schema) -> list[wq.Query]:
        """The subqueries the schema can answer: a phrase in a field without positions
        (people, tags) matches nothing rather than failing the query."""
        subs = []
        for sub in self.subqueries:
            fieldname = sub.field()  # None for a query over several fields: not ours
            if fieldname not in schema:
                continue
            fmt = schema[fieldname].format
            if isinstance(sub, wq.Phrase) and not (fmt and fmt.supports("positions")):
                continue
            subs.append(sub)
        return subs

    def matcher(self, searcher, context=None):
        weighting = context.weighting if context else searcher.weighting
        subqueries = self._searchable(searcher.schema)
        if not isinstance(weighting, BM25FModel):
            # an unscored search, or another weighting (stock Whoosh's): the fields' OR
            if not subqueries:
                return matching.NullMatcher()
            return wq.Or(subqueries, boost=self.boost).matcher(searcher, context)
        reader = searcher.reader()
        # the group's statistics are the whole index's, from all of its fields, whichever
        # of them this segment holds
        schema = searcher.schema
        described = [(sub.field(), schema[sub.field()].to_bytes(sub.text)
                      if type(sub) is wq.Term else None, sub.boost) for sub in subqueries]
        patterns = [sub for sub in subqueries if type(sub) is not wq.Term]
        df = None
        if patterns and all(btext is None for _, btext, _ in described):
            df = _estimated_df(searcher.get_parent(), patterns)
        group = weighting.group(searcher, described, self.boost, df=df)
        children = []
        for sub, (fieldname, btext, _), (_, _, table) in zip(subqueries, described,
                                                             group.fields, strict=True):
            lengths = length_bytes_of(reader, fieldname)
            if btext is not None:
                # the raw postings: this group scores them (a leaf searcher's own
                # weighting is the one it was made with, not the top searcher's)
                if (fieldname, btext) in reader:
                    children.append((reader.postings(fieldname, btext), True, table, lengths))
            elif isinstance(sub, wq.MultiTerm):
                # a pattern: each of its terms in the field, under the pattern's idf
                for _, term in sub.expanded_terms(reader):
                    children.append((reader.postings(fieldname, term), True, table, lengths))
            else:  # a phrase (its occurrences), or a range (matched as Whoosh matches it)
                matcher = sub.with_boost(1.0).matcher(searcher, searcher.boolean_context())
                children.append((matcher, False, table, lengths))
        children = [child for child in children if child[0].is_active()]
        if not children:
            return matching.NullMatcher()
        return FieldGroupMatcher(children, group)


def _estimated_df(searcher, subs: list[wq.Query]) -> int:
    """Documents a phrase or pattern may match: its rarest word's, or its terms' count
    (0 when unknown: a range, whose idf is then the highest)."""
    reader = searcher.reader()
    best = 0
    for sub in subs:
        if isinstance(sub, wq.Phrase):
            field = searcher.schema[sub.fieldname]
            found = [reader.doc_frequency(sub.fieldname, field.to_bytes(word))
                     for word in sub.words]
            estimate = min(found) if found else 0
        else:
            estimate = sub.estimate_size(reader)
        best = max(best, estimate)
    return best


class FieldGroupMatcher(matching.Matcher):
    """The union of a word's field matchers, scored by BM25F (GroupScorer).

    `children` are (matcher, is a term, table, length bytes): a term's frequency is its
    posting's weight, a phrase's the number of times it occurs (a pattern is its terms)."""

    def __init__(self, children: list[tuple], group: GroupScorer) -> None:
        self._matchers = children
        self.group = group
        # the children past the current document, by their next one: a pattern may stand
        # for a thousand terms, and a scan of every child at every step made its query's
        # cost the product of its matches and its terms
        self._heap = [(matcher.id(), number) for number, (matcher, *_) in enumerate(children)
                      if matcher.is_active()]
        heapq.heapify(self._heap)
        self._steps = 0
        self._settle()

    def _settle(self) -> None:
        """Take the children at the smallest next document off the heap: the current
        ones (in their given order, so that their sum is always taken in one order)."""
        heap = self._heap
        if not heap:
            self._here, self._at = -1, []
            return
        current = heap[0][0]
        at = []
        while heap and heap[0][0] == current:
            at.append(heapq.heappop(heap)[1])
        at.sort()
        self._here, self._at = current, at

    def _advance(self, number: int, target: int | None) -> None:
        matcher = self._matchers[number][0]
        if target is None:
            matcher.next()
        else:
            matcher.skip_to(target)
        if matcher.is_active():
            heapq.heappush(self._heap, (matcher.id(), number))

    def is_active(self) -> bool:
        return self._here >= 0

    def id(self) -> int:
        return self._here

    def next(self) -> None:
        for number in self._at:
            self._advance(number, None)
        self._settle()
        self._steps += 1
        if not self._steps & 4095:  # inside Whoosh's collector: the query's time budget
            budget.check()

    def skip_to(self, target: int) -> None:
        if not self.is_active() or target <= self._here:
            return
        for number in self._at:
            self._advance(number, target)
        heap = self._heap
        while heap and heap[0][0] < target:
            self._advance(heapq.heappop(heap)[1], target)
        self._settle()

    def _current(self):
        return [self._matchers[number] for number in self._at]

    def tf(self) -> float:
        """The weighted, length-normalised frequency summed over the fields (tf~)."""
        total = 0.0
        current = self._here
        for matcher, is_term, table, lengths in self._current():
            freq = matcher.weight() if is_term else float(_occurrences(matcher))
            total += freq * table[lengths[current]]
        return total

    def score(self) -> float:
        return self.group.saturate(self.tf())

    def weight(self) -> float:
        return sum(matcher.weight() for matcher, *_ in self._current())

    def children(self) -> list:
        return [matcher for matcher, *_ in self._matchers]

    def copy(self) -> FieldGroupMatcher:
        return FieldGroupMatcher([(matcher.copy(), *rest) for matcher, *rest in self._matchers],
                                 self.group)

    def supports_block_quality(self) -> bool:
        return False

    def max_quality(self) -> float:
        # tf~ / (k1 + tf~) < 1: a bound Whoosh's union matchers may prune with
        return self.group.factor

    def supports(self, astype: str) -> bool:
        return all(matcher.supports(astype) for matcher, *_ in self._matchers)

    def value(self):
        return self._current()[0][0].value()

    def value_as(self, astype):
        return self._current()[0][0].value_as(astype)

    def spans(self):
        return sorted(span for matcher, *_ in self._current() for span in matcher.spans())

    def all_ids(self):
        while self.is_active():
            yield self.id()
            self.next()

    def reset(self) -> None:
        for matcher, *_ in self._matchers:
            matcher.reset()
        self._update()

    def __repr__(self) -> str:
        return f"FieldGroupMatcher({[m for m, *_ in self._matchers]!r})"


def _occurrences(matcher) -> int:
    """How often a phrase (or another query without frequencies) occurs in the document."""
    try:
        return len(matcher.spans()) or 1
    except Exception:  # no positions: it matches, once
        return 1


