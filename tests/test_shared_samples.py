"""The readers on the real agency samples in ../shared/data (skipped when it is absent)."""

from __future__ import annotations

import importlib.util
from datetime import datetime
from pathlib import Path

import pytest

from indexer.enrich.people import PeopleFinder
from indexer.formats import parse_file

SAMPLES = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
pytestmark = pytest.mark.skipif(not SAMPLES.is_dir(), reason="../shared/data is absent")


def only(relative: str):
    path = SAMPLES / "formats" / relative
    (story,) = parse_file(path.read_bytes(), path.stem, str(path)).stories
    return PeopleFinder().add_people(story)  # as ingest stores it


def test_anpa_ap_sports_story() -> None:
    story = only("anpa1312/ap_anpa-1.tst")
    assert story.format == "anpa"
    assert story.headline == "Deng has 30 points, short-handed Heat beat Hawks 115-111"
    assert story.byline == "Charles Odum"
    assert (story.dateline.city, story.dateline.region, story.dateline.agency) == (
        "Atlanta", "Georgia", "AP")
    assert story.paragraphs[0].startswith("Luol Deng scored 30 points")
    assert story.version == 1 and story.key == "AP:BC-BKN--Heat-Hawks"
    assert "Jeff Teague" in story.people and "Charles Odum" not in story.people


def test_anpa_dateline_with_country() -> None:
    story = only("anpa1312/anpa-1.tst")
    assert (story.dateline.city, story.dateline.region) == ("Buenos Aires", "Argentina")
    assert story.byline == "Paul Byrne, Almudena Calatrava"


def test_iptc7901_dpa() -> None:
    story = only("iptc7901/dpa_two_line.txt")
    assert story.headline.startswith("Peace talks on Yemen to take place in Sweden")
    assert (story.dateline.city, story.dateline.agency) == ("Washington", "dpa")
    assert story.tags == ["Yemen", "conflict"]
    assert {"Jim Mattis", "Martin Griffiths"} <= set(story.people)
    assert story.date == datetime(2018, 11, 21, 21, 1)


def test_nitf_ap() -> None:
    story = only("nitf/ap-nitf.xml")
    assert story.headline == "Can trading pollution like stocks help fight climate change?"
    assert story.byline == "Bernard Condon"
    assert (story.dateline.city, story.dateline.agency) == ("New York", "AP")
    assert story.paragraphs[0].startswith("The gas produced by hog manure")
    assert "Bernard Condon" not in story.people


def test_nitf_inline_person_and_keywords() -> None:
    story = only("nitf/nitf-fishing.xml")
    assert story.byline == "Alan Karben"
    assert (story.dateline.city, story.dateline.region) == ("Newport News", "Virginia")
    assert {"fishing", "lures"} <= set(story.tags)


def test_newsml_g2_reuters() -> None:
    story = only("newsml-g2/tag_reuters.com_2014_newsml_KBN0FL0ZP_version_2.xml")
    assert story.version == 2
    assert (story.dateline.city, story.dateline.agency) == ("Beirut", "Reuters")
    assert "Bashar al-Assad" in story.people


def test_newsml_g2_many_items_in_one_message() -> None:
    path = SAMPLES / "formats/newsml-g2/ap.xml"
    stories = parse_file(path.read_bytes(), path.stem).stories
    assert len(stories) == 3
    assert len({s.story_id for s in stories}) == 3
    assert all(s.story_id.startswith("tag:ap.org") for s in stories)
    assert stories[0].dateline.region == "Pennsylvania"


def test_newsml_1_2_afp() -> None:
    story = only("newsml-1.2/afp.xml")
    assert story.headline == "Sweden court accepts receivership for Saab carmaker"
    assert (story.dateline.city, story.dateline.region, story.dateline.agency) == (
        "Stockholm", "Sweden", "AFP")
    assert story.dateline.date == datetime(2014, 8, 29)


def test_ninjs_people_from_metadata_and_text() -> None:
    story = only("ninjs/ninjs3.1_005_complex_text_article.json")
    assert story.headline == "Captain of wrecked cruise ship on trial in Italy"
    assert story.byline == "Paulo Santalucia, Frances d'Emilio"
    assert (story.dateline.city, story.dateline.region) == ("Grosseto", "Italy")
    assert story.people[0] == "Francesco Schettino"


def test_ninjs_ap_media_api_item() -> None:
    story = only("ninjs/superdesk_ap_media_text_item.json")
    assert "Ariane Bellamar" in story.people
    assert "Baseball" in story.tags


def test_every_format_sample_is_read() -> None:
    rejected = []
    for path in sorted((SAMPLES / "formats").rglob("*")):
        if path.is_file():
            try:
                parse_file(path.read_bytes(), path.stem, str(path))
            except ValueError as exc:
                rejected.append((path.name, str(exc)))
    # a spec fragment without a story, and a video item: nothing to index in either
    assert [name for name, _ in rejected] == [
        "iptc-spec_LISTING_28_Illustrating_Located_Subject_and_Dateline.xml",
        "iptc-spec_ap_metadata_example.xml"]


def load_eval():
    spec = importlib.util.spec_from_file_location(
        "eval_formats", Path(__file__).resolve().parent.parent / "bench" / "eval_formats.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_reuters_floors(capsys) -> None:
    load_eval().reuters_figures(SAMPLES)
    out = capsys.readouterr().out
    figures = {line.split(":")[0].strip(): line for line in out.splitlines()}
    stories = int(figures["stories indexed / records present"].split(":")[1].split("/")[0])
    assert stories >= 17990
    city = float(figures["<DATELINE> city recovered"].split("(")[1].rstrip("%)"))
    assert city >= 99.3
    recall = float(figures["<PEOPLE> recall from the text alone"].split("(")[1].rstrip("%)"))
    assert recall >= 80.0
