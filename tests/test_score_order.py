"""Printed scores follow the rank order, in every output, so that tools that order a run
by score (trec_eval, ir_measures) see the ranking as it is."""

from __future__ import annotations

import json

import ir_measures
import pytest
from click.testing import CliRunner

from indexer import Index, cli

QUERIES = ["drought", "farmers rain", "government officials said", "oil prices"]


def run(index: Index, *args: str) -> str:
    result = CliRunner().invoke(cli.main, ["query", *args, "--index", index.path])
    assert result.exit_code == 0, result.output
    return result.stdout


def non_increasing(scores: list[float]) -> bool:
    return all(a >= b for a, b in zip(scores, scores[1:], strict=False))


@pytest.mark.parametrize("query", QUERIES)
def test_scores_never_rise_down_any_output(corpus_index: Index, query: str) -> None:
    for options in ((), ("--sort", "newest"), ("--sort", "oldest"), ("--per-story", "1")):
        rows = json.loads(run(corpus_index, query, "--format", "json", "--limit", "40",
                              *options))
        assert non_increasing([row["score"] for row in rows]), options
        lines = run(corpus_index, query, "--format", "jsonl", "--limit", "40", *options)
        assert [json.loads(line) for line in lines.splitlines()] == rows
        trec = run(corpus_index, query, "--format", "trec", "--limit", "40", *options)
        fields = [line.split() for line in trec.splitlines()]
        assert all(len(f) == 6 for f in fields)
        scores = [float(f[4]) for f in fields]
        assert all(a > b for a, b in zip(scores, scores[1:], strict=False)), options
        assert [int(f[3]) for f in fields] == list(range(1, len(fields) + 1))
    groups = json.loads(run(corpus_index, query, "--format", "json", "--group",
                            "--limit", "10"))
    assert non_increasing([group["score"] for group in groups])
    for group in groups:
        assert non_increasing([hit["score"] for hit in group["hits"]])


@pytest.mark.parametrize("query", QUERIES)
def test_pages_continue_the_order(corpus_index: Index, query: str) -> None:
    whole = corpus_index.search(query, limit=30)
    paged = [hit for offset in range(0, 30, 10)
             for hit in corpus_index.search(query, limit=10, offset=offset)]
    assert [(h.story_id, h.paragraph, h.score) for h in paged] == \
        [(h.story_id, h.paragraph, h.score) for h in whole]
    assert non_increasing([hit.score for hit in whole])


@pytest.mark.parametrize("query", QUERIES)
def test_measures_on_the_trec_output_are_the_rank_orders(corpus_index: Index,
                                                         query: str) -> None:
    """ir_measures reads our run file by score; judged by rank instead (scores replaced
    by minus the rank) it must give the same figures, whichever hit is relevant."""
    lines = run(corpus_index, query, "--format", "trec", "--limit", "40").splitlines()
    as_printed = [ir_measures.ScoredDoc(f[0], f[2], float(f[4]))
                  for f in (line.split() for line in lines)]
    by_rank = [ir_measures.ScoredDoc(f[0], f[2], -float(f[3]))
               for f in (line.split() for line in lines)]
    measures = [ir_measures.P @ 1, ir_measures.RR, ir_measures.AP, ir_measures.nDCG @ 10]
    for judged in range(min(4, len(lines))):
        qrels = [ir_measures.Qrel("1", doc.doc_id, int(at == judged))
                 for at, doc in enumerate(by_rank)]
        assert ir_measures.calc_aggregate(measures, qrels, as_printed) == \
            ir_measures.calc_aggregate(measures, qrels, by_rank)


@pytest.mark.parametrize("query", QUERIES)
def test_story_pages_are_slices_of_the_whole_grouping(corpus_index: Index, query: str) -> None:
    """search_stories: offset and limit count stories, as `indexer query --group`."""
    whole = corpus_index.search_stories(query, limit=12, per_story=2)
    assert whole and all(len(story) <= 2 for story in whole)
    assert len({(s[0].story_id, s[0].version) for s in whole}) == len(whole)
    paged = [story for offset in range(0, 12, 3)
             for story in corpus_index.search_stories(query, limit=3, offset=offset,
                                                      per_story=2)]
    # the same stories in the same order; each story's paragraphs on a page are the best
    # of those the whole list shows (a page reads a shorter window of the ranking)
    assert [s[0].story_id for s in paged] == [s[0].story_id for s in whole]
    for shown, complete in zip(paged, whole, strict=True):
        got = [(h.story_id, h.paragraph) for h in shown]
        assert got == [(h.story_id, h.paragraph) for h in complete][:len(got)]
    assert non_increasing([story[0].score for story in whole])
