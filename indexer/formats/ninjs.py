"""ninjs JSON (IPTC "News in JSON", 1.x to 3.x) and the AP Media API item that wraps it.

1.x: headline, body_text / body_html / body_xhtml, byline, located, subject, person, place,
     uri, version, pubstatus, versioncreated.
2.x/3.x: headlines[], bodies[] (role, contentType, value), by, located, subjects[],
     people[], places[], keywords[], pubStatus, version, versionCreated, firstCreated.
AP Media API: {"data": {"item": {...ninjs 1.x...}}}, where some exports hold `data` as a
string of the Python-literal dict.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from typing import Any

from ..dates import parse_date
from ..errors import WireFormatError
from ..model import Story
from ..textio import check_text, decode
from . import nitf
from .common import assemble, byline_name, dateline_from_parts, is_kill, rewrite_version
from .xmlutil import html_paragraphs, parse_xml, text_paragraphs

NAME = "ninjs"
MAX_JSON_BYTES = 64 * 1024 * 1024
_NINJS_KEYS = {"uri", "headline", "headlines", "body_text", "body_html", "body_xhtml",
               "bodies", "versioncreated", "versionCreated", "pubstatus", "pubStatus"}


def looks_like(text: str) -> bool:
    start = text.lstrip()[:1]
    if start not in ("{", "["):
        return False
    head = text[:20000]
    return any(f'"{key}"' in head for key in _NINJS_KEYS)


def _unwrap(document: Any) -> list[dict]:
    """The ninjs items of a document: a bare item, a list of items, or an AP API envelope."""
    if isinstance(document, list):
        return [item for entry in document for item in _unwrap(entry)]
    if not isinstance(document, dict):
        return []
    data = document.get("data")
    if isinstance(data, str) and data.lstrip().startswith("{"):
        try:
            data = json.loads(data)
        except ValueError:
            try:  # a Python-literal dict: literal_eval evaluates no code
                data = ast.literal_eval(data)
            except (ValueError, SyntaxError, MemoryError, RecursionError):
                data = None
    if isinstance(data, dict):
        inner = data.get("item", data)
        if isinstance(inner, dict):
            return [inner]
        if isinstance(data.get("items"), list):
            return [i.get("item", i) for i in data["items"] if isinstance(i, dict)]
    return [document] if _NINJS_KEYS & set(document) else []


def _names(values: Any) -> list[str]:
    """Names of ninjs concept lists ([{"name": ...}]) or of plain string lists."""
    out = []
    for value in values if isinstance(values, list) else []:
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, dict) and isinstance(value.get("name"), str):
            out.append(value["name"])
    return out


def _body(item: dict) -> tuple[list[str], nitf.NitfParts | None]:
    bodies = item.get("bodies")
    candidates: list[tuple[str, str]] = []
    if isinstance(bodies, list):
        for body in bodies:
            if isinstance(body, dict) and isinstance(body.get("value"), str):
                candidates.append((str(body.get("contentType", body.get("role", ""))),
                                   body["value"]))
    for key, kind in (("body_nitf", "nitf"), ("body_xhtml", "html"), ("body_html", "html"),
                      ("body_text", "text/plain")):
        if isinstance(item.get(key), str):
            candidates.append((kind, item[key]))
    for kind, value in candidates:
        kind = kind.lower()
        if "nitf" in kind:
            try:
                parts = nitf.parts(parse_xml(value.encode("utf-8")))
            except WireFormatError:
                continue
            if parts.paragraphs:
                return parts.paragraphs, parts
        elif "html" in kind or value.lstrip().startswith("<"):
            paragraphs = html_paragraphs(value)
            if paragraphs:
                return paragraphs, None
        else:
            paragraphs = text_paragraphs(value)
            if paragraphs:
                return paragraphs, None
    return [], None


def _headline(item: dict) -> str:
    headlines = item.get("headlines")
    if isinstance(headlines, list):
        main = [h.get("value", "") for h in headlines if isinstance(h, dict)
                and h.get("role", "main") == "main"]
        others = [h.get("value", "") for h in headlines if isinstance(h, dict)]
        for value in main + others:
            if isinstance(value, str) and value.strip():
                return value
    for key in ("headline", "title"):
        if isinstance(item.get(key), str) and item[key].strip():
            return item[key]
    return ""


def _located(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return str(value.get("name") or value.get("city") or "")
    return ""


def _descriptions(item: dict) -> list[str]:
    descriptions = item.get("descriptions")
    if isinstance(descriptions, list):
        return [d["value"] for d in descriptions if isinstance(d, dict)
                and isinstance(d.get("value"), str)]
    text = item.get("description_text") or item.get("description")
    return [text] if isinstance(text, str) else []


def item_story(item: dict, fallback_id: str, source: str) -> Story:
    uri = str(item.get("uri") or item.get("guid") or item.get("id") or fallback_id)
    version_value = item.get("version")
    version_text = str(version_value or "")
    version = int(version_text) if version_text.isdecimal() else 0
    status_value = str(item.get("pubStatus") or item.get("pubstatus") or "usable").lower()
    notes = " ".join(str(v) for v in (item.get("edNote"), item.get("ednote")) if v)
    status = "canceled" if status_value in ("canceled", "cancelled", "withheld") or is_kill(
        notes) else "usable"
    paragraphs, embedded = _body(item)
    if not paragraphs:
        paragraphs = [p for d in _descriptions(item) for p in text_paragraphs(d)]
    headline = _headline(item)
    by = item.get("by") or item.get("byline") or ""
    if isinstance(by, list):
        by = ", ".join(_names(by))
    people = _names(item.get("people")) + _names(item.get("person"))
    tags = (_names(item.get("subjects")) + _names(item.get("subject"))
            + _names(item.get("keywords")) + _names(item.get("genres")))
    places = _names(item.get("places")) + _names(item.get("place"))
    tags += places
    date = None
    for key in ("firstCreated", "firstcreated", "versionCreated", "versioncreated"):
        if isinstance(item.get(key), str):
            date = parse_date(item[key])
            if date:
                break
    dateline = dateline_from_parts(location=_located(item.get("located")))
    if embedded is not None:
        people += embedded.people
        tags += embedded.tags
        by = by or embedded.byline
        headline = headline or embedded.headline
    slug = str(item.get("slugline") or "")
    return assemble(story_id=uri, source=source, fmt=NAME, paragraphs=paragraphs,
                    headline=headline, byline=byline_name(str(by)) if by else "",
                    dateline=dateline, date=date, tags=tags, people=people, key=uri,
                    version=version or rewrite_version(slug, notes), status=status)


def read(data: bytes, story_id: str, source: str = "") -> Iterator[Story | WireFormatError]:
    check_text(data)
    if len(data) > MAX_JSON_BYTES:
        raise WireFormatError(f"JSON document too large ({len(data)} bytes)")
    try:
        document = json.loads(decode(data))
    except ValueError as exc:
        raise WireFormatError(f"invalid JSON: {exc}") from None
    except RecursionError:
        raise WireFormatError("invalid JSON: nested too deeply") from None
    items = _unwrap(document)
    if not items:
        raise WireFormatError("JSON is not a ninjs item (no uri, headline or body)")
    for index, item in enumerate(items):
        try:
            yield item_story(item, story_id if len(items) == 1 else f"{story_id}#{index}",
                             source)
        except WireFormatError as exc:
            yield WireFormatError(f"item {item.get('uri', index)}: {exc}")
