"""Every wire format reader on fixtures we wrote from each format's published layout."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from indexer.enrich.people import PeopleFinder
from indexer.formats import READERS, detect, gunzip, parse_file

FIXTURES = Path(__file__).parent / "fixtures" / "formats"


def parsed_only(name: str, fmt: str = "auto"):
    path = FIXTURES / name
    return parse_file(path.read_bytes(), path.stem, str(path), fmt)


def stories_of(name: str, fmt: str = "auto"):
    """The file's stories as ingest stores them: read, then their people found."""
    parsed = parsed_only(name, fmt)
    return replace(parsed, stories=[PeopleFinder().add_people(s) for s in parsed.stories])


def only(name: str):
    (story,) = stories_of(name).stories
    return story


def test_a_plain_parse_lists_only_the_files_own_people() -> None:
    # readers return what the file says; the people the text names are an ingest stage
    coded = parsed_only("reuters.sgm").stories[0]
    assert coded.people == ["Harriet Vandermeer"]  # its <PEOPLE> code
    plain = parsed_only("trec-ap.gz").stories[0]
    assert plain.people == []
    assert PeopleFinder().add_people(plain).people == ["Tobias Quinlan"]


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("reuters.sgm", "reuters"), ("nitf.xml", "nitf"), ("newsml-g2-v1.xml", "newsml-g2"),
     ("newsml12.xml", "newsml-1.2"), ("ninjs-v3.json", "ninjs"), ("ninjs-v1.json", "ninjs"),
     ("anpa.tst", "anpa"), ("iptc7901.txt", "iptc7901")],
)
def test_format_is_detected_from_content(name: str, fmt: str, tmp_path: Path) -> None:
    data = (FIXTURES / name).read_bytes()
    assert detect(data) == fmt
    renamed = tmp_path / "no-extension"  # the name plays no part
    renamed.write_bytes(data)
    assert detect(renamed.read_bytes()) == fmt


def test_reuters_sign_off_is_the_last_word_reuter_only() -> None:
    # the pattern the reader used to run over each body, as the oracle
    from indexer.formats.reuters import paragraphs_of

    signoff = re.compile(r"\s*\bReuter\b\s*$")
    for body in ("  Wheat rose.\n  Reuter\n", "  Wheat rose. Reuter", "  Wheat (Reuter",
                 "  Wheat rose.Reuter \n\n", "  Wheat xReuter", "  Wheat_Reuter",
                 "  Wheat Reuters", "  Reuter", "  Reuter said wheat rose.\n",
                 "  Wheat \u00e9Reuter", "  Wheat 5Reuter", "Reuter\u3000\n"):
        expected = signoff.sub("", body.rstrip()).split()
        assert " ".join(paragraphs_of(body)).split() == expected, body
    assert paragraphs_of("  Wheat rose.\n  Reuter\n") == ["Wheat rose."]
    assert paragraphs_of("  Wheat xReuter") == ["Wheat xReuter"]


def test_trec_detected_after_gunzip() -> None:
    assert detect(gunzip((FIXTURES / "trec-ap.gz").read_bytes())) == "trec"


def test_reuters_records() -> None:
    parsed = stories_of("reuters.sgm")
    first, brief = parsed.stories
    assert first.story_id == "90001"  # NEWID, not the position in the file
    assert first.headline == "U.S., CANADA OPEN GRAIN TALKS"
    assert (first.dateline.city, first.dateline.date) == ("Winnipeg", datetime(1987, 3, 4))
    assert first.date == datetime(1987, 3, 4, 9, 12, 30)
    assert first.tags == ["grain", "wheat", "usa", "canada", "wheat-board"]
    assert first.people == ["Harriet Vandermeer"]  # <PEOPLE> code merged with the text's name
    assert first.paragraphs[1].endswith("subsidies <and> quotas.")  # entities decoded
    assert len(first.paragraphs) == 3 and "Reuter" not in first.paragraphs[-1]
    assert brief.paragraphs == ["LONDON SHARES OPEN FIRMER IN QUIET TRADE"]  # title only
    assert parsed.problems == ["record NEWID=90003: story has no text"]


def test_trec_documents_from_gzip() -> None:
    first, second = stories_of("trec-ap.gz").stories
    assert (first.story_id, second.story_id) == ("AP900312-0001", "AP900312-0002")
    assert first.headline == "Ferry Service Resumes After Storm"
    assert first.byline == "Ellen Travers"
    assert (first.dateline.city, first.dateline.region, first.dateline.agency) == (
        "Portland", "Maine", "AP")
    assert first.date == datetime(1990, 3, 12)
    assert len(first.paragraphs) == 3 and first.paragraphs[0].startswith("Ferry service")
    assert first.people == ["Tobias Quinlan"]
    assert second.dateline.region == "Washington"


def test_trec_tipster_entities_and_datelines_without_a_dash() -> None:
    # TIPSTER AP files mark typesetting with upper-case entities (&QL;, &UR;, &MD;), and
    # their <DATELINE> holds "WASHINGTON (AP)" with no dash, sometimes with more after it
    def record(dateline: str) -> bytes:
        return ("<DOC>\n<DOCNO> AP880212-0007 </DOCNO>\n<HEAD>Senate &AMP; House Agree</HEAD>\n"
                "<BYLINE>By MARY ROE &QL; Associated Press Writer &QC;</BYLINE>\n"
                f"<DATELINE>{dateline}</DATELINE>\n<TEXT>\n   The Senate agreed &MD; "
                "narrowly.\n</TEXT>\n</DOC>\n").encode()

    datelines = []
    for raw in ("WASHINGTON (AP) ", "WASHINGTON (AP) &UR;", "WASHINGTON (AP) (AP)"):
        (story,) = parse_file(record(raw), "x", "x.sgml", "trec").stories
        datelines.append((story.dateline.raw, story.dateline.city, story.dateline.agency))
    assert datelines == [("WASHINGTON (AP)", "Washington", "AP")] * 3
    assert story.headline == "Senate & House Agree"
    assert story.byline == "Mary Roe"
    assert story.paragraphs == ["The Senate agreed \u2014 narrowly."]


def test_nitf() -> None:
    story = only("nitf.xml")
    assert story.story_id == "WIRE-2026-0917-0042"
    assert story.headline == "Harbor cranes idle as dock strike enters second week"
    assert story.byline == "Niklas Berg"
    assert (story.dateline.city, story.dateline.region, story.dateline.agency) == (
        "Rotterdam", "Netherlands", "AP")
    assert story.date == datetime(2026, 9, 17, 14, 30)
    assert story.paragraphs[0].startswith("Container cranes stood idle")
    assert "évery" in story.paragraphs[2]  # HTML entity from the DTD resolved
    assert set(story.tags) >= {"Strike", "ports", "strikes"}
    assert story.people == ["Marta Olsen"]  # the byline's writer is not a person in the story
    assert (story.key, story.version) == ("port-strike", 2)


def test_newsml_g2() -> None:
    story = only("newsml-g2-v1.xml")
    assert story.story_id == story.key == "urn:newsml:example.org:20260920:quake-lima"
    assert (story.version, story.status) == (1, "usable")
    assert story.headline == "Moderate quake shakes Lima; no damage reported"
    assert story.byline == "Rosa Quispe"
    assert (story.dateline.city, story.dateline.region) == ("Lima", "Peru")
    assert story.people == ["Hector Valdivia"]  # a cpnat:person subject
    assert "earthquake" in story.tags
    assert len(story.paragraphs) == 2
    kill = only("newsml-g2-v3-kill.xml")
    assert (kill.version, kill.status) == (3, "canceled")


def test_newsml_1_2() -> None:
    story = only("newsml12.xml")
    assert story.story_id == "urn:newsml:example.org:20260918:TX-PAR-ABC12:1"
    assert story.headline == "French chefs protest rising butter prices"
    assert (story.dateline.city, story.dateline.agency) == ("Lyon", "AFP")
    assert story.dateline.date == datetime(2026, 9, 18)
    assert story.tags == ["France", "food"]
    assert story.people == ["Amelie Girard"]
    assert len(story.paragraphs) == 2


def test_ninjs_versions_1_and_3() -> None:
    new, old = only("ninjs-v3.json"), only("ninjs-v1.json")
    assert new.key == old.key == "urn:example:ninjs:20260921-museum"
    assert (new.version, old.version) == (4, 3)
    assert new.headline == "Vienna museum returns painting to heirs"
    assert old.headline == "Vienna museum to return painting"
    assert new.byline == old.byline == "Katharina Lenz"
    assert (new.dateline.city, new.dateline.region, new.dateline.agency) == (
        "Vienna", "Austria", "AP")
    assert new.date == datetime(2026, 9, 21, 13, 0)  # +02:00 -> UTC
    assert new.people == old.people == ["Josef Adler"]
    assert new.paragraphs[1] == 'Museum director Josef Adler called it "a debt repaid."'
    assert old.paragraphs == [
        "A Vienna museum will return a landscape painting to the heirs of a collector, "
        "officials said.", "The handover is set for Monday."]


def test_anpa_stream_with_two_versions() -> None:
    second, first = stories_of("anpa.tst").stories
    assert second.headline == "Avalanche buries ski lodge road in Swiss Alps"
    assert second.byline == "Lukas Fehr"
    assert (second.dateline.city, second.dateline.region) == ("Zermatt", "Switzerland")
    assert second.date == datetime(2026, 1, 15, 14, 2)
    assert second.people == ["Anton Imboden"]
    assert (second.key, second.version, first.key, first.version) == (
        "AP:BC-EU--Alps-Avalanche", 2, "AP:BC-EU--Alps-Avalanche", 1)
    assert second.story_id != first.story_id


def test_iptc7901() -> None:
    story = only("iptc7901.txt")
    assert story.story_id == "dpa:eca0777"
    assert story.headline == "Heavy snow closes Brenner motorway"
    assert story.byline == "Clara Huber"
    assert (story.dateline.city, story.dateline.agency) == ("Innsbruck", "dpa")
    assert story.tags == ["Austria", "weather"]
    assert story.people == ["Florian Gruber"]
    assert story.version == 1  # "1ST LEAD"
    assert story.date == datetime(2026, 1, 14, 15, 30)
    assert all("dpa chu" not in p for p in story.paragraphs)


def test_every_reader_is_registered() -> None:
    assert set(READERS) == {"reuters", "trec", "nitf", "newsml-g2", "newsml-1.2", "ninjs",
                            "anpa", "iptc7901", "ap"}


def shares_of(data: bytes, parts: int, fmt: str = "auto") -> list:
    return [parse_file(data, "file", "file", fmt, share=(part, parts)) for part in range(parts)]


def put_together(shares: list) -> tuple[list, list]:
    stories = sorted((at, story.story_id) for share in shares
                     for at, story in zip(share.at, share.stories, strict=True))
    problems = sorted((at, problem) for share in shares
                      for at, problem in zip(share.problems_at, share.problems, strict=True))
    return [story_id for _, story_id in stories], [problem for _, problem in problems]


RECORDS = {  # reader: its fixture, the first record, how to give a copy its own id
    "reuters": ("reuters.sgm", r"<REUTERS\b.*?</REUTERS>", r'NEWID="[^"]*"',
                lambda n: f'NEWID="9{n}"'),
    "trec": ("trec-ap.gz", r"<DOC>.*?</DOC>", r"<DOCNO>.*?</DOCNO>",
             lambda n: f"<DOCNO> AP900101-00{n:02d} </DOCNO>"),
}


def five_records_and_a_broken_one(reader: str) -> bytes:
    name, record_re, id_re, new_id = RECORDS[reader]
    data = (FIXTURES / name).read_bytes()
    text = (gunzip(data) if data[:2] == b"\x1f\x8b" else data).decode()
    record = re.search(record_re, text, re.DOTALL).group(0)
    copies = [re.sub(id_re, new_id(n), record, count=1) for n in range(5)]
    # without its text (Reuters) or its id (TREC): the reader says so for this record alone
    broken = re.sub(r"<TEXT.*</TEXT>" if reader == "reuters" else id_re, "", copies[0],
                    flags=re.DOTALL)
    return "\n".join([*copies[:3], broken, *copies[3:]]).encode()


@pytest.mark.parametrize("reader", sorted(RECORDS))
def test_a_share_of_a_file_parses_only_its_own_records(
        reader: str, monkeypatch: pytest.MonkeyPatch) -> None:
    module = READERS[reader]
    data = five_records_and_a_broken_one(reader)
    whole = parse_file(data, "file", "file", reader)
    assert len(whole.stories) == 5 and len(whole.problems) == 1
    calls: list[int] = []
    parse_record = module.parse_record
    monkeypatch.setattr(module, "parse_record",
                        lambda *args: calls.append(1) or parse_record(*args))
    shares = shares_of(data, 2, reader)
    assert len(calls) == 6  # each record parsed once, by its share's reader alone
    assert [len(share.stories) + len(share.problems) for share in shares] == [3, 3]
    assert put_together(shares) == ([s.story_id for s in whole.stories], whole.problems)


@pytest.mark.parametrize("reader", sorted(RECORDS))
def test_a_reader_bug_in_one_record_loses_only_that_record(
        reader: str, monkeypatch: pytest.MonkeyPatch) -> None:
    module = READERS[reader]
    data = five_records_and_a_broken_one(reader)
    parse_record = module.parse_record
    calls: list[int] = []

    def buggy(*args):
        calls.append(1)
        if len(calls) == 2:
            raise KeyError("boom")
        return parse_record(*args)

    monkeypatch.setattr(module, "parse_record", buggy)
    parsed = parse_file(data, "f", "f", reader)
    assert len(parsed.stories) == 4
    assert len(parsed.problems) == 2
    assert parsed.problems[0].endswith(": could not parse: KeyError: 'boom'")
    assert parsed.problems[0].startswith("record NEWID=91" if reader == "reuters" else "<DOC> 2")


def test_a_reader_without_shares_splits_its_stories_and_part_0_reports_problems() -> None:
    data = (FIXTURES / "anpa.tst").read_bytes()
    whole = parse_file(data, "file", "file")
    assert len(whole.stories) == 2
    shares = shares_of(data, 2)
    assert [len(share.stories) for share in shares] == [1, 1]
    assert put_together(shares) == ([s.story_id for s in whole.stories], whole.problems)
