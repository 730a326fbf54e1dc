"""NewsML 1.2 (AFP, Business Wire and others): <NewsML>/<NewsItem>, one story a NewsItem.

Identification/NewsIdentifier (PublicIdentifier, NewsItemId, RevisionId), NewsManagement
(Status: Usable / Canceled / Withheld), NewsLines (HeadLine, DateLine, ByLine, SlugLine),
DescriptiveMetadata (Location, Property Keyword, SubjectCode, Genre) and the text from
ContentItem/DataContent (NITF or XHTML).
"""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree import ElementTree as ET

from ..dates import parse_date
from ..enrich.dateline import parse_dateline
from ..errors import WireFormatError
from ..model import Story
from . import nitf
from .common import assemble, byline_name, dateline_from_parts, is_kill, rewrite_version
from .xmlutil import attribute, block_paragraphs, find, findall, is_markup, parse_xml, text_of

NAME = "newsml-1.2"


def looks_like(text: str) -> bool:
    if not is_markup(text):
        return False
    return "<NewsML" in text[:4000]


def _properties(element: ET.Element | None, name: str) -> list[str]:
    return [p.get("Value", "") for p in findall(element, f".//Property[@FormalName='{name}']")]


# Components that hold no story text (or repeat the headline)
_NOT_BODY_ROLES = {"stylesheet", "headline", "subheadline", "contact", "logo", "photo",
                   "caption", "preview", "thumbnail", "quicklook", "video", "audio", "graphic"}


def _components(component: ET.Element | None) -> Iterator[tuple[str, ET.Element]]:
    """(role, ContentItem) for every content item, with its own component's role."""
    if component is None:
        return
    role_element = component.find("Role")
    role = role_element.get("FormalName", "").lower() if role_element is not None else ""
    for item in component.findall("ContentItem"):
        yield role, item
    for child in component.findall("NewsComponent"):
        yield from _components(child)


def _text(component: ET.Element | None) -> tuple[list[str], nitf.NitfParts | None]:
    """Paragraphs from the text content items (a "Body"/"Main" role first), and the
    embedded NITF's parts when the text is NITF."""
    items = [(role, item) for role, item in _components(component)
             if role not in _NOT_BODY_ROLES and "css" not in text_of(find(item, "MimeType"))
             and "css" not in attribute(item, "MimeType", "FormalName").lower()]
    items.sort(key=lambda pair: pair[0] not in ("body", "main"))
    for _role, item in items:
        content = find(item, "DataContent")
        if content is None:
            continue
        embedded = content.find(".//nitf")
        if embedded is not None:
            parts = nitf.parts(embedded)
            if parts.paragraphs:
                return parts.paragraphs, parts
        html_body = content.find(".//body")
        paragraphs = block_paragraphs(html_body if html_body is not None else content)
        if paragraphs:
            return paragraphs, None
    return [], None


def _first_line(component: ET.Element | None, tag: str) -> str:
    """The first non-empty NewsLines entry, nested components included."""
    for lines in component.iter("NewsLines") if component is not None else []:
        for element in lines.findall(tag):
            if text_of(element):
                return text_of(element)
    return ""


def item_story(item: ET.Element, fallback_id: str, source: str) -> Story | None:
    ident = find(item, "Identification/NewsIdentifier")
    public_id = text_of(find(ident, "PublicIdentifier"))
    item_id = text_of(find(ident, "NewsItemId")) or fallback_id
    provider = text_of(find(ident, "ProviderId"))
    revision = text_of(find(ident, "RevisionId"))
    status = attribute(item, "NewsManagement/Status", "FormalName")
    component = find(item, "NewsComponent")
    headline = _first_line(component, "HeadLine")
    slug = _first_line(component, "SlugLine")
    raw_dateline = _first_line(component, "DateLine")
    date = parse_date(text_of(find(item, "NewsManagement/ThisRevisionCreated"))) or parse_date(
        text_of(find(item, "NewsManagement/FirstCreated")))
    meta = find(component, "DescriptiveMetadata")
    dateline = parse_dateline(raw_dateline, reference=date) if raw_dateline else None
    if dateline is None or not dateline.city:
        location = find(meta, "Location")
        city = (_properties(location, "City") or [""])[0]
        country = (_properties(location, "Country") or [""])[0]
        dateline = dateline_from_parts(location=raw_dateline, city=city,
                                       region=country if len(country) > 3 else "")
    tags = _properties(meta, "Keyword") + [g.get("FormalName", "") for g in findall(meta,
                                                                                    "Genre")]
    paragraphs, embedded = _text(component)
    if not paragraphs and not headline:
        return None  # a picture or other media component
    byline = byline_name(_first_line(component, "ByLine"))
    people: list[str] = []
    if embedded is not None:
        byline = byline or embedded.byline
        people = embedded.people
        tags += embedded.tags
    key = f"{provider}:{item_id}" if provider else item_id
    return assemble(story_id=public_id or item_id, source=source, fmt=NAME,
                    paragraphs=paragraphs, headline=headline, byline=byline, dateline=dateline,
                    date=date, tags=tags, people=people, key=key,
                    version=int(revision) if revision.isdecimal() else rewrite_version(slug),
                    status="canceled" if status.lower() in ("canceled", "cancelled", "withheld")
                    or is_kill(slug) else "usable")


def read(data: bytes, story_id: str, source: str = "") -> Iterator[Story | WireFormatError]:
    root = parse_xml(data)
    items = root.findall(".//NewsItem")
    if not items:
        raise WireFormatError("no <NewsItem> in NewsML document")
    produced = False
    for index, item in enumerate(items):
        story = item_story(item, story_id if len(items) == 1 else f"{story_id}#{index}", source)
        if story is not None:
            produced = True
            yield story
    if not produced:
        raise WireFormatError("NewsML document has no text item")
