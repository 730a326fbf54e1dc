"""--context, did-you-mean, --facets and `indexer similar` on the project's corpus."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from click.testing import CliRunner

from indexer import Index, cli, errors
from indexer.errors import QueryError


def test_context_gives_the_paragraphs_around_each_hit(corpus_index: Index) -> None:
    hit = corpus_index.search('"40 trucks were loaded"', context=2)[0]
    assert (hit.story_id, hit.paragraph) == ("world/aleppo-truce", 3)
    assert [c.paragraph for c in hit.before] == [1, 2]
    assert [c.paragraph for c in hit.after] == [4, 5]
    assert hit.after[0].text.startswith("Opposition activists reported")
    first = corpus_index.search('"fragile cease-fire"', context=1)[0]
    assert first.before == [] and [c.paragraph for c in first.after] == [2]
    data = first.to_dict(with_context=True)
    assert data["context"]["after"][0]["paragraph"] == 2
    assert "context" not in first.to_dict()


def test_context_in_text_output_is_marked(corpus_index: Index) -> None:
    result = CliRunner().invoke(cli.main, ["query", '"40 trucks were loaded"', "--index",
                                           corpus_index.path, "--context", "1", "--limit", "1"])
    lines = result.output.splitlines()
    assert any(line.startswith("   ¶2 ") for line in lines)
    assert any(line.startswith("   > The U.N. envoy") for line in lines)
    assert any(line.startswith("   ¶4 ") for line in lines)


def test_did_you_mean_from_the_index_vocabulary_and_names(corpus_index: Index) -> None:
    assert corpus_index.suggest("drougth farmres") == "drought farmers"
    assert corpus_index.suggest("Evensn") == "Evensen"
    assert corpus_index.suggest("Nasralah truce") == "Nasrallah truce"
    assert corpus_index.suggest("drought farmers") is None


def test_no_hits_suggests_a_correction(corpus_index: Index) -> None:
    result = CliRunner().invoke(cli.main, ["query", "drougth farmres", "--index",
                                           corpus_index.path])
    assert result.exit_code == errors.EXIT_NO_HITS
    assert "did you mean: 'drought farmers'?" in result.output


def test_no_suggestion_when_the_page_is_full_or_a_word_is_in_a_headline(
        corpus_index: Index) -> None:
    result = CliRunner().invoke(cli.main, ["query", "aid convoys cease-fire", "--limit", "1",
                                           "--index", corpus_index.path])
    assert result.exit_code == 0 and "did you mean" not in result.output
    assert corpus_index.suggest("convoys") is None  # only in a headline, still a real word


def test_facets_count_stories_not_paragraphs(corpus_index: Index) -> None:
    counts = corpus_index.facets("truce OR Evensen", ("people", "tags", "place", "date"))
    assert ("Lars Evensen", 2) in counts["people"]  # two stories, many paragraphs
    assert ("Syria", 2) in counts["tags"]
    assert ("Lebanon", 1) in counts["place"] and ("Switzerland", 1) in counts["place"]
    assert counts["date"] == [("2026-09", 2)]
    filtered = corpus_index.facets("said", ("place",), place="Illinois")
    assert ("Illinois", 3) in filtered["place"]
    with pytest.raises(QueryError, match="unknown facet"):
        corpus_index.facets("said", ("colour",))


def test_facets_in_json_output(corpus_index: Index) -> None:
    result = CliRunner().invoke(cli.main, ["query", "truce", "--index", corpus_index.path,
                                           "--format", "json", "--facets", "people,tags"])
    data = json.loads(result.output)
    assert set(data) == {"hits", "facets"}
    assert {"value": "Lars Evensen", "count": 2} in data["facets"]["people"]
    assert set(data["facets"]) == {"people", "tags"}


def test_similar_stories(corpus_index: Index) -> None:
    hits = corpus_index.similar("world/aleppo-truce", limit=3)
    assert hits[0].story_id == "world/geneva-talks"
    assert all(h.story_id != "world/aleppo-truce" for h in hits)
    by_paragraph = corpus_index.similar("world/aleppo-truce", paragraph=3, limit=1)
    assert by_paragraph[0].story_id == "world/geneva-talks"
    with pytest.raises(QueryError, match="no story"):
        corpus_index.similar("nope")
    result = CliRunner().invoke(cli.main, ["similar", "world/aleppo-truce#3", "--index",
                                           corpus_index.path, "--format", "jsonl"])
    assert json.loads(result.output.splitlines()[0])["story_id"] == "world/geneva-talks"
    missing = CliRunner().invoke(cli.main, ["similar", "nope", "--index", corpus_index.path])
    assert missing.exit_code == errors.EXIT_NO_HITS


def test_relative_since(corpus_index: Index) -> None:
    from datetime import datetime

    from indexer.search.filters import parse_when

    now = datetime(2026, 10, 10)
    assert parse_when("7d", now=now) == datetime(2026, 10, 3)
    assert parse_when("2w", now=now) == datetime(2026, 9, 26)
    recent = corpus_index.search("said", since=parse_when("7d", now=now), limit=50)
    assert {h.story_id for h in recent} == {"world/tokyo-quake", "us/atlanta-vaccine",
                                            "sports/nairobi-marathon"}  # Oct. 3 03:15 UTC on


def test_feedback_lifts_stories_sharing_the_top_stories_words(corpus_index: Index) -> None:
    exact = [h.story_id for h in corpus_index.search("minister", per_story=1, feedback=False)]
    fed = [h.story_id for h in corpus_index.search("minister", per_story=1)
           if h.highlights]  # those that hold the word (feedback finds others too)
    assert exact[0] == fed[0] == "world/geneva-talks" and sorted(exact) == sorted(fed)
    # Syria, truce, aid: the top story's words lift the other Syria story
    assert fed.index("world/aleppo-truce") < exact.index("world/aleppo-truce")


@pytest.mark.parametrize(("query", "filters"), [
    ("said", {}), ("drought farmers", {}), ("rain OR water", {}), ('"aid convoys"', {}),
    ("said", {"tag": "strikes"}), ("said", {"since": "2026-09", "until": "2026-09"}),
    ("said", {"place": "Illinois"}), ("said", {"person": "Whitcombe"})])
def test_count_and_facets_cover_every_paragraph_search_finds(corpus_index: Index,
                                                              query: str,
                                                              filters: dict) -> None:
    # count and facets read the words' postings and the story id column (no stored
    # fields): the same paragraphs and stories as a search asked for every hit
    hits = corpus_index.search(query, limit=100_000, feedback=False, **filters)
    assert hits
    stories = {h.story_id: h for h in hits}
    assert corpus_index.count(query, **filters) == (len(hits), len(stories))
    people = Counter(name for h in stories.values() for name in h.people)
    found = corpus_index.facets(query, ("people",), top=1000, **filters)["people"]
    assert dict(found) == dict(people)
