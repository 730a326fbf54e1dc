"""A term's postings read a block at a time, for the term-at-a-time scorer
(indexer.search.disjunction).

Whoosh's matcher yields one posting per call and skip_to steps through every block; the
story pass scores whole posting lists and looks up a few documents in long ones. These read
a Whoosh 3 matcher's blocks directly: a block's header gives its last document, so a block
that holds no wanted document is never decoded, and a decoded block's ids and weights come
out with C-speed helpers. Other matchers (another codec, stock Whoosh) go through their
public calls.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from itertools import accumulate, repeat

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.reading import TermNotFound

from .guard import active


def postings_at(matcher, targets: list[int]) -> Iterator[tuple[int, float]]:
    """(docnum, weight) of those of the sorted target docnums that the term's matcher
    holds, decoding only the posting blocks that can hold one (a Whoosh 3 block's header
    gives its last document; Whoosh's skip_to would step through each block)."""
    if not block_readable(matcher):
        for docnum in targets:
            if not matcher.is_active():
                return
            matcher.skip_to(docnum)
            if matcher.is_active() and matcher.id() == docnum:
                yield docnum, matcher.weight()
        return
    wanted: set[int] | None = None
    index, count = 0, len(targets)
    while index < count and matcher.is_active():
        top = matcher.block_max_id()
        if top < targets[index]:
            matcher._next_block()  # reads the next block's header only
            continue
        end = bisect_right(targets, top, index)
        ids, weights = decoded_block(matcher)
        if (end - index) * 8 < matcher._blocklength:  # a few targets: look each up
            block = dict(zip(ids, weights))  # noqa: B905 - weights may repeat
            for docnum in targets[index:end]:
                weight = block.get(docnum)
                if weight is not None:
                    yield docnum, weight
        else:  # many: test each posting
            if wanted is None:
                wanted = set(targets)
            for docnum, weight in zip(ids, weights):  # noqa: B905 - weights may repeat
                if docnum in wanted:
                    yield docnum, weight
        index = end
        matcher._next_block()


def block_readable(matcher) -> bool:
    """Whether a matcher's blocks may be read through its private fields: a Whoosh 3
    matcher on a Whoosh our extensions were written for (else its public calls)."""
    return type(matcher) is W3LeafMatcher and active()


def term_info(reader, field: str, btext: bytes):
    """A segment's TermInfo of a term (its statistics and where its postings are), or
    None when the segment does not hold it: one lookup where `in` and then term_info
    make two."""
    try:
        return reader.term_info(field, btext)
    except TermNotFound:
        return None


def raw_matcher(reader, field: str, btext: bytes, info=None):
    """The segment's own matcher for a term (deleted documents are the caller's job),
    from its TermInfo when the caller holds it (no second lookup)."""
    terms = getattr(reader, "_terms", None) if active() else None
    if terms is not None:
        if info is not None:
            return terms._codec.postings_reader(terms._postfile, info,
                                                reader.schema[field].format,
                                                term=(field, btext))
        return terms.matcher(field, btext, reader.schema[field].format)
    return reader.postings(field, btext)


def posting_blocks(reader, field: str, btext: bytes, info=None) -> Iterator[tuple]:
    """(ids, weights) of each posting block of a term, decoded as Whoosh 3's matcher
    does (delta-coded ids, weights None when all 1) with C-speed helpers; through the
    matcher's calls when the codec is another."""
    try:
        matcher = raw_matcher(reader, field, btext, info)
    except TermNotFound:
        return
    if block_readable(matcher):
        while matcher.is_active():
            yield decoded_block(matcher)
            matcher._next_block()
        return
    ids, weights = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    yield ids, weights


def decoded_block(matcher: W3LeafMatcher) -> tuple:
    """The (ids, weights) of a Whoosh 3 matcher's current block, decoded as the matcher
    does (delta-coded ids, weights None when all 1) with C-speed helpers."""
    matcher._read_data()
    ids, weights = matcher._data[0], matcher._data[1]
    if not matcher._byteids:
        ids = accumulate(ids)
    if weights is None or isinstance(weights, float):
        weights = repeat(1.0 if weights is None else weights, matcher._blocklength)
    return ids, weights
