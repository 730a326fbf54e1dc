"""Lookup keys of the word lists."""

from __future__ import annotations

from indexer.enrich.lexicons import fold


def test_fold_keeps_exactly_the_characters_isalnum_keeps() -> None:
    every = "".join(map(chr, range(0x110000)))
    assert fold(every) == "".join(ch for ch in every.casefold() if ch.isalnum())
    assert fold("N.Y.") == fold("ny") == "ny"
    assert fold("São Paulo") == "sãopaulo" and fold("Straße") == "strasse"
    assert fold("under_score -- 3.5") == "underscore35"
    # an alphanumeric word whose case folding is not: "İ" folds to "i" and a combining dot
    assert "İstanbul".isalnum() and fold("İstanbul") == "istanbul"
    for word in ("Kerry", "İstanbul", "ǅemal", "Ⅻ", "ﬁnance", "Σίσυφος"):
        assert fold(word) == "".join(ch for ch in word.casefold() if ch.isalnum())
