"""What a wire file holds is data: it never drives the reader's terminal, never forges a
line of output, whatever control characters its fields carry."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from fuzzing import sample  # noqa: I001 - the tests' own helpers
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer import Index, cli, output
from indexer.errors import WireFormatError
from indexer.formats import parse_file
from indexer.store.results import DatelineInfo, Hit

# a terminal acts on these: C0 but newline (and tab), DEL, C1
UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
HOSTILE = ["\x1b]0;pwned\x07", "\x1b[2J", "\u009b31m", "\x7f", "\x00", "\r\nFAKE LINE"]

NINJS = {
    "uri": "urn:hostile:\u001b]0;pwned\u0007story",
    "version": "1",
    "pubStatus": "usable",
    "type": "text",
    "versionCreated": "2026-09-21T15:00:00+02:00",
    "headlines": [{"role": "main", "value": "Harbor \u001b[2Jcranes stand idle"}],
    "by": "Katharina\u0007 Lenz",
    "located": "Vienna\u001b[31m, Austria",
    "subjects": [{"name": "ports\u001b]0;pwned\u0007", "uri": "x"}],
    "people": [{"name": "Josef \u009bAdler", "rel": "about"}],
    "bodies": [{"role": "main", "contentType": "text/html",
                "value": "<p>VIENNA (AP) \u2014 Harbor cranes \u001b[2Jstood idle on Monday."
                         "</p><p>Port chief Josef Adler said\u0007 the strike would end.</p>"}],
}
NEWSML_G2 = """<?xml version="1.0" encoding="UTF-8"?>
<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/"
  guid="urn:a&#10;FAKE 1 Q0 x 1 9.0 forged&#13;" version="1" standard="NewsML-G2"
  standardversion="2.29" xml:lang="en">
  <itemMeta><itemClass qcode="ninat:text"/><provider qcode="nprov:AP"/>
    <versionCreated>2026-09-20T08:00:00Z</versionCreated><pubStatus qcode="stat:usable"/></itemMeta>
  <contentMeta><headline>Harbor strike&#10;FAKE HEADLINE</headline></contentMeta>
  <contentSet><inlineXML contenttype="application/nitf+xml">
    <nitf xmlns="http://iptc.org/std/NITF/2006-10-18/"><body><body.content>
      <p>LIMA, Peru (AP) &#8212; Harbor cranes stood idle on Sunday.&#13;FORGED</p>
    </body.content></body></nitf></inlineXML></contentSet>
</newsItem>
"""


@pytest.fixture(scope="module")
def hostile_index(tmp_path_factory) -> Path:
    wire = tmp_path_factory.mktemp("hostile")
    (wire / "story.json").write_text(json.dumps(NINJS))
    (wire / "g2.xml").write_text(NEWSML_G2)
    index = wire / "index"
    result = CliRunner().invoke(cli.main, ["ingest", str(wire), "--index", str(index)])
    assert result.exit_code == 0, result.output
    return index


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli.main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_text_output_holds_no_control_character(hostile_index: Path) -> None:
    outputs = []
    for args in (("query", "harbor"), ("query", "harbor", "--facets", "people,tags,place"),
                 ("query", "harbor", "--group"), ("query", "harbor", "--context", "2"),
                 ("query", "harbor", "--person", "Nobody Atall"), ("stats",), ("check",)):
        code, out, err = run(*args, "--index", str(hostile_index))
        assert code in (0, 1), (args, out, err)
        outputs.append(out + err)
    index = Index.open(str(hostile_index))
    for hit in index.search("harbor"):
        code, out, err = run("story", hit.story_id, "--index", str(hostile_index))
        assert code == 0, out + err
        outputs.append(out + err)
    joined = "\n".join(outputs)
    assert "pwned" in joined  # the text is shown, as text
    assert not UNSAFE.findall(joined)


def test_ids_are_one_line_and_trec_lines_six_words(hostile_index: Path) -> None:
    code, out, _ = run("query", "harbor", "--format", "trec", "--index", str(hostile_index))
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == len(Index.open(str(hostile_index)).search("harbor"))
    for line in lines:
        assert len(line.split()) == 6, line
    assert not any(line.startswith("FAKE") for line in lines)
    code, out, err = run("query", "harbor", "--format", "trec", "--qid", "1\nFAKE",
                         "--index", str(hostile_index))
    assert code == 2
    assert "FAKE" not in out


def test_json_output_escapes_controls_and_keeps_the_text(hostile_index: Path) -> None:
    for fmt in ("json", "jsonl"):
        code, out, _ = run("query", "harbor", "--format", fmt, "--index", str(hostile_index))
        assert code == 0
        assert not UNSAFE.findall(out.replace("\n", ""))
        rows = json.loads(out) if fmt == "json" else [json.loads(line)
                                                     for line in out.splitlines()]
        assert any("cranes" in row["text"] for row in rows)


def test_output_of_an_index_written_before_cleaning_is_escaped() -> None:
    """An index that holds raw control characters (written by an earlier release):
    what the CLI prints of it is still safe."""
    hit = Hit(rank=1, score=1.0, story_id="a\nFAKE", paragraph=1, paragraphs=1,
              text="x \x1b]0;pwned\x07 y", headline="h\x1b[2J",
              dateline=DatelineInfo(raw="Z\x9bQ", city=None, region=None, agency=None),
              date=datetime(2026, 9, 1),
              people=["A\x1b[2J"], tags=[], source="s", highlights=[(0, 1)])
    for color in (False, True):
        shown = output.format_text([hit], color)
        shown = re.sub(r"\x1b\[[0-9;]*m", "", shown) if color else shown  # our own styles
        assert not UNSAFE.findall(shown.replace("\n", ""))
        assert "FAKE" in shown and "\\n" in shown  # escaped, on the hit's line
    assert not UNSAFE.findall(output.format_groups([[hit]], 0, False).replace("\n", ""))


# -- every field of every format, fuzzed with control characters


def _positions(data: str, fmt: str) -> list[int]:
    """Where a field's text begins in a sample: after a tag or an opening quote (XML),
    after a key's opening quote (JSON), anywhere in plain text."""
    if fmt == "ninjs":
        return [m.end() for m in re.finditer(r'": ?"', data)]
    if data.lstrip().startswith("<") and fmt not in ("reuters", "trec"):
        return [m.end() for m in re.finditer(r'>(?=[^<\s])|="', data)]
    return list(range(len(data)))


def _encoded(hostile: str, fmt: str) -> str:
    if fmt == "ninjs":
        return json.dumps(hostile)[1:-1]
    if fmt in ("nitf", "newsml-g2", "newsml-1.2"):
        return "".join(f"&#{ord(c)};" if c in "\r\n\t" else c for c in hostile)
    return hostile


FORMATS = ["ap", "reuters", "trec", "nitf", "newsml-g2", "newsml-1.2", "ninjs", "anpa",
           "iptc7901"]


@pytest.mark.parametrize("fmt", FORMATS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_no_field_of_any_format_keeps_a_control_character(fmt: str, data) -> None:
    text = sample(fmt).decode("utf-8", "replace")
    places = _positions(text, fmt)
    assert places
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.sampled_from(places))
        hostile = data.draw(st.sampled_from(HOSTILE))
        text = text[:at] + _encoded(hostile, fmt) + text[at:]
        places = [p if p < at else p + len(_encoded(hostile, fmt)) for p in places]
    try:
        stories = parse_file(text.encode("utf-8"), "x", fmt=fmt).stories
    except WireFormatError:
        return
    for story in stories:
        values = [story.story_id, story.key, story.headline, story.byline,
                  story.dateline.raw, *story.paragraphs, *story.people, *story.tags,
                  *(v for v in (story.dateline.city, story.dateline.region,
                                story.dateline.country, story.dateline.agency) if v)]
        for value in values:
            assert not UNSAFE.search(value), (fmt, value)
            assert "\n" not in value and "\r" not in value, (fmt, value)
        # and what the text output makes of them: no control character but its own
        # newlines, every story on lines of its own
        hit = Hit(rank=1, score=1.0, story_id=story.story_id, paragraph=1,
                  paragraphs=len(story.paragraphs), text=story.paragraphs[0],
                  headline=story.headline, dateline=DatelineInfo(
                      raw=story.dateline.raw, city=story.dateline.city,
                      region=story.dateline.region, agency=story.dateline.agency),
                  date=story.date, people=story.people, tags=story.tags,
                  source=story.source)
        for shown in (output.format_text([hit], False), output.format_groups([[hit]], 0, False)):
            assert not UNSAFE.findall(shown.replace("\n", "")), (fmt, shown)
            # the hit's line, its headline's, its paragraph's: no line a field made
            assert len(shown.splitlines()) == 2 + bool(story.headline), (fmt, shown)


def test_on_a_terminal_a_rejection_clears_the_progress_line(tmp_path: Path) -> None:
    """The rejection line's own escape sequence (clear the progress bar's line) reaches
    the terminal as it is; the file's name and reason are escaped."""
    import os
    import pty
    import subprocess
    import sys

    from conftest import ROOT

    wire = tmp_path / "wire"
    wire.mkdir()
    (wire / "bad\x1b[2J.txt").write_bytes(b"\x00\x01" * 100)
    leader, follower = pty.openpty()
    subprocess.run([sys.executable, "-m", "indexer", "ingest", str(wire), "--index",
                    str(tmp_path / "ix")], cwd=ROOT, stdout=subprocess.DEVNULL,
                   stderr=follower, timeout=120)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert b"\r\x1b[Krejected " in seen
    assert b"bad\\x1b[2J" in seen and b"bad\x1b[2J" not in seen
