"""RankingParams: everything that decides the order of hits, with the defaults chosen on
all the development collections together (indexer.search.ranking ranks by them;
docs/ranking.md has the figures behind each default)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from .bm25f import FieldSpec


@dataclass(frozen=True)
class RankingParams:
    """Everything that decides the order of hits. One set of defaults for every kind of
    collection: they were tuned on all the development collections together."""

    k1: float = 1.5
    # the story pass: a story's whole text and its headline (a word there counts about as
    # two in the text); fields of story records only, so the pass needs no filter by kind
    story_fields: tuple[FieldSpec, ...] = (FieldSpec("fulltext", 1.0, 0.6),
                                           FieldSpec("story_headline", 2.0, 0.3))
    # the paragraph pass: a paragraph's own text (body; the first opens with the
    # dateline), and, so that a story found by its headline or tags still shows its
    # paragraphs (after those that answer), the fields copied from the story, weak
    paragraph_fields: tuple[FieldSpec, ...] = (
        FieldSpec("body", 1.0, 0.75), FieldSpec("dateline", 0.5, 0.75),
        FieldSpec("headline", 0.2, 0.5), FieldSpec("tags", 0.2, 0.0))
    story_weight: float = 0.9  # w in (1 - w) * paragraph + w * story
    candidates: int = 20  # stories whose paragraphs are scored for a page (at least 2x limit)
    feedback: bool = True
    feedback_stories: int = 5  # the best stories whose words feed back
    # with re-retrieval, 15 to 20 words and a share of 0.5 to 0.6 score alike on the
    # mean of the collections (docs/ranking.md); 16 is the fewest (the second pass reads
    # each word's postings) with which feedback lowers no collection
    feedback_terms: int = 16
    feedback_weight: float = 0.6  # the original query's share of the expanded one
    feedback_max_df: float = 0.3  # words in more of the stories are not feedback words
    # None: the expanded query retrieves again over every story (RM3 as Anserini runs
    # it); a number: only the first that many stories of the first pass are rescored.
    # A fixed depth is a large share of a small collection and a sliver of an archive:
    # re-retrieval costs one more story pass (pruned, see disjunction.py) and reaches
    # stories that hold none of the query's words.
    feedback_depth: int | None = None

    def b_by_field(self) -> dict[str, float]:
        return {spec.name: spec.b for spec in (*self.story_fields, *self.paragraph_fields)}

    def with_(self, **changes) -> RankingParams:
        return replace(self, **changes)


DEFAULT = RankingParams()
