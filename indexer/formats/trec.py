"""TREC newswire SGML: many <DOC> records a file (AP, WSJ, FT, LA Times, ...), often gzipped.

    <DOC>
    <DOCNO> AP880212-0001 </DOCNO>
    <FILEID>AP-NR-02-12-88 2344EST</FILEID>
    <HEAD>Reports Former Saigon Officials Released</HEAD>      (also HL, HEADLINE, H3)
    <BYLINE>By JOHN DOE</BYLINE>
    <DATELINE>BANGKOK, Thailand (AP) </DATELINE>
    <TEXT>
       More than 150 former officers ...                        (indented lines, blank
    </TEXT>                                                     lines or <P> paragraphs)
    </DOC>
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import datetime

from ..dates import parse_date
from ..enrich.dateline import parse_dateline
from ..errors import WireFormatError
from ..model import Dateline, Story
from ..textio import check_text, decode, normalize_space, strip_controls
from .common import SGML_TAG_RE, assemble, byline_name, element_pattern, read_records

NAME = "trec"
_DOC_RE = re.compile(r"<DOC>(.*?)</DOC>", re.DOTALL | re.IGNORECASE)
_HEADLINE_TAGS = ("HEAD", "HL", "HEADLINE", "H3", "TI", "TITLE")
_DOCNO_DATE_RE = re.compile(r"^[A-Z]+(\d{2})(\d{2})(\d{2})")


def looks_like(text: str) -> bool:
    head = text[:4000].upper()
    return "<DOC>" in head and "<DOCNO>" in head


def _elements(record: str, tag: str) -> list[str]:
    return element_pattern(tag).findall(record)


_YYMMDD_RE = re.compile(r"\b(\d{2})(\d{2})(\d{2})\b")


# TIPSTER's SGML entities in upper case: an em dash, and typesetting marks (&UR;, &QL;,
# &LR;, &HT; ...) that carry no text. html.unescape knows &AMP; and the lower-case ones.
_SGML_ENTITY_RE = re.compile(r"&(?!AMP;|LT;|GT;|QUOT;)([A-Z]{2,5});")
_AGENCY_END_RE = re.compile(r"^(.+?\([A-Za-z][\w .&-]*\))")


def _entity(match: re.Match) -> str:
    return "\u2014" if match.group(1) == "MD" else " "


def _text(fragment: str) -> str:
    fragment = _SGML_ENTITY_RE.sub(_entity, SGML_TAG_RE.sub(" ", fragment))
    return strip_controls(html.unescape(fragment))


def paragraphs_of(text: str) -> list[str]:
    """<P> elements when present, else indented lines or blank lines start paragraphs."""
    marked = _elements(text, "P")
    if marked:
        return [normalize_space(_text(p)) for p in marked if _text(p).strip()]
    paragraphs: list[list[str]] = [[]]
    for line in _text(text).split("\n"):
        if (not line.strip() or line[:1] in (" ", "\t")) and paragraphs[-1]:
            paragraphs.append([])
        if line.strip():
            paragraphs[-1].append(line.strip())
    return [" ".join(lines) for lines in paragraphs if lines]


def _date(record: str, docno: str) -> datetime | None:
    for tag in ("DATE", "DD", "DATE_TIME"):
        for value in _elements(record, tag):
            when = parse_date(normalize_space(_text(value)))
            if when:
                return when
            compact = _YYMMDD_RE.search(_text(value))
            if compact:
                return _yymmdd(*compact.groups())
    match = _DOCNO_DATE_RE.match(docno)  # AP880212-0001, WSJ870323-0001
    return _yymmdd(*match.groups()) if match else None


def _yymmdd(yy: str, mm: str, dd: str) -> datetime | None:
    year = int(yy) + (1900 if int(yy) > 30 else 2000)
    try:
        return datetime(year, int(mm), int(dd))
    except ValueError:
        return None


def parse_record(record: str, source: str) -> Story:
    docnos = _elements(record, "DOCNO")
    if not docnos or not normalize_space(_text(docnos[0])):
        raise WireFormatError("<DOC> without <DOCNO>")
    docno = normalize_space(_text(docnos[0]))
    headline = ""
    for tag in _HEADLINE_TAGS:
        values = _elements(record, tag)
        if values and normalize_space(_text(values[0])):
            headline = normalize_space(_text(values[0]))
            break
    # a typesetting mark in a byline ends a part, as a comma does: "DOE &QL; AP Writer"
    byline = ", ".join(normalize_space(_text(_SGML_ENTITY_RE.sub(",", b)))
                       for b in _elements(record, "BYLINE"))
    date = _date(record, docno)
    raw_dateline = normalize_space(_text(" ".join(_elements(record, "DATELINE"))))
    dateline = _dateline(raw_dateline, date) if raw_dateline else None
    paragraphs = [p for text in _elements(record, "TEXT") for p in paragraphs_of(text)]
    return assemble(story_id=docno, source=source, fmt=NAME, paragraphs=paragraphs,
                    headline=headline, byline=byline_name(byline) if byline else "",
                    dateline=dateline, date=date)


def _dateline(raw: str, date: datetime | None) -> Dateline | None:
    dateline = parse_dateline(raw, reference=date)
    head = _AGENCY_END_RE.match(raw)
    if dateline is None and head:
        # the element holds more than a dateline: a repeated "(AP)", a marker after it
        return parse_dateline(head.group(1), reference=date)
    return dateline


NO_RECORDS = "no complete <DOC> record found"


def split_records(data: bytes) -> Iterator[tuple[str, str]]:
    """Each <DOC> of a file, with the label its problems are reported under."""
    check_text(data)
    for index, match in enumerate(_DOC_RE.finditer(decode(data))):
        yield f"<DOC> {index + 1}", match.group(1)


def read(data: bytes, story_id: str, source: str = "") -> Iterator[Story | WireFormatError]:
    return read_records(split_records, parse_record, data, source, NO_RECORDS)
