"""Queries whose work would grow without limit are refused or stopped, with exit 2."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from indexer import Index, cli
from indexer.errors import QueryError
from indexer.search import budget
from indexer.search import query as query_language


@pytest.mark.parametrize("query", ["?*", "*a*", "*?*?*?*?*?*?*?*?", "drought *ought",
                                   "body:?rought"])
def test_a_word_opening_with_a_wildcard_is_refused(corpus_index: Index, query: str) -> None:
    result = CliRunner().invoke(cli.main, ["query", query, "--index", corpus_index.path])
    assert result.exit_code == 2
    (line,) = result.output.splitlines()
    assert "opens with a wildcard" in line


@pytest.mark.parametrize(("query", "shown"), [
    ("d*", "'d*'"), ("{a TO m}", "'{a TO m}'"), ("body:[a TO zzzz]", "'[a TO zzzz]'"),
    ("s?*", "'s?*'")])
def test_a_pattern_standing_for_too_many_words_is_refused(
        corpus_index: Index, monkeypatch: pytest.MonkeyPatch, query: str, shown: str) -> None:
    monkeypatch.setattr(query_language, "MAX_EXPANSION", 3)
    for call in (lambda: corpus_index.search(query), lambda: corpus_index.count(query),
                 lambda: corpus_index.facets(query)):
        with pytest.raises(QueryError, match="stands for more than 3 words") as caught:
            call()
        assert shown in str(caught.value)


def test_patterns_are_bounded_together(corpus_index: Index,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Each within the bound, all of them past it: the bound is the query's, as
    Lucene's clause limit."""
    words = ("p*", "s*")  # 44 and 87 words of the corpus's paragraphs
    monkeypatch.setattr(query_language, "MAX_EXPANSION", 100)
    for word in words:
        corpus_index.search(word)
    with pytest.raises(QueryError, match="the 2 patterns 'p\\*', 's\\*' together stand "
                                         "for more than 100 words"):
        corpus_index.search(" ".join(words))


def test_a_pattern_within_the_bound_is_answered(corpus_index: Index,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # a pattern says exactly what it wants (no feedback): as the word without feedback
    plain = {(h.story_id, h.paragraph)
             for h in corpus_index.search("drought", limit=50, feedback=False)}
    assert plain
    monkeypatch.setattr(query_language, "MAX_EXPANSION", 4)
    patterned = {(h.story_id, h.paragraph) for h in corpus_index.search("drough*", limit=50)}
    assert patterned == plain


def test_a_query_past_its_time_budget_is_stopped(corpus_index: Index,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(corpus_index, "query_seconds", 1e-9)
    with pytest.raises(budget.QueryTooSlowError, match="time budget"):
        corpus_index.search("dr*")
    with pytest.raises(budget.QueryTooSlowError):
        corpus_index.count("drought OR farmers OR rain")
    assert corpus_index.suggest("drougth") is None  # a courtesy: none in time, none
    monkeypatch.setattr(corpus_index, "query_seconds", None)
    assert corpus_index.search("dr*")


def test_the_cli_says_a_query_ran_past_its_budget(corpus_index: Index,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(budget, "QUERY_SECONDS", 1e-9)
    result = CliRunner().invoke(cli.main, ["query", "dr*", "--index", corpus_index.path])
    assert result.exit_code == 2
    (line,) = result.output.splitlines()
    assert "time budget" in line


def test_an_inner_budget_never_extends_the_outer_one() -> None:
    with budget.limit(1e-9):
        with budget.limit(100):
            with pytest.raises(budget.QueryTooSlowError):
                budget.check()
    with budget.limit(None):
        budget.check()  # no budget: never stopped


def test_a_very_long_word_gets_no_suggestion(corpus_index: Index) -> None:
    assert corpus_index.suggest("x" * 1999) is None
    assert corpus_index.suggest("drougth") == "drought"
