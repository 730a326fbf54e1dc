"""The ranking model: BM25F over fields, paragraphs that answer, feedback (indexer.search.ranking).

Stories here are written for the tests; the development collections' floors are in
test_ranking_collections.py."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import pytest
from conftest import SHARED_DATA, story_text
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh import scoring
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID, TEXT, Schema
from whoosh.qparser import MultifieldParser, OrGroup
from whoosh.util.numeric import byte_to_length, length_to_byte

from indexer import Index
from indexer.search.bm25f import FieldGroup
from indexer.search.disjunction import top_documents
from indexer.search.filters import Filtered
from indexer.search.ranking import DEFAULT, RankingParams
from indexer.store.results import split_keywords

WEATHER = ["Heavy rain floods roads in the north", "Farmers welcome rain after dry summer",
           "Rain delays the harbour festival", "Forecasters expect more rain this week"]
TOPICS = ["budget", "bus lanes", "library hours", "school meals", "bridge repairs",
          "parking fees", "park cleanup", "museum grant", "tram extension", "housing plan"]
FILLER = 60


def _write(folder: Path, name: str, headline: str, lead: str) -> None:
    # every story of the same length, as news stories are, each word rare or common as it
    # is in news: `rain` in 5 stories of 66, `acid` in 2
    second = "Officials said more details would be published later in the week."
    (folder / f"{name}.txt").write_text(story_text("LONDON", headline=headline, lead=lead,
                                                   paragraphs=(second,), tags=None))


@pytest.fixture(scope="module")
def acid(tmp_path_factory: pytest.TempPathFactory) -> Index:
    """A chemical spill with `acid` in headline and text, an acid rain story whose text
    holds both words, weather stories with `rain`, and an archive around them."""
    folder = tmp_path_factory.mktemp("acid") / "stories"
    folder.mkdir()
    for number, headline in enumerate(WEATHER):
        _write(folder, f"weather-{number}", headline,
               "Rain fell for a third day across the region and the rivers rose again.")
    for number in range(FILLER):
        topic = TOPICS[number % len(TOPICS)]
        _write(folder, f"council-{number}", f"Council debates {topic}",
               f"Councillors argued over the {topic} for a second hour on Tuesday evening.")
    _write(folder, "spill", "Acid spill closes the ring road",
           "A tanker carrying acid overturned on the ring road early on Monday morning.")
    _write(folder, "forests", "Scientists count the cost to northern forests",
           "Acid rain has stripped the needles from pine trees across the northern hills.")
    index = Index.create(str(folder.parent / "index"))
    assert index.ingest([str(folder)]).ok
    return index


def test_a_headline_word_twice_ranks_below_a_story_with_every_word(acid: Index) -> None:
    # the model itself, feedback off: in an archive of 66 stories the 5 that feed back are
    # a twelfth of it, and its words reorder this pair (test_feedback_* cover feedback)
    stories = [hit.story_id for hit in acid.search("acid rain", per_story=1, feedback=False)]
    assert stories.index("forests") < stories.index("spill")
    assert acid.search("acid rain", feedback=False)[0].story_id == "forests"


def test_whooshs_per_field_sum_puts_the_headline_story_first(acid: Index,
                                                             tmp_path: Path) -> None:
    # the flaw the previous test guards against: Whoosh's BM25F saturates each field on
    # its own and adds them, so the spill story's one word, twice, wins
    schema = Schema(id=ID(stored=True), headline=TEXT(analyzer=StemmingAnalyzer()),
                    body=TEXT(analyzer=StemmingAnalyzer()))
    ix = whoosh_index.create_in(str(tmp_path), schema)
    writer = ix.writer()
    for story_id in ("spill", "forests", *(f"weather-{n}" for n in range(len(WEATHER))),
                     *(f"council-{n}" for n in range(FILLER))):
        story = acid.story(story_id)
        writer.add_document(id=story_id, headline=story.headline,
                            body="\n\n".join(story.paragraphs))
    writer.commit()
    parser = MultifieldParser(["headline", "body"], schema, {"headline": 1.6}, group=OrGroup)
    with ix.searcher(weighting=scoring.BM25F()) as searcher:
        assert searcher.search(parser.parse("acid rain"))[0]["id"] == "spill"


def test_a_word_in_several_fields_is_saturated_once(acid: Index) -> None:
    searcher = acid.searcher()
    params = acid.ranking
    query, _ = acid.parsers().stories("acid")
    assert isinstance(query, FieldGroup)
    spill = next(r for r in searcher.search(query, limit=None)
                 if r["story_id"] == "spill")
    # by hand, from the definition: each field's frequency over its own length
    # normalisation, weighted and summed, then saturated once under one idf
    fields = {spec.name: spec for spec in params.story_fields}
    stories = searcher.doc_frequency("kind", "story")
    total = 0.0
    for name, tf in (("fulltext", 1), ("story_headline", 1)):
        length = byte_to_length(length_to_byte(searcher.doc_field_length(spill.docnum, name)))
        average = searcher.field_length(name) / stories
        spec = fields[name]
        total += spec.weight * tf / ((1 - spec.b) + spec.b * length / average)
    df = searcher.doc_frequency("fulltext", "acid")
    idf = math.log(1 + (stories - df + 0.5) / (df + 0.5))
    expected = idf * total * (params.k1 + 1) / (params.k1 + total)
    assert spill.score == pytest.approx(expected, rel=1e-9)


@pytest.fixture(scope="module")
def drought(tmp_path_factory: pytest.TempPathFactory) -> Index:
    """A story with `drought` in its headline and tags only, another that says it."""
    folder = tmp_path_factory.mktemp("drought") / "stories"
    folder.mkdir()
    (folder / "outlook.txt").write_text(story_text(
        "SYDNEY", "Australia", headline="Drought outlook worsens for the east",
        lead="Forecasters said the coming months would be hotter than usual.",
        paragraphs=("Reservoirs stood at a third of capacity.",
                    "Cattle prices fell at the Wagga market."), tags="drought, weather"))
    (folder / "loans.txt").write_text(story_text(
        "CANBERRA", "Australia", headline="Government extends farm loans",
        lead="The government extended cheap loans to farmers hit by the long drought.",
        paragraphs=("Officials said the scheme would run until June.",), tags="farming"))
    index = Index.create(str(folder.parent / "index"))
    assert index.ingest([str(folder)]).ok
    return index


def test_paragraphs_that_hold_the_word_come_before_those_that_do_not(drought: Index) -> None:
    hits = drought.search("drought")
    assert (hits[0].story_id, hits[0].paragraph) == ("loans", 1) and hits[0].highlights
    # the outlook story is found by its headline and tags, its paragraphs after
    assert [h.story_id for h in hits[1:]] == ["outlook"] * 3
    assert not any(h.highlights for h in hits[1:])
    # its story scores higher, but a score never rises down the ranking (#42): the ones
    # below are capped at the answering paragraph's, so tools that sort by score agree
    assert all(h.score <= hits[0].score for h in hits[1:])


def test_feedback_retrieves_again_for_plain_words_only(corpus_index: Index) -> None:
    fed = corpus_index.search("minister", per_story=1, limit=50)
    exact = [h.story_id for h in corpus_index.search("minister", per_story=1, limit=50,
                                                     feedback=False)]
    # the stories that hold the word, reordered, first; then stories the feedback words
    # found, which do not hold it (their shown paragraph does not answer)
    answering = [h.story_id for h in fed if h.highlights]
    assert answering != exact and sorted(answering) == sorted(exact)
    assert [h.story_id for h in fed[:len(exact)]] == answering
    found = fed[len(exact):]
    assert found and not any(h.highlights for h in found)
    for hit in found:
        story = corpus_index.story(hit.story_id)
        assert "minister" not in " ".join([story.headline, *story.paragraphs]).lower()
    # a phrase, a field or an operator says exactly what is wanted: no feedback
    for query in ('"foreign minister"', "body:minister", "minister AND syria",
                  "minister NOT drought"):
        with_feedback = [(h.story_id, h.paragraph) for h in corpus_index.search(query)]
        assert with_feedback == [(h.story_id, h.paragraph)
                                 for h in corpus_index.search(query, feedback=False)]


def test_ranking_params_are_taken_per_query(corpus_index: Index) -> None:
    paragraphs_only = RankingParams(story_weight=0.0, feedback=False)
    hits = corpus_index.search("drought farmers", ranking=paragraphs_only)
    assert hits == corpus_index.search("drought farmers", story_weight=0.0, feedback=False)
    assert hits != corpus_index.search("drought farmers")
    assert corpus_index.ranking == RankingParams()  # the index's own is untouched


def test_a_query_with_its_own_weighting_leaves_the_shared_searcher_as_it_was(
        corpus_index: Index) -> None:
    # another k1 and b for one query: scored as an index opened with that ranking scores
    # it, without re-weighting the searcher other queries (other threads) share
    from concurrent.futures import ThreadPoolExecutor

    from indexer.search.bm25f import FieldSpec

    other = RankingParams(k1=0.9, story_fields=(FieldSpec("fulltext", 1.0, 0.3),
                                                FieldSpec("story_headline", 2.0, 0.3)))
    queries = ["drought farmers", "aid convoys cease-fire", "harbor tides"]
    shared = corpus_index.searcher()
    weighting = shared.weighting
    plain = [corpus_index.search(q) for q in queries]
    custom = [corpus_index.search(q, ranking=other) for q in queries]
    assert shared.weighting is weighting
    with Index.open(corpus_index.path, ranking=other) as reopened:
        assert custom == [reopened.search(q) for q in queries]
    assert any(a != b for a, b in zip(plain, custom, strict=True))  # k1 and b did change it
    # both rankings at once from threads: each answer as it was alone
    with ThreadPoolExecutor(4) as pool:
        mixed = list(pool.map(lambda n: corpus_index.search(
            queries[n % 3], ranking=other if n % 2 else None), range(24)))
    assert mixed == [custom[n % 3] if n % 2 else plain[n % 3] for n in range(24)]


def test_feedback_words_are_the_expansion_the_ranking_used(corpus_index: Index) -> None:
    # RM3: the words' weights are the feedback share of the expanded query
    words = corpus_index.feedback_words("drought farmers")
    assert len(words) == DEFAULT.feedback_terms
    assert math.isclose(sum(weight for _, weight in words), 1 - DEFAULT.feedback_weight)
    assert [weight for _, weight in words] == sorted((w for _, w in words), reverse=True)
    stems = {word for word, _ in words}
    assert {"farmer", "drought"} <= stems and len(stems - {"farmer", "drought"}) > 10
    # a query that says exactly what it wants, or feedback switched off: no words
    assert corpus_index.feedback_words('"drought farmers"') == []
    assert corpus_index.feedback_words("drought AND farmers") == []
    assert corpus_index.feedback_words("drought farmers", feedback=False) == []
    # the words are the ranking's: without them the hits change
    assert corpus_index.search("drought farmers") != corpus_index.search(
        "drought farmers", feedback=False)


@pytest.fixture(scope="module")
def reuters_index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    """Two files of real Reuters copy, one commit each (several segments, as nightly
    ingests leave an archive)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"no shared data at {SHARED_DATA}")
    shared_data = SHARED_DATA
    path = tmp_path_factory.mktemp("reuters") / "index"
    index = Index.create(str(path))
    for name in ("reut2-000.sgm", "reut2-001.sgm"):
        index.ingest([str(shared_data / "reuters21578" / name)], fmt="reuters")
    return index


def _expanded(index: Index, text: str) -> wq.Query:
    """The story pass of `text` with its feedback words, weighed as RM3 weighs them: the
    query's words share feedback_weight, each feedback word its own weight."""
    words = index.feedback_words(text)
    story, _ = index.parsers().stories(text)
    groups = list(story.subqueries) if isinstance(story, wq.Or) else [story]
    share = DEFAULT.feedback_weight / len(groups)
    fields = DEFAULT.story_fields
    return wq.Or([*(group.with_boost(group.boost * share) for group in groups),
                  *(FieldGroup([wq.Term(spec.name, word, boost=spec.weight)
                                for spec in fields], boost=weight, answering=False)
                    for word, weight in words)])


@pytest.mark.parametrize("source", ["corpus", "reuters"])
def test_pruned_feedback_pass_finds_exactly_the_exhaustive_top(
        source: str, request: pytest.FixtureRequest) -> None:
    # the second story pass of feedback scores 20-odd words: MaxScore must keep the very
    # stories and scores that scoring every story gives
    index = request.getfixturevalue("corpus_index" if source == "corpus" else "reuters_index")
    searcher = index.searcher()
    queries = (["drought farmers", "minister", "aid convoys", "rain"]
               if source == "corpus" else
               ["oil prices", "coffee exports", "bank of japan", "trade deficit talks",
                "wheat", "gold", "crude oil output opec", "interest rates"])
    # and under filters, which decide the documents that count toward the threshold: the
    # first half of the stories by date, and those filed under the commonest tag
    stories = [fields for fields in searcher.documents(kind="story") if fields.get("date")]
    dates = sorted(fields["date"] for fields in stories)
    tags = Counter(tag for fields in stories for tag in split_keywords(fields.get("tags")))
    filters = [None, (None, (None, dates[len(dates) // 2])),
               (wq.Term("tags", tags.most_common(1)[0][0]), None)]
    pruned_some = False
    for text in queries:
        expanded = _expanded(index, text)
        assert len(list(expanded.subqueries)) > 10
        for given in filters:
            query = expanded if given is None else Filtered(expanded, *given)
            everything = top_documents(searcher, query, 10**6, prune=False)
            assert everything is not None and everything.exhausted
            for limit in (1, 10, 20):
                exact = everything.ranked[:limit]
                pruned = top_documents(searcher, query, limit)
                assert pruned.ranked == exact, (text, given, limit)
                pruned_some |= len(everything.ranked) > 4 * limit
    assert pruned_some  # the queries are wide enough for pruning to have work to do
