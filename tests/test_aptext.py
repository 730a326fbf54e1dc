from datetime import datetime

import pytest

from indexer.enrich.people import PeopleFinder
from indexer.errors import WireFormatError
from indexer.formats import detect, read_stories

STORY = """Aleppo truce holds as convoys wait
By MARIAM HADDAD
Sept. 13, 2026 7:40 AM EDT

BEIRUT (AP) — A fragile cease-fire in northern Syria held for a second day Tuesday,
but trucks remained stuck at the border.

Syrian Foreign Minister Karim Nasrallah said the government would "give the truce
every chance."

Nasrallah is due in Geneva on Friday.

filed under: Syria, Russia, cease-fire
"""


def parse(text: str | bytes, story_id: str = "s1"):
    data = text.encode("utf-8") if isinstance(text, str) else text
    (story,) = read_stories(data, story_id, "/src/s1.txt")
    return PeopleFinder().add_people(story)  # as ingest stores it


def test_headline_byline_date_dateline_paragraphs_and_tags() -> None:
    story = parse(STORY)
    assert story.headline == "Aleppo truce holds as convoys wait"
    assert story.byline == "Mariam Haddad"
    assert story.date == datetime(2026, 9, 13, 11, 40)  # EDT -> naive UTC
    assert story.dateline.raw == "BEIRUT (AP) —"
    assert (story.dateline.city, story.dateline.region, story.dateline.agency) == (
        "Beirut", "Lebanon", "AP")
    assert story.paragraphs[0].startswith("A fragile cease-fire")  # dateline removed
    assert "BEIRUT" not in story.paragraphs[0]
    assert len(story.paragraphs) == 3
    assert "\n" not in story.paragraphs[0]  # hard-wrapped lines are joined
    assert story.tags == ["Syria", "Russia", "cease-fire"]
    assert story.people == ["Karim Nasrallah"]
    assert story.format == "ap"


def test_filed_under_is_a_trailer_not_a_paragraph() -> None:
    story = parse(STORY)
    assert not any("filed under" in p.lower() for p in story.paragraphs)


def test_empty_filed_under_gives_no_tags() -> None:
    story = parse("WASHINGTON (AP) — The Senate voted.\n\nfiled under:\n")
    assert story.tags == []
    assert story.paragraphs == ["The Senate voted."]


def test_story_without_headline_or_trailer() -> None:
    story = parse("CANBERRA, Australia (AP) -- Ministers met.\n\nThey agreed.")
    assert story.headline == ""
    assert story.tags == []
    assert story.paragraphs == ["Ministers met.", "They agreed."]


def test_headline_directly_above_dateline_without_blank_line() -> None:
    story = parse("Senate votes\nWASHINGTON (AP) _ The Senate voted.\n")
    assert story.headline == "Senate votes"
    assert story.paragraphs == ["The Senate voted."]


def test_cp1252_bytes_fall_back_without_crashing() -> None:
    data = "PARIS (AP) — The caf\u00e9 said \u201cnon\u201d.\n".encode("cp1252")
    story = parse(data)
    assert story.paragraphs == ["The caf\u00e9 said \u201cnon\u201d."]


def test_utf8_bom_and_crlf_line_ends() -> None:
    data = b"\xef\xbb\xbfTOKYO (AP) \xe2\x80\x94 A quake hit.\r\n\r\nTrains stopped.\r\n"
    story = parse(data)
    assert story.dateline.city == "Tokyo"
    assert story.paragraphs == ["A quake hit.", "Trains stopped."]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"   \n\n  ", "empty"),
        (b"\x00\x01\x02binary\x00junk" * 20, "binary"),
        (b"Just a note with no dateline.\n\nAnother line.", "dateline"),
    ],
)
def test_bad_input_is_rejected_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(WireFormatError, match=reason):
        read_stories(data, "bad")


def test_detect_finds_ap_text_by_content() -> None:
    assert detect(STORY.encode()) == "ap"
