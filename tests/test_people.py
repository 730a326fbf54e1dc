"""People extraction on realistic wire copy (our own text)."""

from indexer import extract_people, find_mentions

COPY = """BEIRUT (AP) — Syria's fragile cease-fire appeared to hold Tuesday as Syrian President
Bashar Assad vowed to retake the whole country, while U.S. Secretary of State John Kerry
urged restraint.

Russian Defense Ministry spokesman Maj. Gen. Igor Konashenkov said the Joint Implementation
Center would log violations. Kerry said the Islamic State group was not covered.

The state news agency SANA and CNN reported shelling near Aleppo, and the Australian
Broadcasting Corp. said Assad's forces were moving.
"""


def test_titles_are_removed_and_full_names_kept() -> None:
    people = extract_people(COPY)
    assert "Bashar Assad" in people
    assert "Igor Konashenkov" in people
    assert "John Kerry" in people


def test_bare_surname_folds_into_full_name() -> None:
    people = extract_people(COPY)
    assert "Kerry" not in people and "Assad" not in people
    mentions = find_mentions(COPY)
    kerry = [m for m in mentions if m.name == "John Kerry"]
    assert len(kerry) == 2  # "John Kerry" and the later bare "Kerry"
    assert {COPY[m.start:m.end] for m in kerry} == {"John Kerry", "Kerry"}


def test_organisations_places_and_agencies_are_not_people() -> None:
    people = extract_people(COPY)
    for not_a_person in ("Islamic State", "Joint Implementation Center", "SANA", "CNN",
                         "Aleppo", "Australian Broadcasting Corp.", "Syria"):
        assert not any(not_a_person.split()[0] in name for name in people), (not_a_person, people)
    assert people == ["Bashar Assad", "John Kerry", "Igor Konashenkov"]


def test_possessive_is_dropped() -> None:
    assert extract_people("Chancellor Angela Merkel's spokesman spoke.") == ["Angela Merkel"]


def test_particles_stay_in_the_name() -> None:
    people = extract_people("French President Charles de Gaulle and Dutch painter "
                            "Vincent van Gogh were named.")
    assert people == ["Charles de Gaulle", "Vincent van Gogh"]


def test_speech_verb_admits_a_name_without_a_known_given_name() -> None:
    assert extract_people("Union leader Declan Murphy said members would strike.") == [
        "Declan Murphy"]


def test_mention_spans_point_at_the_name() -> None:
    text = "Gov. Patricia Langford, a Democrat, said she would sign. Langford smiled."
    spans = [(text[m.start:m.end], m.name) for m in find_mentions(text)]
    assert spans == [("Patricia Langford", "Patricia Langford"),
                     ("Langford", "Patricia Langford")]


def test_sentence_initial_words_and_months_are_not_people() -> None:
    text = "The Senate met on Monday. In March, Senate Majority Leader Franklin Ames spoke."
    assert extract_people(text) == ["Franklin Ames"]
