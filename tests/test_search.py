"""Ranking, filters and the typed hits of Index.search()."""

from __future__ import annotations

from datetime import datetime

import pytest
import whoosh.query as wq

from indexer import Hit, Index
from indexer.errors import QueryError
from indexer.search.bm25f import FieldGroup
from indexer.search.query import phrases_as_words


def ids(hits: list[Hit]) -> list[str]:
    return [f"{h.story_id}#{h.paragraph}" for h in hits]


def test_hits_are_ranked_paragraphs_with_story_context(corpus_index: Index) -> None:
    hits = corpus_index.search("trucks flour medicine border")
    top = hits[0]
    assert (top.story_id, top.paragraph, top.paragraphs) == ("world/aleppo-truce", 1, 6)
    assert top.rank == 1 and top.score > hits[1].score > 0
    assert top.headline.startswith("Aleppo truce holds")
    assert top.dateline.raw == "BEIRUT (AP) —" and top.dateline.region == "Lebanon"
    assert top.date == datetime(2026, 9, 13, 11, 40)
    assert "Karim Nasrallah" in top.people and "cease-fire" in top.tags
    assert [h.rank for h in hits] == list(range(1, len(hits) + 1))


def test_more_query_words_rank_higher_and_none_is_required(corpus_index: Index) -> None:
    hits = corpus_index.search("flour medicine volcano")  # nothing mentions a volcano
    assert hits, "an OR query must still find paragraphs missing one word"
    both = [h for h in hits if "flour" in h.text and "medicine" in h.text]
    one = [h for h in hits if ("flour" in h.text) != ("medicine" in h.text)]
    assert both and hits[0] == both[0]
    assert all(b.score > o.score for b in both for o in one)


def test_stemming_matches_other_word_forms(corpus_index: Index) -> None:
    assert "world/canberra-drought#2" in ids(corpus_index.search("farmer"))  # "farmers"


def test_phrase_query(corpus_index: Index) -> None:
    hits = corpus_index.search('"fragile cease-fire"')
    assert ids(hits) == ["world/aleppo-truce#1"]


def test_negated_phrase_takes_its_stories_out_of_the_story_pass(corpus_index: Index) -> None:
    # the story pass's fields keep no positions: the phrase is found through paragraphs
    # (as a negated word does: the story leaves the story pass, and only its paragraphs
    # that match the rest of the query on their own can follow)
    hits = corpus_index.search('cease-fire NOT "fragile cease-fire"')
    assert hits[0].story_id == "world/geneva-talks"
    assert "world/aleppo-truce#1" not in ids(hits)
    assert all("fragile cease-fire" not in hit.text for hit in hits)
    assert ids(hits) == ids(corpus_index.search("cease-fire NOT fragile"))


def test_story_pass_searches_a_phrase_as_its_words() -> None:
    phrase = wq.Phrase("fulltext", ["fragil", "ceas", "fire"], boost=2.0)
    assert phrases_as_words(wq.Or([phrase, wq.Term("story_headline", "truce")])) == wq.Or([
        wq.And([wq.Term("fulltext", w) for w in ["fragil", "ceas", "fire"]], boost=2.0),
        wq.Term("story_headline", "truce")])
    # spread over fields: each word a group over the fields that read the phrase alike;
    # a field that reads it as one term (tags) keeps its term
    spread = FieldGroup([wq.Phrase("fulltext", ["ceas", "fire"]),
                         wq.Phrase("story_headline", ["ceas", "fire"], boost=2.0),
                         wq.Term("tags", "cease-fire")], boost=3.0)
    assert phrases_as_words(spread) == wq.Or([
        wq.And([FieldGroup([wq.Term("fulltext", word), wq.Term("story_headline", word,
                                                              boost=2.0)])
                for word in ("ceas", "fire")]),
        FieldGroup([wq.Term("tags", "cease-fire")])], boost=3.0)


def test_boolean_and_field_queries(corpus_index: Index) -> None:
    both = corpus_index.search("Evensen AND trucks")
    assert ids(both) == ["world/aleppo-truce#3"]
    without = corpus_index.search("Evensen NOT trucks")
    assert without and all("trucks" not in h.text for h in without)
    # Whoosh's AndNot lets excluded paragraphs through when many results are collected
    many = corpus_index.search("Evensen NOT trucks", limit=200, story_weight=0)
    assert many and all("trucks" not in h.text for h in many)
    assert "world/aleppo-truce#3" not in ids(without)
    headline = corpus_index.search("headline:earthquake")
    assert {h.story_id for h in headline} == {"world/tokyo-quake"}


def test_wildcard_query_highlights_the_expanded_words(corpus_index: Index) -> None:
    hits = corpus_index.search("infla*")
    assert hits and {h.story_id for h in hits} >= {"world/buenos-aires-inflation"}
    first = hits[0]
    marked = [first.text[s:e].lower() for s, e in first.highlights]
    assert marked and all(word.startswith("infla") for word in marked)


def test_highlights_mark_matched_words(corpus_index: Index) -> None:
    hit = corpus_index.search("drought farmers")[0]
    marked = {hit.text[s:e].lower() for s, e in hit.highlights}
    assert marked <= {"drought", "farmers", "farmer"} and "drought" in marked


def test_person_filter_full_name_and_surname(corpus_index: Index) -> None:
    full = corpus_index.search("said", person="Lars Evensen", limit=50)
    assert {h.story_id for h in full} == {"world/aleppo-truce", "world/geneva-talks"}
    assert {h.story_id for h in corpus_index.search("said", person="evensen", limit=50)} == {
        "world/aleppo-truce", "world/geneva-talks"}
    assert corpus_index.search("said", person="Nobody Known") == []


def test_tag_filter_is_case_insensitive(corpus_index: Index) -> None:
    hits = corpus_index.search("said", tag="PUBLIC HEALTH", limit=50)
    assert {h.story_id for h in hits} == {"us/chicago-heat", "us/atlanta-vaccine"}


def test_place_filter_matches_city_state_and_country(corpus_index: Index) -> None:
    illinois = {h.story_id for h in corpus_index.search("said", place="Illinois", limit=50)}
    assert illinois == {"us/springfield-budget", "us/chicago-heat", "sports/chicago-baseball"}
    assert {h.story_id for h in corpus_index.search("said", place="Ill.", limit=50)} == illinois
    lebanon = {h.story_id for h in corpus_index.search("said", place="Lebanon", limit=50)}
    assert lebanon == {"world/aleppo-truce"}  # BEIRUT stands alone in its dateline
    assert {h.story_id for h in corpus_index.search("said", place="springfield")} == {
        "us/springfield-budget"}


def test_date_filters(corpus_index: Index) -> None:
    july = corpus_index.search("said", since="2026-07-01", until="2026-07-31", limit=50)
    assert {h.story_id for h in july} == {"us/springfield-budget", "us/senate-cyber",
                                          "us/chicago-heat"}
    assert all(datetime(2026, 7, 1) <= h.date < datetime(2026, 8, 1) for h in july)
    since_october = corpus_index.search("said", since=datetime(2026, 10, 1), limit=50)
    assert {h.story_id for h in since_october} == {"world/tokyo-quake", "us/atlanta-vaccine",
                                                  "sports/nairobi-marathon"}


def test_filters_combine(corpus_index: Index) -> None:
    hits = corpus_index.search("said", place="Chicago", tag="baseball")
    assert {h.story_id for h in hits} == {"sports/chicago-baseball"}


def test_limit_and_per_story(corpus_index: Index) -> None:
    assert len(corpus_index.search("said", limit=3)) == 3
    capped = corpus_index.search("said", limit=30, per_story=1)
    stories = [h.story_id for h in capped]
    assert len(stories) == len(set(stories)) > 5
    two = corpus_index.search("said", limit=40, per_story=2)
    assert max(sum(1 for h in two if h.story_id == s) for s in set(stories)) == 2


def test_bad_queries_and_filters_raise_query_error(corpus_index: Index) -> None:
    with pytest.raises(QueryError):
        corpus_index.search("   ")
    with pytest.raises(QueryError, match="cannot read date"):
        corpus_index.search("said", since="last tuesday")
    with pytest.raises(QueryError):
        corpus_index.search("said", limit=0)


def test_story_round_trip(corpus_index: Index) -> None:
    story = corpus_index.story("us/springfield-budget")
    assert story.byline == "John O'Connell"
    assert story.dateline.region == "Illinois" and story.dateline.country == "United States"
    assert story.people == ["Patricia Langford", "Thomas Brandt", "Maria Delgado"]
    assert len(story.paragraphs) == 5
    assert corpus_index.story("no/such-story") is None


def test_hyphenated_query_word_is_a_phrase(corpus_index: Index) -> None:
    hits = corpus_index.search("body:cease-fire")
    assert hits and all("cease-fire" in h.text for h in hits)
    assert not corpus_index.search("body:fire-cease")


def test_date_clauses_in_the_query_language(corpus_index: Index) -> None:
    def stories(query: str) -> set[str]:
        return {h.story_id for h in corpus_index.search(query, limit=100)}

    assert stories("date:[2026-09-01 to 2026-09-14]") == {"world/aleppo-truce",
                                                         "business/frankfurt-rates"}
    assert stories("date:2026-10") == {"world/tokyo-quake", "us/atlanta-vaccine",
                                       "sports/nairobi-marathon"}
    assert stories("date:>2026-10-04") == {"us/atlanta-vaccine", "sports/nairobi-marathon"}
    assert stories("date:2026-09 AND drivers") == {"world/aleppo-truce"}


def test_sorting_by_date_orders_every_match(corpus_index: Index) -> None:
    everything = len(corpus_index.matching_docnums("said"))
    newest = corpus_index.search("said", sort="newest", limit=100)
    oldest = corpus_index.search("said", sort="oldest", limit=100)
    assert len(newest) == len(oldest) == everything > 10
    dates = [hit.date for hit in newest if hit.date is not None]
    assert dates == sorted(dates, reverse=True) and dates[0] > dates[-1]
    assert [hit.date for hit in oldest if hit.date is not None] == sorted(dates)
    page = corpus_index.search("said", sort="newest", limit=5, offset=5)
    assert [(h.story_id, h.paragraph) for h in page] == [
        (h.story_id, h.paragraph) for h in newest[5:10]]
    with pytest.raises(QueryError):
        corpus_index.search("said", sort="sideways")
