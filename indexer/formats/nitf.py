"""NITF XML (IPTC News Industry Text Format), one story a file.

head: title, docdata (doc-id, date.issue, du-key version, key-list, identified-content,
ed-msg), tobject/tobject.subject. body.head: hedline/hl1, byline, dateline (location,
story.date). body.content: <p> paragraphs, with inline <person> marking people.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from xml.etree import ElementTree as ET

from ..dates import parse_date
from ..errors import WireFormatError
from ..model import Dateline, Story
from ..textio import normalize_space
from .common import assemble, byline_name, dateline_from_parts, is_kill, rewrite_version
from .xmlutil import block_paragraphs, find, findall, is_markup, parse_xml, text_of

NAME = "nitf"


def looks_like(text: str) -> bool:
    if not is_markup(text):
        return False
    head = text[:4000]
    return "<nitf" in head and "<newsMessage" not in head and "<newsItem" not in head \
        and "<NewsML" not in head


@dataclass
class NitfParts:
    """What an NITF document says, before it becomes a Story (NewsML and ninjs embed NITF)."""

    paragraphs: list[str] = field(default_factory=list)
    headline: str = ""
    byline: str = ""
    dateline: Dateline | None = None
    date: datetime | None = None
    tags: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    doc_id: str = ""
    key: str = ""
    version: int = 0
    notes: str = ""


def _byline(element: ET.Element | None) -> str:
    if element is None:
        return ""
    persons = [text_of(p) for p in element.iter("person")]
    if persons:
        return ", ".join(byline_name(p) for p in persons if p)
    texts = [element.text or ""] + [child.tail or "" for child in element
                                    if child.tag in ("byttl", "br")]
    return byline_name(" ".join(texts))


def _dateline(element: ET.Element | None) -> Dateline | None:
    if element is None:
        return None
    location = find(element, ".//location")
    city = text_of(find(location, "city")) if location is not None else ""
    state = text_of(find(location, "state")) if location is not None else ""
    country = text_of(find(location, "country")) if location is not None else ""
    if location is not None and not (city or state or country):
        return dateline_from_parts(location=text_of(location))
    if city or state or country:
        return dateline_from_parts(city=city, region=state or country, country=country)
    raw = normalize_space(element.text or "")  # its own text, not <story.date>
    return dateline_from_parts(location=raw) if raw else None


def parts(nitf: ET.Element) -> NitfParts:
    """Pull the story's pieces out of an <nitf> element."""
    out = NitfParts()
    head = find(nitf, "head")
    docdata = find(head, "docdata")
    body = find(nitf, "body")
    body_head = find(body, "body.head")
    out.headline = text_of(find(body_head, "hedline/hl1")) or text_of(find(head, "title"))
    out.byline = _byline(find(body_head, "byline"))
    out.dateline = _dateline(find(body_head, "dateline"))
    issue = find(docdata, "date.issue")
    story_date = find(body_head, "dateline/story.date")
    for candidate in (issue, story_date):
        if candidate is not None and out.date is None:
            out.date = parse_date(candidate.get("norm", "") or text_of(candidate))
    doc_id = find(docdata, "doc-id")
    out.doc_id = doc_id.get("id-string", "") if doc_id is not None else ""
    du_key = find(docdata, "du-key")
    if du_key is not None:
        out.key = du_key.get("key", "")
        out.version = int(du_key.get("version", "0") or 0) if du_key.get(
            "version", "").isdecimal() else 0
    out.notes = " ".join(m.get("info", "") for m in findall(docdata, "ed-msg"))
    for subject in findall(head, "tobject/tobject.subject"):
        for attribute in ("tobject.subject.matter", "tobject.subject.type",
                          "tobject.subject.detail"):
            if subject.get(attribute):
                out.tags.append(subject.get(attribute, ""))
    out.tags += [k.get("key", "") for k in findall(docdata, "key-list/keyword")]
    for identified in findall(docdata, "identified-content/*"):
        if identified.tag == "person":
            out.people.append(identified.get("value") or text_of(identified))
        elif identified.tag in ("classifier", "org", "location", "event", "object.title"):
            out.tags.append(identified.get("value") or text_of(identified))
    content = find(body, "body.content")
    out.paragraphs = block_paragraphs(content)
    # people marked inline in the text, but not the byline's author
    out.people += [text_of(p) for p in content.iter("person")] if content is not None else []
    return out


def story_from_parts(p: NitfParts, story_id: str, source: str, fmt: str = NAME,
                     status: str = "usable") -> Story:
    version = p.version or rewrite_version(p.notes, p.headline)
    if is_kill(p.notes):
        status = "canceled"
    return assemble(story_id=story_id, source=source, fmt=fmt, paragraphs=p.paragraphs,
                    headline=p.headline, byline=p.byline, dateline=p.dateline, date=p.date,
                    tags=p.tags, people=p.people, key=p.key or story_id, version=version,
                    status=status)


def read(data: bytes, story_id: str, source: str = "") -> Iterator[Story | WireFormatError]:
    root = parse_xml(data)
    nitf = root if root.tag == "nitf" else root.find(".//nitf")
    if nitf is None:
        raise WireFormatError("no <nitf> element")
    p = parts(nitf)
    yield story_from_parts(p, p.doc_id or story_id, source)
