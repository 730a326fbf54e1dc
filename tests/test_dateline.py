from datetime import datetime

import pytest

from indexer import parse_dateline
from indexer.enrich.dateline import split_dateline


@pytest.mark.parametrize(
    ("text", "city", "region", "agency"),
    [
        ("BEIRUT (AP) — Syria's truce held.", "Beirut", "Lebanon", "AP"),
        ("WASHINGTON (AP) — The Senate voted.", "Washington", "District of Columbia", "AP"),
        ("SPRINGFIELD, Ill. (AP) — Lawmakers met.", "Springfield", "Illinois", "AP"),
        ("CANBERRA, Australia (AP) — Ministers met.", "Canberra", "Australia", "AP"),
        ("BUENOS AIRES, Argentina (AP) _ Prices rose.", "Buenos Aires", "Argentina", "AP"),
        ("SACRAMENTO, Calif. (AP) -- The governor said.", "Sacramento", "California", "AP"),
        ("ALBANY, N.Y. (AP) – Lawmakers met.", "Albany", "New York", "AP"),
        ("LONDON (Reuters) - Shares fell.", "London", "United Kingdom", "Reuters"),
        ("Berlin (dpa) - Die Regierung hat.", "Berlin", "Germany", "dpa"),
        ("PARIS (AFP) - Le gouvernement.", "Paris", "France", "AFP"),
        ("ST. LOUIS (AP) — A jury found.", "St. Louis", "Missouri", "AP"),
        ("RIO DE JANEIRO (AP) — Carnival began.", "Rio de Janeiro", "Brazil", "AP"),
    ],
)
def test_dateline_forms(text: str, city: str, region: str, agency: str) -> None:
    dateline, rest = split_dateline(text)
    assert (dateline.city, dateline.region, dateline.agency) == (city, region, agency)
    assert not rest.startswith(("—", "-", "_", "–"))
    assert dateline.raw in text and dateline.raw.endswith(("—", "-", "_", "–", "--"))


def test_every_dash_variant_is_removed_from_the_body() -> None:
    for dash in ("—", "–", "--", "_"):
        dateline, rest = split_dateline(f"GENEVA (AP) {dash} Diplomats met Friday.")
        assert rest == "Diplomats met Friday."
        assert dateline.raw == f"GENEVA (AP) {dash}"


def test_reuters_dateline_carries_a_date_with_the_year_from_the_story() -> None:
    dateline = parse_dateline("NEW YORK, March 3 -", reference=datetime(1987, 3, 4))
    assert dateline.city == "New York"
    assert dateline.date == datetime(1987, 3, 3)
    assert dateline.agency is None


def test_december_dateline_of_a_january_story_is_last_year() -> None:
    dateline = parse_dateline("TOKYO, Dec 31 -", reference=datetime(1988, 1, 2))
    assert dateline.date == datetime(1987, 12, 31)


def test_us_state_gives_the_country() -> None:
    assert parse_dateline("SPRINGFIELD, Ill. (AP) —").country == "United States"


@pytest.mark.parametrize(
    "text",
    [
        "Police said - that was all.",
        "The president, who spoke Monday - said nothing.",
        "1,200 people (about half) - came.",
        "",
    ],
)
def test_sentences_are_not_datelines(text: str) -> None:
    assert split_dateline(text) is None


@pytest.mark.parametrize(("element", "raw", "opening"), [
    ("THE HAGUE, March 2 - Dutch exports of grain- ", "THE HAGUE, March 2 -",
     "Dutch exports of grain- and feed-bearing goods rose."),
    ("LONDON, April 1 - FIXTURES - ", "LONDON, April 1 -",
     "FIXTURES - and feed-bearing goods rose."),
    ("KANSAS CITY, Mo. - March 13 - ", "KANSAS CITY, Mo. - March 13 -",
     "and feed-bearing goods rose."),
    ("SALVADOR, Feb 26 - ", "SALVADOR, Feb 26 -", "and feed-bearing goods rose."),
])
def test_a_reuters_dateline_element_gives_back_the_words_it_swallowed(
        element: str, raw: str, opening: str) -> None:
    """Reuters-21578 closes some <DATELINE>s at a hyphen in the story's first words: the
    dateline ends at its own dash, the words after it open the body."""
    from indexer.formats import parse_file

    record = (f'<REUTERS NEWID="9"><DATE> 2-MAR-1987 05:43:35.46</DATE><TEXT>'
              f"<TITLE>GOODS ROSE</TITLE><DATELINE>    {element}</DATELINE><BODY>and "
              "feed-bearing\ngoods rose.\n Reuter\n</BODY></TEXT></REUTERS>")
    (story,) = parse_file(record.encode(), "x", fmt="reuters").stories
    assert story.dateline.raw == raw
    assert story.paragraphs[0] == opening
    assert story.dateline.date is not None and story.dateline.date.year == 1987
