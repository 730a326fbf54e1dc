"""Pseudo-relevance feedback: RM3's relevance model and the query it expands.

The words of a query's best stories (its first story pass), each story's words weighed by
its score, join the query at `1 - feedback_weight` of its weight (Lavrenko and Croft's
relevance model, interpolated as Anserini does). indexer.search.ranking decides when
feedback applies and runs the passes; this module builds the model and the expanded
queries, and rescores a first pass's stories where a ranking asks for a fixed depth.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from whoosh import query as wq
from whoosh.query import Term

from ..store.schema import KIND, KIND_STORY, decode_terms
from .bm25f import FieldGroup, FieldSpec, length_bytes_of
from .disjunction import query_words
from .filters import Filtered
from .params import RankingParams

_FEEDBACK_WORD_RE = re.compile(rb"[a-z0-9]{2,20}")


def relevance_model(searcher, params: RankingParams, stories: list[tuple[int, str, float]],
                    story_terms: Callable[[int], tuple[bytes, bytes]],
                    usable: dict[bytes, bool]) -> list[tuple[str, float]]:
    """RM3's expansion words from the best stories: each story's words (its text and
    headline, those in at most feedback_max_df of the stories) as a distribution
    kept to its feedback_terms likeliest, weighed by the story's score, summed, kept
    to the feedback_terms likeliest and normalised. `usable` remembers, per searcher,
    whether a word may feed back."""
    limit = params.feedback_max_df * (searcher.doc_frequency(KIND, KIND_STORY) or 1)
    totals: dict[bytes, float] = {}
    for docnum, _, score in stories[:params.feedback_stories]:
        counts: Counter[bytes] = Counter()
        for words in decode_terms(b"\n".join(story_terms(docnum))):
            counts.update(words)
        kept: Counter[bytes] = Counter()
        for word, count in counts.items():
            known = usable.get(word)
            if known is None:
                known = usable[word] = bool(_FEEDBACK_WORD_RE.fullmatch(word)) and \
                    searcher.doc_frequency("fulltext", word) <= limit
            if known:
                kept[word] = count
        top = kept.most_common(params.feedback_terms)
        total = sum(count for _, count in top)
        for word, count in top:
            totals[word] = totals.get(word, 0.0) + count / total * score
    # as Counter.most_common orders: by weight, ties in first-seen order
    best = sorted(totals.items(), key=lambda item: item[1],
                  reverse=True)[:params.feedback_terms]
    mass = sum(weight for _, weight in best)
    return [(word.decode(), weight / mass) for word, weight in best] if mass else []


def expanded(stories: wq.Query, paragraphs: wq.Query, params: RankingParams,
             model: list[tuple[str, float]], words: int) -> tuple[wq.Query, wq.Query]:
    """The story and paragraph queries (of `words` words) with the feedback words, as
    RM3 weighs them. Story pass: the query's words at feedback_weight over their count,
    each feedback word at the rest of its weight, in a story's text and headline.
    Paragraph pass: the query's words as they were, each feedback word at the same
    weight in a paragraph's body, so that a story found through feedback words alone
    still shows the paragraph that holds most of them (it does not answer: those come
    first)."""
    added = 1 - params.feedback_weight
    story_fields = [spec for spec in params.story_fields
                    if spec.name in ("fulltext", "story_headline")]
    paragraph_fields = [spec for spec in params.paragraph_fields if spec.name == "body"]

    def feedback(fields: list[FieldSpec]) -> list[tuple[tuple, float]]:
        return [(tuple((spec.name, word, spec.weight) for spec in fields), added * weight)
                for word, weight in model]

    return (_with_words(stories, params.feedback_weight / max(words, 1),
                        feedback(story_fields)) or stories,
            _with_words(paragraphs, 1.0, feedback(paragraph_fields)) or paragraphs)


def _with_words(q: wq.Query, scale: float, extra: list[tuple[tuple, float]]
                ) -> wq.Query | None:
    """A plain query (words OR-ed, optionally Filtered) with each word's boost times
    `scale` and the `extra` words ((field, text, weight) parts, boost) OR-ed in, under the
    same filters; None when q is not plain. An extra word searched in the same fields as
    one of the query's adds its boost to that word's (its score is linear in the boost:
    the same sum, and its postings read once)."""
    filtered = q if isinstance(q, Filtered) else None
    words = query_words(filtered.child if filtered else q)
    if words is None:
        return None
    merged: dict[tuple, list] = {}
    for word in words:
        merged[word.parts] = [word.boost * scale, word.answering, word.named]
    for parts, boost in extra:
        if parts in merged:
            merged[parts][0] += boost
        else:
            merged[parts] = [boost, False, False]
    joined = wq.Or([FieldGroup([Term(field, text, boost=weight) for field, text, weight in parts],
                               boost=boost, answering=answering, named=named)
                    for parts, (boost, answering, named) in merged.items()])
    return Filtered(joined, filtered.allow, filtered.dates) if filtered else joined


def rerank(searcher, params: RankingParams, stories: list[tuple[int, str, float]],
           model: list[tuple[str, float]], words: int,
           story_terms: Callable[[int], tuple[bytes, bytes]]) -> list[tuple[int, str, float]]:
    """The stories with the expansion words: the first feedback_depth rescored as
    RM3 weighs the expanded query (the query at feedback_weight over its words'
    count, each feedback word at the rest of its weight, BM25F over the story's text
    and headline), the others kept in their order below them."""
    share = params.feedback_weight / max(words, 1)
    fields = [spec for spec in params.story_fields
              if spec.name in ("fulltext", "story_headline")]
    groups = [searcher.weighting.group(
        searcher, [(spec.name, word.encode(), spec.weight) for spec in fields],
        (1 - params.feedback_weight) * weight) for word, weight in model]
    encoded = [word.encode() for word, _ in model]
    position_of = {word: i for i, word in enumerate(encoded)}
    # one scan of a story's words finds every feedback word's count
    pattern = re.compile(rb" (" + b"|".join(re.escape(w) for w in encoded) + rb"):(\d+)")
    # a field's table is the same for every word (its weight and length normalisation)
    tables = [(table, _LengthBytes(searcher, name)) for name, _, table in groups[0].fields]
    depth = len(stories) if params.feedback_depth is None else params.feedback_depth
    rescored = []
    for position, (docnum, story_id, score) in enumerate(stories):
        if position >= depth:
            rescored.append((docnum, story_id, score * share))
            continue
        tfs: dict[int, float] = {}
        for part, (table, lengths) in zip(story_terms(docnum), tables, strict=True):
            found = pattern.findall(part)
            if found:
                norm = table[lengths[docnum]]
                for word, count in found:
                    at = position_of[word]
                    tfs[at] = tfs.get(at, 0.0) + int(count) * norm
        added = 0.0
        for at in sorted(tfs):  # in the model's order, as a query sums its words
            added += groups[at].saturate(tfs[at])
        rescored.append((docnum, story_id, score * share + added))
    rescored.sort(key=lambda story: (-story[2], story[0]))
    return rescored


class _LengthBytes:
    """A field's length byte for any global docnum of a searcher, read per segment."""

    def __init__(self, searcher, fieldname: str) -> None:
        self.searcher, self.fieldname = searcher, fieldname
        self.segments = [(offset, offset + reader.doc_count_all(), reader)
                         for reader, offset in searcher.reader().leaf_readers()]
        self.tables: dict[int, bytes] = {}

    def __getitem__(self, docnum: int) -> int:
        for start, end, reader in self.segments:
            if start <= docnum < end:
                table = self.tables.get(start)
                if table is None:
                    table = self.tables[start] = length_bytes_of(reader, self.fieldname)
                return table[docnum - start]
        return 0
