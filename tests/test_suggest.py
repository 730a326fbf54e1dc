"""Did-you-mean is offered only where it helps: each word it changes finds more than the
word typed, and is a plausible spelling of it."""

from __future__ import annotations

import pytest

from indexer import Index


def test_a_typo_gets_its_word(corpus_index: Index) -> None:
    assert corpus_index.suggest("drougth") == "drought"
    assert corpus_index.suggest("drougth farmrs") == "drought farmers"


@pytest.mark.parametrize("query", ["oil", "doping", "Kerry", "harbour", "xyzzy", "aid",
                                   "drought", "farmers rain", "Canberra", "Nasralah truce",
                                   "drougth farmrs"])
def test_a_suggestion_finds_more_than_the_query(corpus_index: Index, query: str) -> None:
    suggestion = corpus_index.suggest(query)
    if suggestion is None:
        return
    for typed, offered in zip(query.split(), suggestion.split(), strict=True):
        if typed != offered:  # each word changed finds more than the word typed
            assert corpus_index.count(offered)[0] > corpus_index.count(typed)[0]
            assert typed[:1].lower() == offered[:1].lower()  # the same first letter


def test_short_words_and_known_words_get_none(corpus_index: Index) -> None:
    assert corpus_index.suggest("oil") is None  # under four letters: not corrected
    assert corpus_index.suggest("drought") is None  # a word the index holds
    assert corpus_index.suggest("Canberra") is None
