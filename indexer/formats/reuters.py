"""Reuters-21578 SGML: up to 1,000 <REUTERS> records a file; SGML, not XML.

    <REUTERS ... NEWID="1"><DATE>26-FEB-1987 15:01:01.79</DATE>
    <TOPICS><D>cocoa</D></TOPICS><PLACES>...</PLACES><PEOPLE>...</PEOPLE>
    <UNKNOWN>control-code junk</UNKNOWN>
    <TEXT><TITLE>BAHIA COCOA REVIEW</TITLE><DATELINE> SALVADOR, Feb 26 - </DATELINE>
    <BODY>First paragraph ...
        An indented line opens the next paragraph.
     Reuter &#3;</BODY></TEXT></REUTERS>
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import datetime

from ..enrich.dateline import dateline_element
from ..errors import WireFormatError
from ..model import Story
from ..textio import check_text, decode, normalize_space, strip_controls
from .common import SGML_TAG_RE, assemble, element_pattern, read_records

NAME = "reuters"
_RECORD_RE = re.compile(r"<REUTERS\b([^>]*)>(.*?)</REUTERS>", re.DOTALL | re.IGNORECASE)
_ATTR_RE = re.compile(r'(\w+)="([^"]*)"')
_ENTITY_RE = re.compile(r"&#(\d+);")
_CODE_RE = re.compile(r"<D>(.*?)</D>")
_DATE_RE = re.compile(r"\s*(\d{1,2}-[A-Za-z]{3}-\d{4})\s+(\d{1,2}:\d{2}:\d{2})")


def looks_like(text: str) -> bool:
    return "<REUTERS" in text[:4000] and "NEWID=" in text[:4000]


def _element(record: str, tag: str) -> str:
    match = element_pattern(tag).search(record)
    return match.group(1) if match else ""


def _clean(text: str) -> str:
    """Numeric entities like &#3; are control codes; named ones (&lt;) are text."""
    text = _ENTITY_RE.sub(lambda m: _character(int(m.group(1))), text)
    return strip_controls(html.unescape(text))


def _character(code: int) -> str:
    """A numeric entity's character; a control code, a surrogate or a number past
    Unicode (&#99999999;) is a space."""
    if code < 32 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return " "
    return chr(code)


def _codes(record: str, tag: str) -> list[str]:
    return [_clean(d).strip() for d in _CODE_RE.findall(_element(record, tag))]


def person_from_code(code: str) -> str:
    """`james-baker` -> `James Baker`; `de-larosiere` -> `de Larosiere`."""
    words = [w for w in re.split(r"[-_\s]+", code.strip()) if w]
    particles = {"de", "van", "von", "der", "la", "du", "di", "da", "bin"}
    return " ".join(w if w in particles and i else w.capitalize() for i, w in enumerate(words))


def paragraphs_of(body: str) -> list[str]:
    """Paragraphs start on indented lines; a trailing 'Reuter' sign-off is dropped."""
    body = _clean(body).rstrip()
    # a last word "Reuter" (no word character before it) and the space before it: what
    # the pattern \s*\bReuter\b\s*$ removes, without trying it at every space of the body
    if body.endswith("Reuter") and not (body[-7:-6].isalnum() or body[-7:-6] == "_"):
        body = body[:-6].rstrip()
    paragraphs: list[list[str]] = [[]]
    for line in body.split("\n"):
        if line[:1] in (" ", "\t") and paragraphs[-1]:
            paragraphs.append([])
        if line.strip():
            paragraphs[-1].append(line.strip())
    return [" ".join(lines) for lines in paragraphs if lines]


def parse_date(text: str) -> datetime | None:
    """`26-FEB-1987 15:01:01.79` (times are GMT)."""
    match = _DATE_RE.match(text)
    if not match:
        return None
    try:
        return datetime.strptime(f"{match[1]} {match[2]}", "%d-%b-%Y %H:%M:%S")
    except ValueError:
        return None


def records(text: str) -> Iterator[tuple[dict[str, str], str]]:
    for match in _RECORD_RE.finditer(text):
        yield dict(_ATTR_RE.findall(match.group(1))), match.group(2)


def parse_record(tagged: tuple[dict[str, str], str], source: str) -> Story:
    """One <REUTERS> record, as split_records gives it: its attributes and its body."""
    attrs, record = tagged
    story_id = attrs.get("NEWID") or attrs.get("OLDID")
    if not story_id:
        raise WireFormatError("record without NEWID")
    date = parse_date(_clean(_element(record, "DATE")))
    text = _element(record, "TEXT")
    headline = normalize_space(_clean(_element(text, "TITLE")))
    raw_dateline = normalize_space(_clean(_element(text, "DATELINE")))
    dateline, spilled = dateline_element(raw_dateline, reference=date) if raw_dateline \
        else (None, "")
    body = _element(text, "BODY")
    if spilled:  # the body's first words, closed inside the dateline element
        body = f"{spilled} {body}"
    if not body and "<TITLE>" not in text.upper():
        body = SGML_TAG_RE.sub("", text)  # TYPE="UNPROC": text straight in <TEXT>
    tags = [*_codes(record, "TOPICS"), *_codes(record, "PLACES"), *_codes(record, "ORGS"),
            *_codes(record, "EXCHANGES")]
    people = [person_from_code(code) for code in _codes(record, "PEOPLE")]
    return assemble(story_id=story_id, source=source, fmt=NAME, paragraphs=paragraphs_of(body),
                    headline=headline, dateline=dateline, date=date, tags=tags, people=people)


NO_RECORDS = "no complete <REUTERS> record found"


def split_records(data: bytes) -> Iterator[tuple[str, tuple[dict[str, str], str]]]:
    """Each <REUTERS> record of a file, with the label its problems are reported under."""
    check_text(data)
    for attrs, record in records(decode(data)):
        yield f"record NEWID={attrs.get('NEWID', '?')}", (attrs, record)


def read(data: bytes, story_id: str, source: str = "") -> Iterator[Story | WireFormatError]:
    return read_records(split_records, parse_record, data, source, NO_RECORDS)
