"""A CI-sized fuzz run (bench/fuzz_readers.py runs the same properties for minutes): no
reader lets anything but WireFormatError escape, and no query anything but QueryError."""

from __future__ import annotations

import pytest
from fuzzing import inputs, queries, read_all
from hypothesis import HealthCheck, given, settings

from indexer import Index
from indexer.errors import QueryError
from indexer.formats import READERS

CI = settings(max_examples=60, deadline=2000, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize("fmt", sorted(READERS))
def test_readers_yield_stories_or_say_why(fmt: str) -> None:
    @CI
    @given(inputs(fmt))
    def property(data: bytes) -> None:
        read_all(fmt, data)

    property()


def test_queries_return_hits_or_say_why(corpus_index: Index) -> None:
    @CI
    @given(queries)
    def property(text: str) -> None:
        try:
            corpus_index.search(text, limit=3)
        except QueryError:
            pass

    property()
