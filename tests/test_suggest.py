"""Did-you-mean is offered only where it helps: the query found little, the suggestion
finds more, and it is a plausible spelling of what was typed."""

from __future__ import annotations

import pytest

from indexer import Index


def test_a_typo_gets_its_word(corpus_index: Index) -> None:
    assert corpus_index.suggest("drougth") == "drought"
    assert corpus_index.suggest("drougth farmrs") == "drought farmers"


@pytest.mark.parametrize("query", ["oil", "doping", "Kerry", "harbour", "xyzzy", "aid",
                                   "drought", "farmers rain", "Canberra"])
def test_a_suggestion_finds_more_than_the_query(corpus_index: Index, query: str) -> None:
    suggestion = corpus_index.suggest(query)
    found = corpus_index.count(query)[0]
    if suggestion is None:
        return
    assert corpus_index.count(suggestion)[0] > found
    for typed, offered in zip(query.lower().split(), suggestion.lower().split(), strict=True):
        assert typed[:1] == offered[:1]  # the same first letter


def test_short_words_and_known_words_get_none(corpus_index: Index) -> None:
    assert corpus_index.suggest("oil") is None  # under four letters: not corrected
    assert corpus_index.suggest("drought") is None  # a word the index holds
    assert corpus_index.suggest("Canberra") is None
