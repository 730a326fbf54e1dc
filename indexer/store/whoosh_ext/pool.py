"""Posting groups: a writer's postings kept per field, in document order, until a commit.

Whoosh's pool keeps one tuple per posting and sorts them all at a commit; most of ours are a
story's fields repeated on each paragraph. Keeping groups of consecutive documents that share
one analysis, made into posting lists every few megabytes, holds more documents in the same
memory and sorts only terms. Past the pool's limit the postings are handed to Whoosh's pool,
which bounds memory as it always did.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from whoosh.system import emptybytes
from whoosh.writing import PostingPool


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
        # (compact), in arrays where they can be: about two thirds of the groups' memory
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


def spill_groups(writer) -> None:
    """Hand the grouped postings to Whoosh's posting pool, one posting at a time."""
    state = _state(writer)
    compact(state)
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


def compact(state: _WriterState) -> None:
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
    """A term's postings as compact keeps them, as lists."""
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
    writer's posting lists (compact) and from its pool's term lists (merged segments,
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


class FastPostingPool(PostingPool):
    """The posting pool's add without its asserts (the codec checks types again)."""

    def add(self, item):
        # item = (fieldname, tbytes, docnum, weight, vbytes); the size estimate is Whoosh's
        self.fieldnames.add(item[0])
        self.currentsize += 150 + len(item[0]) + 2 * len(item[1]) + len(item[4] or "")
        if self.currentsize > self.limit:
            self.save()
        self.current.append(item)
