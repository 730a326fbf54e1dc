"""Date ranges in the query language mean what --since and --until mean."""

from __future__ import annotations

import itertools
from datetime import datetime

import pytest

from indexer import Index
from indexer.errors import QueryError
from indexer.search.filters import parse_when

# year, month and day ends, either side, and open ends (the corpus runs July to October)
ENDS = ["2026", "2026-08", "2026-09", "2026-09-13", "2026-10-01", "20260918", "202609", ""]


def dated(index: Index, docnums: list[int]) -> list[datetime]:
    searcher = index.searcher()
    return sorted(searcher.stored_fields(d)["date"] for d in docnums)


@pytest.mark.parametrize(("low", "high"), [
    pair for pair in itertools.product(ENDS, ENDS) if any(pair)])
def test_a_range_matches_what_since_and_until_match(corpus_index: Index, low: str,
                                                    high: str) -> None:
    if low and high and parse_when(low) > parse_when(high, end=True):
        for call in (lambda: corpus_index.matching_docnums(f"date:[{low} to {high}]"),
                     lambda: corpus_index.matching_docnums("*", since=low, until=high)):
            with pytest.raises(QueryError, match="ends before it starts|is after"):
                call()
        return
    ranged = corpus_index.matching_docnums(f"date:[{low} to {high}]")
    windowed = corpus_index.matching_docnums("*", since=low or None, until=high or None)
    assert sorted(ranged) == sorted(windowed)


def test_a_month_range_is_that_month(corpus_index: Index) -> None:
    september = corpus_index.matching_docnums("date:[2026-09 to 2026-09]")
    assert september
    assert sorted(september) == sorted(corpus_index.matching_docnums("date:2026-09"))
    assert all(d.month == 9 for d in dated(corpus_index, september))
    everything = corpus_index.matching_docnums("*")
    assert len(september) < len(everything)


def test_exclusive_ends_leave_the_named_period_out(corpus_index: Index) -> None:
    found = dated(corpus_index, corpus_index.matching_docnums("date:{2026-08 to 2026-10}"))
    assert found and all(d.month == 9 for d in found)
    inclusive = dated(corpus_index, corpus_index.matching_docnums("date:[2026-08 to 2026-10]"))
    assert {d.month for d in inclusive} > {9}


@pytest.mark.parametrize("query", ["date:[1987-03-01 to", "drought date:{2026-09 to"])
def test_an_unclosed_range_says_so(corpus_index: Index, query: str) -> None:
    with pytest.raises(QueryError, match="unclosed date range") as caught:
        corpus_index.search(query)
    assert "1987-03-0'" not in str(caught.value)


def test_compact_dates_read_as_iso_ones() -> None:
    assert parse_when("202609") == parse_when("2026-09")
    assert parse_when("20260918", end=True) == parse_when("2026-09-18", end=True)
