"""Small things a new user meets: dangling operators, plurals, a clean namespace, time
zones in the log."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CORPUS

import indexer
from indexer import Index, cli


@pytest.mark.parametrize("query", ["drought AND", "AND drought", "drought OR",
                                   "drought AND AND rain", "drought NOT", "(drought AND)"])
def test_a_dangling_operator_is_refused(corpus_index: Index, query: str) -> None:
    result = CliRunner().invoke(cli.main, ["query", query, "--index", corpus_index.path])
    assert result.exit_code == 2
    (line,) = result.output.splitlines()
    assert "needs a word" in line


@pytest.mark.parametrize("query", ["drought AND farmers", "drought NOT rain",
                                   "(drought OR rain) AND farmers", "NOT rain drought"])
def test_operators_with_both_sides_still_search(corpus_index: Index, query: str) -> None:
    assert corpus_index.search(query)


def test_counts_read_as_english(corpus_index: Index) -> None:
    result = CliRunner().invoke(cli.main, ["query", "drought", "--limit", "1", "--count",
                                           "--index", corpus_index.path])
    assert "1 paragraph shown" in result.output
    assert re.search(r"\d+ paragraphs in \d+ stor(y|ies) match;", result.output)
    one = CliRunner().invoke(cli.main, ["query", '"worst drought in two decades"', "--count",
                                        "--index", corpus_index.path])
    assert "1 paragraph in 1 story matches; 1 paragraph shown" in one.output


def test_the_package_namespace_is_the_api() -> None:
    names = set(dir(indexer))
    assert not names & {"Any", "TYPE_CHECKING", "annotations", "import_module"}
    assert names == set(indexer.__all__) | {"__version__"}
    for name in indexer.__all__:
        assert getattr(indexer, name) is not None


def test_log_file_times_are_utc_and_say_so(tmp_path: Path) -> None:
    log = tmp_path / "run.log"
    result = CliRunner().invoke(cli.main, ["ingest", str(CORPUS / "us"), "--index",
                                           str(tmp_path / "ix"), "--log-file", str(log)])
    assert result.exit_code == 0
    for line in log.read_text().splitlines():
        assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ", line), line


def test_count_and_facets_of_one_request_match_once(corpus_index: Index,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    match = Index._match
    monkeypatch.setattr(Index, "_match", lambda self, *a: calls.append(a) or match(self, *a))
    counted = corpus_index.count("drought OR rain", place="Australia")
    faceted = corpus_index.facets("drought OR rain", ("people", "tags"), place="Australia")
    assert len(calls) == 1
    assert counted[0] > 0 and faceted["tags"]
    corpus_index.count("drought OR rain")  # other filters: matched again
    assert len(calls) == 2
