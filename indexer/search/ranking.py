"""Ranking: which paragraphs answer a query, and in what order.

A query is answered in two passes, then mixed (Ranker.rank):

1. **Story pass.** Story records (a story's whole text and its headline) are ranked by
   BM25F (indexer.bm25f); the best few stories are the candidates.
2. **Paragraph pass.** The candidates' paragraphs are ranked by BM25F over their own text
   (body, and the dateline the first one opens with), with the paragraphs' statistics.
3. **Mix.** Each paragraph's score is its own, divided by the best paragraph's, mixed
   with its story's, divided by the best story's: `(1 - w) * p + w * s`. A paragraph
   that holds a word of the query in its own text ranks above every paragraph that
   does not (one that matched only through its story's headline, or through a word that
   feedback added), so the hit shown for a story is a paragraph that answers.

**Feedback** (RM3, Lavrenko and Croft's relevance model as Anserini interpolates it):
the words of the best stories of a first story pass, each story's words weighed by its
score, join the query at `1 - feedback_weight` of its weight, and the expanded query
retrieves again over every story (Ranker.expanded): a story that holds none of the
query's words can rank, shown by the paragraph richest in feedback words (after those
that answer). Rescoring only the first pass's best N was measured against it on every
collection: the deeper N, the better on each, and re-retrieval best (docs/ranking.md),
so no depth is left to tune to an archive's size. The second pass's 20-odd words are
scored with MaxScore pruning (indexer.search.disjunction).

Every default here was chosen on all the development collections together
(bench/eval_ranking.py, bench/tune_ranking.py); the README gives the figures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from whoosh import query as wq
from whoosh.query import Term
from whoosh.searching import Hit as WhooshHit

from ..store.results import story_ids
from ..store.schema import KIND, KIND_STORY, STORY_ID
from ..store.versions import CurrentVersions
from . import budget, feedback
from .bm25f import BM25FModel, FieldGroup
from .disjunction import query_words, score_documents, term_docnums, top_documents
from .filters import Filtered
from .params import DEFAULT, RankingParams
from .query import QueryParsers, has_phrase, phrases_as_words

# the fields whose words are a paragraph's own text (the rest are copied from its story)
OWN_FIELDS = frozenset({"body", "dateline"})




def weighting(params: RankingParams, doc_counts: dict[str, int]) -> BM25FModel:
    return BM25FModel(doc_counts, params.b_by_field(), params.k1)


class ScoredParagraph:
    """A paragraph scored outside Whoosh's collector: what ranking and hits read of a
    whoosh.searching.Hit (docnum, score, stored fields loaded on first use)."""

    __slots__ = ("_fields", "_searcher", "docnum", "score")

    def __init__(self, searcher, docnum: int, score: float) -> None:
        self._searcher, self.docnum, self.score = searcher, docnum, score
        self._fields: dict | None = None

    def fields(self) -> dict:
        if self._fields is None:
            self._fields = self._searcher.stored_fields(self.docnum)
        return self._fields

    def __getitem__(self, name: str):
        return self.fields()[name]

    def get(self, name: str, default=None):
        return self.fields().get(name, default)


@dataclass
class Ranked:
    """One paragraph in the final order."""

    score: float
    result: ScoredParagraph | WhooshHit
    superseded: bool = False
    answers: bool = True


@dataclass
class Query:
    """A query ready to rank: the paragraph pass's and the story pass's query (filters
    applied), the documents each must leave out, and the user's words."""

    paragraphs: wq.Query
    stories: wq.Query
    masked: set[int] | None = None
    story_masked: set[int] | None = None
    # (field, text) of the user's words in the paragraphs' own fields; empty when the
    # query names none (people:..., tags:...), and then every paragraph answers
    own_words: frozenset[tuple[str, str]] = frozenset()

    @property
    def body_words(self) -> set[str]:
        return {text for fieldname, text in self.own_words if fieldname == "body"}


def own_words(q: wq.Query) -> frozenset[tuple[str, str]]:
    """(field, text) of the terms of q's answering words in the paragraphs' own fields."""
    found: set[tuple[str, str]] = set()
    for group in _groups(q):
        if group.answering:
            for fieldname, texts in group.terms_by_field().items():
                if fieldname in OWN_FIELDS:
                    found.update((fieldname, text) for text in texts)
    return frozenset(found)


def own_query(q: wq.Query) -> wq.Query | None:
    """The part of a paragraph query that searches the user's words in a paragraph's own
    text (a paragraph it matches answers the query); None when there is none."""
    if isinstance(q, Filtered):
        q = q.child
    parts = []
    for group in _groups(q):
        if group.answering:
            subs = [sub for sub in group.subqueries if sub.field() in OWN_FIELDS]
            if subs:
                parts.append(FieldGroup(subs, boost=group.boost, named=group.named))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.Or(parts)


def _groups(q: wq.Query) -> list[FieldGroup]:
    if isinstance(q, FieldGroup):
        return [q]
    if isinstance(q, wq.Not):
        return []
    found = []
    for sub in q.children():
        found.extend(_groups(sub))
    return found


class Ranker:
    """Ranks a query's paragraphs for one searcher (one committed state of the index)."""

    def __init__(self, searcher, params: RankingParams, paragraph_ids,
                 current: CurrentVersions, cache: dict | None = None) -> None:
        self.searcher = searcher
        self.params = params
        self.paragraph_ids = paragraph_ids  # BitSet of the paragraph records
        self.current = current
        # kept for the searcher's lifetime by the caller: whether a word may feed back,
        # and the column readers
        cache = {} if cache is None else cache
        self.feedback_words: dict[bytes, bool] = cache.setdefault("feedback words", {})
        self.columns: dict[str, object] = cache.setdefault("columns", {})

    # -- feedback

    def expands(self, query: Query) -> bool:
        """Whether feedback applies: on, and a query of plain words (quotes, fields, AND,
        NOT and patterns say exactly what is wanted)."""
        if not self.params.feedback or query.masked is not None:
            return False
        plain = query.stories.child if isinstance(query.stories, Filtered) else query.stories
        words = query_words(plain)
        return words is not None and not any(word.named for word in words)

    def _story_ids(self) -> Callable[[int], str]:
        """A story record's id by docnum (store.results.story_ids), once per searcher."""
        if "story ids" not in self.columns:
            self.columns["story ids"] = story_ids(self.searcher)
        return self.columns["story ids"]  # type: ignore[return-value]

    def _column(self, name: str):
        """A column reader of the searcher, opened once per searcher (its offsets are
        read from disk when it opens: milliseconds at a million documents)."""
        cache = self.columns
        if name not in cache:
            reader = self.searcher.reader()
            cache[name] = reader.column_reader(name) if reader.has_column(name) else None
        return cache[name]

    def story_terms(self, docnum: int) -> tuple[bytes, bytes]:
        """(text, headline) parts of a story record's `story_terms` (schema.encode_terms)."""
        column = self._column("story_terms")
        data = column[docnum] if column is not None else b""
        text, _, headline = data.partition(b"\n")
        return text, headline

    def relevance_model(self, stories: list[tuple[int, str, float]]
                        ) -> list[tuple[str, float]]:
        """RM3's expansion words from the best stories (indexer.search.feedback)."""
        if len(self.feedback_words) > 200_000:
            self.feedback_words.clear()
        return feedback.relevance_model(self.searcher, self.params, stories,
                                        self.story_terms, self.feedback_words)

    def expansion(self, query: Query, limit: int) -> list[tuple[str, float]]:
        """The words feedback adds when rank() ranks `limit` hits of this query, best
        first, each with its weight in the expanded query (`indexer query --explain`):
        the relevance model of the same first story pass; empty when feedback does not
        apply or finds no word."""
        if not self.params.story_weight or not self.expands(query):
            return []  # rank() would not expand: paragraphs alone, or not a plain query
        share = 1 - self.params.feedback_weight
        return [(word, share * weight) for word, weight in self.feedback_model(query)]

    def feedback_model(self, query: Query) -> list[tuple[str, float]]:
        """The relevance model of the query's first story pass (its best
        feedback_stories stories)."""
        stories, _ = self.top_stories(query.stories, self.params.feedback_stories,
                                      query.story_masked)
        return self.relevance_model(stories) if stories else []

    def expanded(self, query: Query, model: list[tuple[str, float]]) -> Query:
        """The query with the feedback words (indexer.search.feedback.expanded)."""
        stories, paragraphs = feedback.expanded(query.stories, query.paragraphs, self.params,
                                                model, len(_groups(query.stories)))
        return replace(query, stories=stories, paragraphs=paragraphs)

    def rerank(self, stories: list[tuple[int, str, float]], model: list[tuple[str, float]],
               words: int) -> list[tuple[int, str, float]]:
        """The first feedback_depth stories rescored with the feedback words, the others
        below them (indexer.search.feedback.rerank)."""
        return feedback.rerank(self.searcher, self.params, stories, model, words,
                               self.story_terms)

    # -- the passes

    def top_stories(self, story_query: wq.Query, depth: int, masked: set[int] | None
                    ) -> tuple[list[tuple[int, str, float]], bool]:
        """The best `depth` stories as (docnum, story_id, score), and whether that is all
        the query matches. Term at a time (indexer.search.disjunction) for plain words;
        Whoosh for any other query, the same scores."""
        searcher = self.searcher
        budget.check()  # between the passes, within the query's budget
        top = top_documents(searcher, story_query, depth, masked)
        if top is not None:
            story_id = self._story_ids()
            return ([(docnum, story_id(docnum), score) for docnum, score in top.ranked],
                    top.exhausted)
        results = searcher.search(story_query, limit=depth, mask=masked)
        return ([(r.docnum, r[STORY_ID], r.score) for r in results],
                results.scored_length() < depth)

    def rank(self, query: Query, limit: int, per_story: int | None, all_versions: bool
             ) -> list[Ranked]:
        if not self.params.story_weight:
            return self.rank_paragraphs(query, query.masked, limit, per_story, all_versions)
        return self._rank_in_top_stories(query, limit, per_story, all_versions)

    def _rank_in_top_stories(self, query: Query, limit: int, per_story: int | None,
                             all_versions: bool) -> list[Ranked]:
        """The best stories first, then the paragraphs of those stories only, each scored
        on its own words and mixed with its story's score. Scoring only the candidates'
        paragraphs keeps a query's cost near constant as the archive grows; the
        candidates widen until `limit` hits are found. Paragraphs whose story matched
        nothing (a word only in a dateline) come after, on their own score."""
        searcher, weight = self.searcher, self.params.story_weight
        depth = max(self.params.candidates, 2 * limit)
        expands = self.expands(query)
        rescore = expands and self.params.feedback_depth is not None
        model: list[tuple[str, float]] | None = None
        asked = query  # the query the passes run: with the feedback words, once found
        if expands and not rescore:
            model = self.feedback_model(query)
            if model:
                asked = self.expanded(query, model)
        best = 1.0
        while True:
            fetch = max(depth, self.params.feedback_depth or 0) if rescore else depth
            stories, exhausted = self.top_stories(asked.stories, fetch, query.story_masked)
            if rescore and stories:
                if model is None:
                    model = self.relevance_model(stories)
                if model:
                    stories = self.rerank(stories, model, len(_groups(query.stories)))
                exhausted = exhausted and len(stories) <= depth
                stories = stories[:depth]
            top = max((score for *_, score in stories), default=0.0) or 1.0
            story_scores: dict[str, float] = {}
            for _, story_id, score in stories:
                story_scores.setdefault(story_id, score / top)
            ranked: list[Ranked] = []
            if story_scores:
                # story and kind from postings and a cached set, not from each hit's
                # stored fields (only the hits select() reaches are loaded)
                story_of = {docnum: story_id for story_id in story_scores
                            for docnum in term_docnums(searcher, STORY_ID, story_id)}
                is_paragraph = self.paragraph_ids
                paragraphs = self.score_candidates(
                    asked, sorted(d for d in story_of if d in is_paragraph))
                best = max((r.result.score for r in paragraphs), default=0.0) or 1.0
                ranked = [Ranked((1 - weight) * r.result.score / best
                                 + weight * story_scores[story_of[r.result.docnum]],
                                 r.result, answers=r.answers)
                          for r in paragraphs]
                ranked.sort(key=_order)
            chosen = self.select(ranked, limit, per_story, all_versions)
            if len(chosen) >= limit or (exhausted and not story_scores):
                break
            if exhausted:
                seen = {r.result.docnum for r in ranked}
                return chosen + self.rank_paragraphs(
                    query, (query.masked or set()) | seen, limit - len(chosen), per_story,
                    all_versions, scale=(1 - weight) / best)
            depth *= 4
        if not story_scores:
            return self.rank_paragraphs(query, query.masked, limit, per_story, all_versions,
                                        scale=1 - weight)
        return chosen

    def score_candidates(self, query: Query, docnums: list[int]) -> list[Ranked]:
        """Those of the candidate paragraphs (sorted docnums)
        that the query matches, each with its own score and whether it answers: term at a
        time for plain words (it reads only the posting blocks that hold a candidate),
        Whoosh for any other query, the same scores."""
        searcher = self.searcher
        budget.check()  # between the passes, within the query's budget
        scored = score_documents(searcher, query.paragraphs, docnums, query.masked,
                                 OWN_FIELDS)
        if scored is not None:
            everyone = not query.own_words
            return [Ranked(0.0, ScoredParagraph(searcher, docnum, score),
                           answers=everyone or docnum in scored.answered)
                    for docnum, score in scored.scores.items()]
        # a filter of docnums: scored by the query alone, and no Require (Whoosh 2.7.4's
        # matches documents outside it when its query is a phrase); an empty filter is no
        # filter to Whoosh, hence the early return
        if not docnums:
            return []
        return [Ranked(0.0, r, answers=self.answers(query, r))
                for r in searcher.search(query.paragraphs, limit=None, filter=set(docnums),
                                         mask=query.masked, terms=True)]

    @staticmethod
    def answers(query: Query, hit: WhooshHit) -> bool:
        """Whether a hit Whoosh found holds one of the user's words in its own text."""
        if not query.own_words:
            return True
        return any(fieldname in OWN_FIELDS for fieldname, _ in hit.matched_terms())

    def rank_paragraphs(self, query: Query, masked: set[int] | None, limit: int,
                        per_story: int | None, all_versions: bool, scale: float = 1.0
                        ) -> list[Ranked]:
        """Paragraphs on their own BM25F score (times `scale`): those that hold a word of
        the query in their own text, then the others. Whole pages are fetched again,
        larger, when superseded versions, story records or the per-story cap thin them
        out (not Whoosh's collapse=, which ignores filters)."""
        own = own_query(query.paragraphs) if query.own_words else None
        # the tiers as document sets, not Require/AndNot (Whoosh 2.7.4's match documents
        # outside their second query when the first holds a phrase)
        answering = None if own is None else set(self.searcher.docs_for_query(own))
        tiers = [(None, masked, True)] if answering is None else [
            (answering, masked, True), (None, (masked or set()) | answering, False)]
        chosen: list[Ranked] = []
        taken: dict[tuple[str, int], int] = {}
        for allowed, hidden, answers in tiers:
            if allowed is not None and not allowed:
                continue  # no paragraph in this tier (and Whoosh reads an empty filter as none)
            wanted = limit - len(chosen)
            fetch = wanted * 4 if per_story else wanted + 10
            while True:
                results = self.searcher.search(query.paragraphs, limit=fetch, filter=allowed,
                                               mask=hidden)
                ranked = [Ranked(r.score * scale, r, answers=answers)
                          for r in results if r.docnum in self.paragraph_ids]
                found = self.select(ranked, wanted, per_story, all_versions, dict(taken))
                if len(found) >= wanted or results.scored_length() < fetch:
                    break
                fetch *= 4
            for item in found:
                story = (item.result[STORY_ID], item.result.get("version", 0))
                taken[story] = taken.get(story, 0) + 1
            chosen.extend(found)
            if len(chosen) >= limit:
                break
        return chosen

    def by_date(self, query: Query, limit: int, per_story: int | None, all_versions: bool,
                newest: bool) -> list[Ranked]:
        """Every paragraph the query matches, newest (or oldest) first by its story's date
        (undated ones last), read from the date column by Whoosh's sorting collector;
        pages are fetched again, larger, when versions or the per-story cap thin them."""
        fetch = limit * 4 if per_story else limit + 10
        if not self.paragraph_ids:
            return []
        while True:
            results = self.searcher.search(query.paragraphs, limit=fetch, sortedby="date",
                                           reverse=newest, mask=query.masked,
                                           filter=self.paragraph_ids)
            found = [Ranked(0.0, r) for r in results]
            dated = [item for item in found if item.result.get("date") is not None]
            ordered = dated + [item for item in found if item.result.get("date") is None]
            chosen = self.select(ordered, limit, per_story, all_versions)
            if len(chosen) >= limit or len(results) < fetch:
                return chosen
            fetch *= 4

    def select(self, ranked: list[Ranked], limit: int, per_story: int | None,
               all_versions: bool, taken: dict[tuple[str, int], int] | None = None
               ) -> list[Ranked]:
        """The first `limit` of the ranked paragraphs: superseded and killed versions left
        out unless all_versions (and marked), at most `per_story` from any one story
        (counting those already `taken`)."""
        taken = {} if taken is None else taken
        chosen = []
        for item in ranked:
            result = item.result
            story = (result[STORY_ID], result.get("version", 0))
            is_current = self.current.is_current_paragraph(result.docnum, result.fields())
            if not is_current and not all_versions:
                continue
            if per_story and taken.get(story, 0) >= per_story:
                continue
            taken[story] = taken.get(story, 0) + 1
            item.superseded = not is_current
            chosen.append(item)
            if len(chosen) == limit:
                break
        return chosen


def _order(item: Ranked) -> tuple:
    """Paragraphs that answer first, then by score; ties in index order."""
    return (not item.answers, -item.score, item.result.docnum)


def story_mask(searcher, story_excluded: wq.Query | None, masked: set[int] | None
               ) -> set[int] | None:
    """The story records a negation excludes. A negated phrase cannot be searched in the
    story fields (no positions there): it excludes the stories of the paragraphs it
    excludes."""
    if story_excluded is None:
        return None
    if not has_phrase(story_excluded):
        return set(searcher.docs_for_query(story_excluded))
    story_ids = {searcher.stored_fields(docnum).get(STORY_ID) for docnum in masked or ()}
    story_ids.discard(None)
    if not story_ids:
        return None
    return set(searcher.docs_for_query(wq.And([
        Term(KIND, KIND_STORY), wq.Or([Term(STORY_ID, sid) for sid in story_ids])])))


__all__ = ["DEFAULT", "OWN_FIELDS", "Query", "QueryParsers", "Ranked", "Ranker",
           "RankingParams", "own_words", "phrases_as_words", "story_mask", "weighting"]
