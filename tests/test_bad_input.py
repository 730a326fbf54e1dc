"""Hostile and broken input: rejected or recovered with one line, bounded, nothing else lost."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from conftest import story_text
from samples import BILLION_LAUGHS

from indexer import Index
from indexer.errors import WireFormatError
from indexer.formats import gunzip, parse_file

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE nitf [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<nitf><body><body.content><p>BERLIN (AP) - &secret;</p></body.content></body></nitf>
"""
TRUNCATED_XML = b"""<?xml version="1.0"?>
<nitf><head><title>Cut off</title></head><body><body.content><p>BERLIN (AP) - The fi"""


def reason(data: bytes) -> str:
    with pytest.raises(WireFormatError) as caught:
        parse_file(data, "x")
    message = str(caught.value)
    assert "\n" not in message and message
    return message


def test_xml_bomb_is_refused_before_parsing() -> None:
    # refused by its declarations, before any entity is expanded (bench/bench_linear_time.py
    # prints how long that takes)
    assert "XML bomb" in reason(BILLION_LAUGHS)


def test_external_entity_is_refused() -> None:
    assert "entities" in reason(EXTERNAL_ENTITY)


def test_truncated_xml() -> None:
    assert reason(TRUNCATED_XML).startswith("malformed XML")


def test_invalid_json() -> None:
    assert reason(b'{"uri": "urn:x", "headline": "Cut off", "body_text": "BER').startswith(
        "invalid JSON")


def test_deeply_nested_json() -> None:
    assert "invalid JSON" in reason(b'{"uri": "x", "headline": ' + b"[" * 100000 + b"]" * 100000
                                    + b"}")


def test_fifty_megabyte_single_line_is_rejected() -> None:
    # bench/bench_linear_time.py prints how long it takes
    message = reason(b"BEIRUT (AP) - " + b"x" * (50 * 1024 * 1024))
    assert "not wire copy" in message


def test_gzip_bomb_is_bounded() -> None:
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024))
    with pytest.raises(WireFormatError, match="expands past"):
        gunzip(bomb, limit=8 * 1024 * 1024)


def test_truncated_gzip() -> None:
    data = gzip.compress(story_text().encode())
    assert "gzip" in reason(data[: len(data) // 2])


def test_mixed_encodings_are_recovered_line_by_line() -> None:
    data = ("PARIS (AP) — The café opened.\n\n".encode()
            + "The chef said \u201cbon app\u00e9tit\u201d.\n".encode("cp1252"))
    story = parse_file(data, "x").stories[0]
    assert story.paragraphs == ["The café opened.", "The chef said \u201cbon app\u00e9tit\u201d."]


def test_control_characters_are_dropped() -> None:
    data = b"ROME (AP) \xe2\x80\x94 The pope\x07 spoke\x1b today.\n\nfiled under: Vatican\n"
    story = parse_file(data, "x").stories[0]
    assert story.paragraphs == ["The pope spoke today."]


def test_a_bad_file_never_costs_the_others(tmp_path: Path) -> None:
    wire = tmp_path / "wire"
    wire.mkdir()
    (wire / "bomb.xml").write_bytes(BILLION_LAUGHS)
    (wire / "xxe.xml").write_bytes(EXTERNAL_ENTITY)
    (wire / "cut.xml").write_bytes(TRUNCATED_XML)
    (wire / "bad.json").write_text('{"uri": "x", "headline": ')
    (wire / "ok1.txt").write_text(story_text(lead="First good story."))
    (wire / "item.json").write_text(json.dumps({
        "uri": "urn:ok2", "headline": "Good JSON", "body_text": "OSLO (AP) — Second good story."}))
    report = Index.create(str(tmp_path / "index")).ingest([str(wire)])
    assert (report.added, report.rejected) == (2, 4)
    assert all("\n" not in e.reason for e in report.errors)
    index = Index.open(str(tmp_path / "index"))
    assert {h.story_id for h in index.search("good story")} == {"ok1", "urn:ok2"}
