"""Whoosh fix 7: analysis in one loop gives exactly the terms, frequencies, weights and
encoded positions that Whoosh's analyzer chain gives, or leaves the value to Whoosh."""

from __future__ import annotations

import pytest
from conftest import CORPUS
from whoosh import analysis
from whoosh.fields import TEXT

from indexer.store import whoosh_ext
from indexer.store.schema import build_schema
from indexer.store.whoosh_ext import analysis as ext_analysis

AWKWARD = [
    "", "   ", "The", "the the THE a an", "A B C d e f 1 2 3",
    "The U.S. Treasury said 3.141 per cent of it's under_score big-time costs rose.",
    "Zürich, São Paulo and Malmö: naïve façades; ÆTHER Straße İstanbul ß",
    "don't won't O'Neill's rock'n'roll", "x" * 300 + " short " + "y" * 40,
    "running runs ran runner RUNNING Runnings", "東京 株式 市場 2024年",
    "1,000,000.50 $5 #tag @user",
    "Karim Nasrallah, Ana  Lopez ,, ,trade,Trade, DROUGHT ,\tcorn\n", ",", " , ",
    "Officials said... the... end.", "is it as at to be by of or on in no",
]


def _texts() -> list[str]:
    texts = list(AWKWARD)
    for path in sorted(CORPUS.rglob("*.txt")):
        text = path.read_text(encoding="utf-8")
        texts.append(text)
        texts.extend(part for part in text.split("\n\n") if part.strip())
    return texts


ANALYZERS = {
    "stemming": analysis.StemmingAnalyzer(),
    "no stop list": analysis.StemmingAnalyzer(stoplist=None),
    "sizes 3 to 8": analysis.StemmingAnalyzer(minsize=3, maxsize=8),
    "standard": analysis.StandardAnalyzer(),
    "standard, no stops": analysis.StandardAnalyzer(stoplist=None),
    "no renumbering": analysis.RegexTokenizer() | analysis.LowercaseFilter()
    | analysis.StopFilter(renumber=False) | analysis.StemFilter(),
    "english stemmer, ignores": analysis.RegexTokenizer() | analysis.LowercaseFilter()
    | analysis.StemFilter(lang="english", ignore=["running"]),
    "tokens only": analysis.RegexTokenizer(r"\w+"),
    "split on spaces": analysis.SpaceSeparatedTokenizer() | analysis.LowercaseFilter(),
    "keywords: commas, lower case": analysis.KeywordAnalyzer(lowercase=True, commas=True),
    "keywords: commas": analysis.KeywordAnalyzer(commas=True),
    "stripped, stemmed": analysis.RegexTokenizer(r"[^;]+") | analysis.StripFilter()
    | analysis.StemFilter(),
    # a capturing group: the loop reads each match whole, as Whoosh's tokenizer does
    "hyphen groups": analysis.RegexTokenizer(r"\w+(-\w+)*") | analysis.LowercaseFilter(),
    "a paren in a class": analysis.RegexTokenizer(r"[(\w]+(\.\w+)*") | analysis.StopFilter(),
}


@pytest.mark.parametrize("phrase", [True, False], ids=["positions", "frequency"])
@pytest.mark.parametrize("name", ANALYZERS)
def test_one_loop_analysis_gives_what_whooshs_chain_gives(name: str, phrase: bool) -> None:
    field = TEXT(analyzer=ANALYZERS[name], phrase=phrase, field_boost=1.5)
    assert ext_analysis.FastAnalysis.accepts(field.analyzer)
    for text in _texts():
        assert ext_analysis.index_items(field, text) == list(field.index(text)), text[:60]


def test_equal_chains_share_one_loop_and_a_text_analysed_again_gives_the_same() -> None:
    # each schema builds its own analyzers: a story's paragraphs analysed for `body` are
    # not analysed again for its story record's words
    one, two = build_schema(), build_schema()
    fast = whoosh_ext.fast_analysis(one["body"].analyzer)
    assert fast is not None and fast is whoosh_ext.fast_analysis(two["fulltext"].analyzer)
    assert whoosh_ext.fast_analysis(one["dateline"].analyzer) is not fast  # no stemming
    texts = _texts()
    for field in (one["body"], two["fulltext"], one["body"]):
        for text in texts:
            assert ext_analysis.index_items(field, text) == list(field.index(text)), text[:60]


def test_our_text_fields_take_the_one_loop_and_others_whooshs_path() -> None:
    schema = build_schema()
    for name in ("body", "headline", "fulltext", "story_headline", "dateline", "byline",
                 "people", "tags", "city", "region", "country", "agency"):
        assert ext_analysis.FastAnalysis.accepts(schema[name].analyzer), name
    refused = [analysis.RegexTokenizer(gaps=True) | analysis.LowercaseFilter(),
               # stemming before lower-casing: not the order the loop follows
               analysis.RegexTokenizer() | analysis.StemFilter() | analysis.LowercaseFilter(),
               analysis.RegexTokenizer() | analysis.LowercaseFilter() | analysis.LowercaseFilter(),
               analysis.RegexTokenizer() | analysis.CharsetFilter({}),
               # stripping after lower-casing: not the loop's order either
               analysis.RegexTokenizer() | analysis.LowercaseFilter() | analysis.StripFilter()]
    for analyzer in refused:
        assert not ext_analysis.FastAnalysis.accepts(analyzer)
    # a refused chain is still analysed, by Whoosh
    field = TEXT(analyzer=refused[0])
    assert ext_analysis.index_items(field, "a-b c") == list(field.index("a-b c"))


def test_id_and_number_fields_index_as_whoosh_indexes_them() -> None:
    from whoosh.fields import ID, NUMERIC

    class Upper(ID):  # a field type with its own index(): never taken for a plain ID
        def index(self, value, **kwargs):
            return ID.index(self, value.upper(), **kwargs)

    ids = [ID(), ID(stored=True, field_boost=2.5), ID(analyzer=analysis.IDAnalyzer(lowercase=True)),
           Upper()]
    assert type(ids[0].analyzer) is analysis.IDTokenizer  # the one-term path
    for field in ids:
        for text in AWKWARD + ["file:/srv/wire/a b.txt", "world/aleppo-truce#3"]:
            assert ext_analysis.index_items(field, text) == list(field.index(text)), text
    assert ext_analysis.index_items(ids[3], "ab")[0][0] == b"AB"
    numbers = [NUMERIC(shift_step=0), NUMERIC(), NUMERIC(bits=64, signed=False),
               NUMERIC(float), NUMERIC(shift_step=0, stored=True)]
    values = [0, 1, 2, 7, 255, 65536, 2**31 - 1, 12, 1, 0]  # numbers again: from the cache
    for field in numbers:
        for number in values + ([-3, -(2**31)] if field.signed else []):
            assert ext_analysis.index_items(field, number) == list(field.index(number))
    # the same number in fields of other settings: each field's own terms
    assert ext_analysis.index_items(numbers[0], 7) != ext_analysis.index_items(numbers[1], 7)
    assert ext_analysis.index_items(numbers[1], 1.5) == list(numbers[1].index(1.5))
