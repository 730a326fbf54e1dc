"""Top documents for a plain disjunction of words, scored term at a time.

The story pass of a query (indexer.search.ranking) ranks story records for a handful of words,
each searched in a few fields. Whoosh scores such a query document at a time through a
tree of union matchers, a few Python calls per posting and more per block it skips: most
of a query's time on a large index. Here each word's posting blocks are decoded
once and summed into one score per document with BM25F (indexer.bm25f.GroupScorer) from
the length bytes Whoosh stores per document: the same scores as the FieldGroup matcher
gives on Whoosh's path, at a fraction of the cost a posting.

Only disjunctions of words (FieldGroups of terms, OR'ed with any boosts) take this path;
`top_documents` returns None for anything else (phrases, wildcards, AND, NOT) and the
caller asks Whoosh.
"""

from __future__ import annotations

import functools
import heapq
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import mul, neg
from typing import Any

import whoosh.query as wq
from whoosh.idsets import BitSet
from whoosh.util.numeric import length_to_byte

from ..store.whoosh_ext.postings import posting_blocks, postings_at, raw_matcher, term_info
from . import budget
from .bm25f import BM25FModel, FieldGroup, GroupScorer, length_bytes_of
from .filters import Filtered, date_test


@dataclass(frozen=True)
class TopDocuments:
    """Best documents first as (global docnum, score); `exhausted` when every document
    the query matches (and the filters allow) is in the list."""

    ranked: list[tuple[int, float]]
    exhausted: bool


@dataclass(frozen=True)
class Word:
    """One word of a disjunction: (field, text, weight) for each field it is searched in,
    its boost, and whether it is the user's (not a feedback word)."""

    parts: tuple[tuple[str, str, float], ...]
    boost: float
    answering: bool = True
    named: bool = False  # in a field the query named


def query_words(q: wq.Query, boost: float = 1.0) -> list[Word] | None:
    """The words of a disjunction of FieldGroups of terms, or None if q is anything
    else. A one-clause Or ignores its own boost, as Whoosh's compound matcher does."""
    if type(q) is FieldGroup:
        if not q.subqueries or any(type(sub) is not wq.Term for sub in q.subqueries):
            return None
        return [Word(tuple((sub.fieldname, sub.text, sub.boost) for sub in q.subqueries),
                     boost * q.boost, q.answering, q.named)]
    if type(q) is wq.Or and not q.minmatch and q.scale is None:
        subs = q.subqueries
        inner = boost * q.boost if len(subs) > 1 else boost
        words: list[Word] = []
        for sub in subs:
            found = query_words(sub, inner)
            if found is None:
                return None
            words.extend(found)
        return words
    return None


def top_documents(searcher, q: wq.Query, limit: int,
                  mask: set[int] | None = None, prune: bool = True) -> TopDocuments | None:
    """The `limit` best documents for q (a disjunction of words, optionally Filtered),
    excluding `mask`; ties go to the lower docnum, as in Whoosh. None when q has another
    shape or the searcher does not weigh by BM25F. `prune=False` scores every document
    (the exact answer MaxScore pruning must give)."""
    plain = _plain_disjunction(searcher, q)
    if plain is None:
        return None
    words, allow_query, dates = plain
    groups = _group_scorers(searcher, words)
    allow, allowed = None, None
    if allow_query is not None:
        reader = searcher.reader()
        allow = allow_query.simplify(reader)  # wildcards expanded once
        if allow.estimate_size(reader) <= NARROW_FILTER:
            # a narrow filter (a person, a rare tag): its documents, looked up once
            allowed = set(searcher.docs_for_query(allow))
    scores: dict[int, float] = {}
    for subsearcher, offset in searcher.leaf_searchers():
        budget.check()  # a segment's work at a time, within the query's budget
        reader = subsearcher.reader()
        word_scorers = _segment_words(reader, words, groups)
        if not word_scorers:
            continue
        deleted = _deleted(reader)
        end = offset + reader.doc_count_all()
        gone: set[int] | frozenset[int] = deleted
        if mask:
            gone = set(deleted) | {d - offset for d in mask if offset <= d < end}
        excluded: set[int] | frozenset[int] | _Outside = gone
        if allow is not None or dates is not None:
            # the filters decide which documents count toward the limit-th best score,
            # tested on the documents pruning asks about: pruning stays exact
            excluded = _Outside(searcher, offset, gone, allow, allowed,
                                date_test(subsearcher, dates))
        # the limit-th best of the segments before (their excluded documents already
        # left out) is a floor for this one's
        floor = _kth_best(scores, limit, frozenset()) if prune and scores else 0.0
        local = _segment_scores(word_scorers, limit, floor, excluded, prune)
        if excluded:
            _resolve(excluded, local)
            local = {docnum: score for docnum, score in local.items()
                     if docnum not in excluded}
        if offset:
            scores.update((docnum + offset, score) for docnum, score in local.items())
        else:
            scores.update(local)
    # (score, -docnum) compares in C: best score first, then the lower docnum
    best = heapq.nlargest(limit, zip(scores.values(), map(neg, scores.keys()), strict=True))
    return TopDocuments([(-negdoc, score) for score, negdoc in best], len(best) < limit)


NARROW_FILTER = 10_000  # documents: a filter this small is read whole, a larger one tested


class _Outside:
    """The documents of one segment a query leaves out: deleted or masked ones (`gone`),
    and those its filters do not allow: a date window tested on the date column, and
    an allow query either read whole (`allowed`, global docnums) or tested in batches
    on the documents asked about (reading only the posting blocks that hold them)."""

    def __init__(self, searcher, offset: int, gone: set[int] | frozenset[int],
                 allow: wq.Query | None, allowed: set[int] | None,
                 within: Callable[[int], bool] | None) -> None:
        self.searcher, self.offset, self.gone = searcher, offset, gone
        self.allow, self.allowed, self.within = allow, allowed, within
        self.passes: dict[int, bool] = {}  # local docnum -> allowed by the filters

    def __bool__(self) -> bool:
        return True

    def resolve(self, docnums: Iterable[int]) -> None:
        """Test those of the local docnums not tested yet, all at once."""
        known, gone, offset = self.passes, self.gone, self.offset
        unknown = [docnum for docnum in docnums if docnum not in known and docnum not in gone]
        if not unknown:
            return
        passing = unknown
        if self.within is not None:
            passing = [docnum for docnum in passing if self.within(docnum)]
        if self.allowed is not None:
            passing = [docnum for docnum in passing if docnum + offset in self.allowed]
        elif self.allow is not None and passing:
            found = _matching(self.searcher, self.allow,
                              sorted(docnum + offset for docnum in passing))
            passing = [docnum for docnum in passing if docnum + offset in found]
        known.update(dict.fromkeys(unknown, False))
        known.update(dict.fromkeys(passing, True))

    def __contains__(self, docnum: object) -> bool:
        if docnum in self.gone:
            return True
        allowed = self.passes.get(docnum)  # type: ignore[call-overload]
        if allowed is None:
            self.resolve([docnum])  # type: ignore[list-item]
            allowed = self.passes[docnum]  # type: ignore[index]
        return not allowed


def _resolve(excluded: object, docnums: Iterable[int]) -> None:
    """Let a filter test a batch of documents before they are asked about one by one."""
    if isinstance(excluded, _Outside):
        excluded.resolve(docnums)


def matching_documents(searcher, q: wq.Query) -> list[int] | None:
    """Every live document q (a disjunction of words, optionally Filtered) matches, in
    order: each word's posting lists decoded block by block and joined, the filters
    tested on the documents found (the blocks that hold them). None for another query
    (the caller asks Whoosh, whose matchers step one posting at a time)."""
    plain = _plain_disjunction(searcher, q)
    if plain is None:
        return None
    words, allow_query, dates = plain
    found: set[int] = set()
    for word in words:
        for field, text, _ in word.parts:
            found.update(term_docnums(searcher, field, text))
    return _passing(searcher, sorted(found), allow_query, dates)


def _passing(searcher, docnums: list[int], allow_query: wq.Query | None,
             dates: tuple | None) -> list[int]:
    """Those of the sorted global docnums that a Filtered's filters allow: the allow
    query tested on them (the posting blocks that hold them), the date window on the
    date column of their segments."""
    if allow_query is not None:
        allowed = _matching(searcher, allow_query.simplify(searcher.reader()), docnums)
        docnums = [docnum for docnum in docnums if docnum in allowed]
    if dates is not None:
        within: list[int] = []
        for subsearcher, offset, targets in _by_segment(searcher, docnums):
            test = date_test(subsearcher, dates)
            within.extend(offset + docnum for docnum in targets
                          if test is None or test(docnum))
        docnums = within
    return docnums


@dataclass(frozen=True)
class ScoredDocuments:
    """Scores of some documents, and those a word of the user's (not a feedback word)
    matched in one of the fields asked about (a paragraph's own text)."""

    scores: dict[int, float]
    answered: set[int]


def score_documents(searcher, q: wq.Query, docnums: list[int],
                    mask: set[int] | None = None,
                    own_fields: frozenset[str] = frozenset()) -> ScoredDocuments | None:
    """The scores q (a disjunction of words, optionally Filtered) gives those of the sorted
    global docnums it matches, mask excluded: what Whoosh's matcher would score them,
    reading only the posting blocks that can hold one of them. None when q has another
    shape (the caller asks Whoosh). The paragraph pass scores its candidates so."""
    plain = _plain_disjunction(searcher, q)
    if plain is None:
        return None
    words, allow_query, dates = plain
    groups = _group_scorers(searcher, words)
    if mask:
        docnums = [docnum for docnum in docnums if docnum not in mask]
    docnums = _passing(searcher, docnums, allow_query, dates)
    scores: dict[int, float] = {}
    answered: set[int] = set()
    for subsearcher, offset, targets in _by_segment(searcher, docnums):
        budget.check()  # a segment's work at a time, within the query's budget
        reader = subsearcher.reader()
        deleted = _deleted(reader)
        targets = [docnum for docnum in targets if docnum not in deleted]
        local: dict[int, float] = {}
        for word in _segment_words(reader, words, groups):  # in the query's order
            frequencies = word.frequencies_at(targets, own_fields if word.answering else None,
                                              answered, offset)
            saturate = word.group.saturate
            for docnum, tf in frequencies.items():
                local[docnum] = local.get(docnum, 0.0) + saturate(tf)
        scores.update((docnum + offset, score) for docnum, score in local.items())
    return ScoredDocuments(scores, answered)


def _plain_disjunction(searcher, q: wq.Query) -> tuple[list[Word], wq.Query | None,
                                                      tuple | None] | None:
    """(words, allow query, date window) of a disjunction of words in BM25F-scored fields,
    optionally Filtered; None for any other query or weighting."""
    allow_query, dates = None, None
    if isinstance(q, Filtered):
        q, allow_query, dates = q.child, q.allow, q.dates
    words = query_words(q)
    schema = searcher.schema
    if words is None or not isinstance(searcher.weighting, BM25FModel) or any(
            field not in schema or not schema[field].scorable
            for word in words for field, _, _ in word.parts):
        return None
    return words, allow_query, dates


def _group_scorers(searcher, words: list[Word]) -> list[GroupScorer]:
    """Each word's BM25F scorer, from the whole index's statistics."""
    schema = searcher.schema
    return [searcher.weighting.group(searcher, [(field, schema[field].to_bytes(text), weight)
                                                for field, text, weight in word.parts],
                                     word.boost)
            for word in words]


def _segment_words(reader, words: list[Word], groups: list[GroupScorer]) -> list[_SegmentWord]:
    """A scorer for each word that the segment holds in at least one of its fields."""
    found = []
    for word, group in zip(words, groups, strict=True):
        parts: list[tuple[str, bytes, Sequence[float], Any]] = []
        for field, btext, table in group.fields:
            info = term_info(reader, field, btext) if btext is not None else None
            if btext is not None and info is not None:
                parts.append((field, btext, table, info))
        if parts:
            found.append(_SegmentWord(reader, parts, group, word.answering))
    return found


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
        budget.check()  # a segment's work at a time, within the query's budget
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
    one document at a time)."""
    flags = bytearray(size)
    for docnum in docnums:
        flags[docnum] = 1
    return _packed(flags)


def term_bitset(searcher, fieldname: str, text: str) -> BitSet:
    """The live documents holding a term, as docnum_bitset(searcher.docs_for_query(term))
    but decoded block by block (Whoosh's matcher steps one posting at a time, and a kind's
    term names every paragraph)."""
    flags = bytearray(searcher.doc_count_all())
    if fieldname not in searcher.schema:
        return _packed(flags)
    btext = searcher.schema[fieldname].to_bytes(text)
    for reader, offset in searcher.reader().leaf_readers():
        budget.check()  # a segment's work at a time, within the query's budget
        if (fieldname, btext) not in reader:
            continue
        for ids, _ in posting_blocks(reader, fieldname, btext):
            for docnum in ids:
                flags[offset + docnum] = 1
        for docnum in _deleted(reader):
            flags[offset + docnum] = 0
    return _packed(flags)


def term_docnums(searcher, fieldname: str, text: str) -> list[int]:
    """The live documents holding a term, in order, decoded block by block (the
    searcher's docs_for_query builds a matcher and steps it one posting at a time)."""
    field = searcher.schema[fieldname] if fieldname in searcher.schema else None
    if field is None:
        return []
    btext = field.to_bytes(text)
    found: list[int] = []
    for reader, offset in searcher.reader().leaf_readers():
        budget.check()  # a segment's work at a time, within the query's budget
        if (fieldname, btext) not in reader:
            continue
        deleted = _deleted(reader)
        for ids, _ in posting_blocks(reader, fieldname, btext):
            found.extend(offset + docnum for docnum in ids if docnum not in deleted)
    return found


def _packed(flags: bytearray) -> BitSet:
    """A BitSet of the documents whose flag byte is 1."""
    packed = 0
    for bit in range(8):  # the flags of documents 8j + bit become bit `bit` of byte j
        packed |= int.from_bytes(flags[bit::8].translate(_BIT_PLANES[bit]), "little")
    return BitSet.from_bytes(packed.to_bytes((len(flags) + 7) // 8, "little"))


def _by_segment(searcher, docnums: list[int]) -> Iterator[tuple[Any, int, list[int]]]:
    """(subsearcher, its first docnum, the sorted docnums in it as local numbers) for each
    segment holding one of the sorted global docnums."""
    position = 0
    for subsearcher, offset in searcher.leaf_searchers():
        budget.check()  # a segment's work at a time, within the query's budget
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
        budget.check()  # a segment's work at a time, within the query's budget
        reader = subsearcher.reader()
        if (term.fieldname, btext) not in reader:
            continue
        deleted = _deleted(reader)
        matcher = raw_matcher(reader, term.fieldname, btext)
        found.update(docnum + offset for docnum, _ in postings_at(matcher, targets)
                     if docnum not in deleted)
    return found


class _SegmentWord:
    """BM25F for one word in one segment: its fields' postings summed into tf~ per
    document (GroupScorer's tables, from the length bytes), then saturated once."""

    def __init__(self, reader, parts: list[tuple[str, bytes, Sequence[float], Any]],
                 group: GroupScorer, answering: bool) -> None:
        self.reader, self.group, self.answering = reader, group, answering
        # (field, term, table, length bytes, TermInfo) for each field holding the word
        self.parts = [(field, btext, table, length_bytes_of(reader, field), info)
                      for field, btext, table, info in parts]
        self.postings = sum(info.doc_frequency() for *_, info in self.parts)

    @functools.cached_property
    def bound(self) -> float:
        """The most any document can score: each field's highest weight at its shortest
        length byte (one byte shorter, against rounding), a hair over for float error."""
        top = 0.0
        for _, _, table, _, info in self.parts:
            shortest = max(length_to_byte(info.min_length()) - 1, 1)
            top += info.max_weight() * table[shortest]
        return self.group.saturate(top) * (1 + 1e-9)

    def frequencies(self) -> dict[int, float]:
        """tf~ of every document holding the word in one of its fields."""
        found: dict[int, float] = {}
        get = found.get
        for number, (field, btext, table, lengths, info) in enumerate(self.parts):
            for ids, weights in posting_blocks(self.reader, field, btext, info):
                ids = list(ids)
                # each posting's weighted, normalised frequency, in C-level maps: the
                # same products as tf * table[lengths[docnum]]
                values = map(mul, weights, map(table.__getitem__, map(lengths.__getitem__, ids)))
                if not number:  # the first field's documents are new: 0.0 + x is x
                    found.update(zip(ids, values, strict=True))
                    continue
                for docnum, value in zip(ids, values):  # noqa: B905 - both as long
                    found[docnum] = get(docnum, 0.0) + value
        return found

    def frequencies_at(self, targets: list[int], own_fields: frozenset[str] | None = None,
                       answered: set[int] | None = None, offset: int = 0) -> dict[int, float]:
        """tf~ of those of the sorted targets holding the word; targets matched in one of
        `own_fields` are added to `answered` (global docnums: local + offset)."""
        found: dict[int, float] = {}
        get = found.get
        for field, btext, table, lengths, info in self.parts:
            matcher = raw_matcher(self.reader, field, btext, info)
            mark = answered if own_fields is not None and field in own_fields else None
            for docnum, tf in postings_at(matcher, targets):
                found[docnum] = get(docnum, 0.0) + tf * table[lengths[docnum]]
                if mark is not None:
                    mark.add(docnum + offset)
        return found

    def add_all(self, scores: dict[int, float]) -> None:
        """Add this word's score to each of its documents."""
        factor, k1 = self.group.factor, self.group.k1
        frequencies = self.frequencies()
        if not scores:  # the first word: 0.0 + x is x
            scores.update((docnum, factor * tf / (k1 + tf)) for docnum, tf in frequencies.items())
            return
        get = scores.get
        for docnum, tf in frequencies.items():
            scores[docnum] = get(docnum, 0.0) + factor * tf / (k1 + tf)

    def add_to(self, scores: dict[int, float]) -> None:
        """Add this word's score to the documents already in `scores` only: looked up
        one by one when they are few beside the word's postings, else the word's whole
        lists decoded and met with them in a set intersection (C speed both)."""
        factor, k1 = self.group.factor, self.group.k1
        if len(scores) * 16 < self.postings:
            found = self.frequencies_at(sorted(scores))
            for docnum, tf in found.items():
                scores[docnum] += factor * tf / (k1 + tf)
            return
        found = self.frequencies()
        for docnum in scores.keys() & found.keys():
            tf = found[docnum]
            scores[docnum] += factor * tf / (k1 + tf)


def _segment_scores(terms: list[_SegmentWord], limit: int, floor: float,
                    excluded: set[int] | frozenset[int] | _Outside, prune: bool
                    ) -> dict[int, float]:
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
            if not prune or not scores or remaining >= max(floor, max(scores.values())):
                continue
        else:
            term.add_to(scores)
        _resolve(excluded, scores)
        threshold = max(floor, _kth_best(scores, limit, excluded))
        if remaining < threshold:
            pruned = True
            scores = {docnum: score for docnum, score in scores.items()
                      if score + remaining >= threshold and docnum not in excluded}
    return scores


def _kth_best(scores: dict[int, float], k: int,
              excluded: set[int] | frozenset[int] | _Outside) -> float:
    """The k-th best score among documents not excluded; 0 when there are fewer."""
    values = scores.values() if not excluded else (
        score for docnum, score in scores.items() if docnum not in excluded)
    best = heapq.nlargest(k, values)
    return best[-1] if len(best) == k else 0.0


def _deleted(reader) -> set[int] | frozenset[int]:
    """The segment's deleted document numbers (postings keep them until a merge)."""
    if not reader.has_deletions():
        return frozenset()
    found = getattr(reader, "deleted_docs_set", None)
    if found is not None:
        return found
    return {docnum for docnum in range(reader.doc_count_all()) if reader.is_deleted(docnum)}
