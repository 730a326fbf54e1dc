"""NewsML-G2: a <newsItem> alone or <newsMessage>/<itemSet> carrying several.

Each text newsItem gives a story: guid + version, itemMeta/pubStatus (stat:canceled kills),
contentMeta (headline, slugline, located, dateline, creator/by, subject, keyword) and the
body from contentSet: inline NITF, XHTML, or plain text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from xml.etree import ElementTree as ET

from ..dates import parse_date
from ..errors import WireFormatError
from ..model import Story
from . import nitf
from .common import assemble, byline_name, dateline_from_parts, is_kill, rewrite_version
from .xmlutil import (
    attribute,
    block_paragraphs,
    find,
    findall,
    html_paragraphs,
    is_markup,
    parse_xml,
    text_of,
    text_paragraphs,
)

NAME = "newsml-g2"
_TEXT_CLASSES = ("text", "composite", "")


def looks_like(text: str) -> bool:
    if not is_markup(text):
        return False
    head = text[:4000]
    return any(tag in head for tag in ("<newsItem", "<newsMessage", "<packageItem"))


def _name(element: ET.Element) -> str:
    """A concept's human name: <name>, else the literal, else the qcode's code part."""
    name = text_of(find(element, "name"))
    if name:
        return name
    if element.get("literal"):
        return element.get("literal", "")
    qcode = element.get("qcode", "")
    return qcode.split(":", 1)[-1] if qcode else ""


def _body(content_set: ET.Element | None) -> tuple[list[str], nitf.NitfParts | None]:
    for inline in findall(content_set, "inlineXML"):
        embedded = inline.find(".//nitf")
        if embedded is not None:
            parts = nitf.parts(embedded)
            return parts.paragraphs, parts
        html_body = inline.find(".//body")
        paragraphs = block_paragraphs(html_body if html_body is not None else inline)
        if paragraphs:
            return paragraphs, None
    for inline in findall(content_set, "inlineData"):
        data = "".join(inline.itertext())
        if re.search(r"<(?:p|br|div)\b", data, re.IGNORECASE):  # HTML sent as text
            return html_paragraphs(data), None
        return text_paragraphs(data), None
    return [], None


def item_story(item: ET.Element, fallback_id: str, source: str) -> Story | None:
    """The story of one newsItem, or None for items that carry no text (pictures, video)."""
    meta = find(item, "itemMeta")
    content = find(item, "contentMeta")
    item_class = attribute(meta, "itemClass", "qcode")
    if item_class.split(":")[-1] not in _TEXT_CLASSES:
        return None
    guid = item.get("guid") or fallback_id
    version_text = item.get("version", "")
    version = int(version_text) if version_text.isdecimal() else 0
    status_code = attribute(meta, "pubStatus", "qcode")
    notes = " ".join(text_of(n) for n in findall(meta, "edNote"))
    slugline = text_of(find(content, "slugline"))
    status = "canceled" if re.search(r"canceled|cancelled|withheld", status_code) or \
        is_kill(notes) else "usable"
    paragraphs, embedded = _body(find(item, "contentSet"))
    headline = text_of(find(content, "headline")) or text_of(find(meta, "title"))
    tags: list[str] = []
    people: list[str] = []
    for subject in findall(content, "subject"):
        name = _name(subject)
        if not name:
            continue
        if subject.get("type", "").endswith(":person"):
            people.append(name)
        else:
            tags.append(name)
    tags += [text_of(k) for k in findall(content, "keyword")]
    by = text_of(find(content, "by"))
    creators = [_name(c) for c in findall(content, "creator")]
    byline = byline_name(by) if by else ", ".join(
        byline_name(c) for c in creators if c and " " in c)
    located = find(content, "located")
    dateline_text = text_of(find(content, "dateline"))
    dateline = dateline_from_parts(location=dateline_text or (_name(located) if located
                                                               is not None else ""))
    date = None
    for path in ("contentCreated", "firstCreated", "versionCreated"):
        holder = content if path == "contentCreated" else meta
        date = parse_date(text_of(find(holder, path)))
        if date:
            break
    if embedded is not None:
        headline = headline or embedded.headline
        byline = byline or embedded.byline
        people += embedded.people
        tags += embedded.tags
    if not paragraphs:
        paragraphs = [text_of(d) for d in findall(content, "description")]
    return assemble(story_id=guid, source=source, fmt=NAME, paragraphs=paragraphs,
                    headline=headline, byline=byline, dateline=dateline, date=date, tags=tags,
                    people=people, key=guid,
                    version=version or rewrite_version(slugline, notes), status=status)


def read(data: bytes, story_id: str, source: str = "") -> Iterator[Story | WireFormatError]:
    root = parse_xml(data)
    items = [root] if root.tag == "newsItem" else root.findall(".//newsItem")
    if not items:
        raise WireFormatError("no <newsItem> in NewsML-G2 document")
    produced = False
    for index, item in enumerate(items):
        try:
            story = item_story(item, story_id if len(items) == 1 else f"{story_id}#{index}",
                               source)
        except WireFormatError as exc:
            yield WireFormatError(f"newsItem {item.get('guid', index)}: {exc}")
            continue
        if story is not None:
            produced = True
            yield story
    if not produced:
        raise WireFormatError("NewsML-G2 document has no text item (only pictures/video?)")
