"""What every reader needs once it has pulled a story's pieces out of its format."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import cache
from typing import TypeVar

from ..enrich.dateline import normalize_region, place_for_city, split_dateline
from ..enrich.people import merge_names
from ..errors import WireFormatError
from ..model import Dateline, Story, naive_utc
from ..textio import check_text, clean_text, decode, normalize_space, printable

_POSSESSIVE_RE = re.compile(r"(?:'s|’s|'|’)$")
_BYLINE_LINE_RE = re.compile(r"^By\s+[A-Z][\w.'’\- ]{1,50}(?:,[\w .'’\-]{1,40})?$")
# "By", and its German, Dutch, French, Spanish, Italian and Nordic equivalents
_BYLINE_PREFIX_RE = re.compile(r"^\s*(?:By|Von|Door|Par|Por|Di|Da|Av|Af)\s+", re.IGNORECASE)
# A byline part naming a role or an organisation, not a person ("AP Sports Writer")
_BYLINE_NOISE_RE = re.compile(
    r"\b(?:Associated Press|AP|Reuters|AFP|dpa|Staff|Writers?|Reporters?|Correspondents?|"
    r"Editors?|Photographers?|Press|News|Agency)\b|^The\s", re.IGNORECASE)
# Words that mark a rewrite and its number: "1st Ld-Writethru", "2nd Ld", "UPDATE 2"
_AP_LEAD_RE = re.compile(r"\b(\d+)(?:st|nd|rd|th)\s*Ld\b", re.IGNORECASE)
_UPDATE_RE = re.compile(r"\bUPDATE\s+(\d+)\b")
_KILL_RE = re.compile(r"\b(?:KILL|KILLED|WITHDRAWN|WITHDRAWAL|ELIMINATION|ELIMINATE)\b")


# compiled once: each story calls these (re.search(pattern, ...) looks the pattern up, and
# or-es its flags, at every call)
_BYLINE_SPLIT_RE = re.compile(r"\s*(?:,|;|\band\b|&)\s*")
_CORRECTED_RE = re.compile(r"\b(?:CORRECTED|REFILE|Writethru|CORRECTS?)\b", re.IGNORECASE)
_TIMESTAMP_RE = re.compile(r"\s*\d{4}-?\d{2}-?\d{2}")


SGML_TAG_RE = re.compile(r"<[^>]+>")  # any tag, to strip markup from an element's text


@cache
def element_pattern(tag: str) -> re.Pattern[str]:
    """An SGML element's text, `<TAG ...>(text)</TAG>` in any case and across lines:
    compiled once a tag (SGML readers look for several a record)."""
    return re.compile(rf"<{tag}\b[^>]*>(.*?)</{tag}>", re.DOTALL | re.IGNORECASE)


def byline_name(text: str) -> str:
    """`By CHARLES ODUM, AP Sports Writer` -> `Charles Odum`; co-authors joined by ', '."""
    text = _BYLINE_PREFIX_RE.sub("", normalize_space(text)).strip(" =<,")
    parts = _BYLINE_SPLIT_RE.split(text)
    kept = [p for p in parts if p and not _BYLINE_NOISE_RE.search(p)
            and any(ch.isalpha() for ch in p)
            and not (p.isupper() and len(p) <= 5 and " " not in p)]  # agency codes: NTB, EFE
    return ", ".join(p.title() if p.isupper() else p for p in kept)


def rewrite_version(*texts: str) -> int:
    """The rewrite number carried by a slug or editor's note (AP `2nd Ld`, Reuters
    `UPDATE 2`; `CORRECTED` and `REFILE` count as one more than nothing); 0 when none."""
    best = 0
    for text in texts:
        if not text:
            continue
        for pattern in (_AP_LEAD_RE, _UPDATE_RE):
            for match in pattern.finditer(text):
                best = max(best, int(match.group(1)))
        if _CORRECTED_RE.search(text):
            best = max(best, 1)
    return best


def is_kill(*texts: str) -> bool:
    return any(text and _KILL_RE.search(text) for text in texts)


def dateline_from_parts(location: str = "", city: str = "", region: str = "",
                        country: str = "", agency: str = "") -> Dateline:
    """A Dateline from separate fields (NITF <location>, NewsML <located>, ninjs located)."""
    if _TIMESTAMP_RE.match(location):
        location = ""  # Reuters puts a timestamp in <dateline>
    if location and not city:
        parts = [p.strip() for p in location.split(",") if p.strip()]
        city = parts[0] if parts else ""
        region = region or (parts[1] if len(parts) > 1 else "")
    city = normalize_space(city)
    if city.isupper():
        city = city.title()
    region_name, region_country = normalize_region(region) if region else (None, None)
    if not region_name:
        region_name, region_country = place_for_city(city) if city else (None, None)
    return Dateline(raw=normalize_space(location or ", ".join(p for p in (city, region) if p)),
                    city=city or None, region=region_name or None,
                    country=normalize_space(country) or region_country or None,
                    agency=agency or None)


# Far beyond any wire story; they bound the memory and time one story can take.
MAX_PARAGRAPHS = 5000
MAX_PARAGRAPH_CHARS = 100_000
MAX_STORY_CHARS = 1_000_000


def assemble(*, story_id: str, source: str, fmt: str, paragraphs: list[str],
             headline: str = "", byline: str = "", dateline: Dateline | None = None,
             date: datetime | None = None, tags: list[str] | None = None,
             people: list[str] | None = None, key: str = "", version: int = 0,
             status: str = "usable") -> Story:
    """Clean paragraphs, split an inline dateline off the first one, extract and merge
    people, drop duplicate tags: the same finishing for every format."""
    if len(paragraphs) > MAX_PARAGRAPHS:
        raise WireFormatError(f"story has {len(paragraphs)} paragraphs "
                              f"(limit {MAX_PARAGRAPHS}): not a wire story")
    longest = max((len(p) for p in paragraphs), default=0)
    if longest > MAX_PARAGRAPH_CHARS:
        raise WireFormatError(f"a paragraph of {longest} characters "
                              f"(limit {MAX_PARAGRAPH_CHARS}): not a wire story")
    total = sum(len(p) for p in paragraphs)
    if total > MAX_STORY_CHARS:
        raise WireFormatError(f"a story of {total} characters (limit {MAX_STORY_CHARS}): "
                              "not a wire story")
    # every value a file gave is data: one line, no control character (textio.clean_text),
    # and an id escaped, not stripped, so that it stays distinct (as a file name is)
    paragraphs = [clean_text(p) for p in paragraphs]
    paragraphs = [p for p in paragraphs if p]
    headline, byline = clean_text(headline), clean_text(byline)
    story_id, key = printable(story_id), printable(key)
    if dateline is not None:
        dateline = _clean_dateline(dateline)
    if paragraphs and _BYLINE_LINE_RE.match(paragraphs[0]):  # "By Marwan Makdisi" atop the body
        written = byline_name(paragraphs.pop(0))
        byline = byline or written
    if paragraphs:
        found = split_dateline(paragraphs[0] + " ", date)
        if found:
            inline, rest = found
            dateline = _merge_datelines(inline, dateline)
            paragraphs[0] = rest
            paragraphs = [p for p in paragraphs if p]
    if not paragraphs:
        if headline and status == "usable":
            paragraphs = [normalize_space(headline)]  # a title-only record is still a story
        elif status != "usable":
            paragraphs = [normalize_space(headline) or "(story withdrawn)"]
        else:
            raise WireFormatError("story has no text")
    # the file's own people; PeopleFinder adds those the text names, after the reader
    merged_people = merge_names([clean_text(name) for name in people or []], [])
    # the byline's writers are not people the story is about
    writers = {name.lower() for name in byline.split(", ")} if byline else set()
    merged_people = [name for name in merged_people if name.lower() not in writers]
    # one-letter category codes and bare numeric codes ("a", "15000000") say nothing to a reader
    tags = list(dict.fromkeys(
        t for t in (clean_text(t) for t in tags or []) if len(t) > 1 and not t.isdigit()))
    when = naive_utc(date) if date else (dateline.date if dateline else None)
    return Story(story_id=story_id, paragraphs=paragraphs, headline=normalize_space(headline),
                 dateline=dateline or Dateline(), date=when, byline=byline, people=merged_people,
                 tags=tags, source=source, format=fmt, key=key or story_id, version=version,
                 status=status)


def _clean_dateline(dateline: Dateline) -> Dateline:
    def clean(value: str | None) -> str | None:
        return None if value is None else clean_text(value) or None

    return Dateline(raw=clean_text(dateline.raw), city=clean(dateline.city),
                    region=clean(dateline.region), country=clean(dateline.country),
                    agency=clean(dateline.agency), date=dateline.date)


def _merge_datelines(inline: Dateline, given: Dateline | None) -> Dateline:
    if given is None or not given.city:
        return inline
    return Dateline(raw=inline.raw, city=inline.city or given.city,
                    region=inline.region or given.region,
                    country=inline.country or given.country,
                    agency=inline.agency or given.agency, date=inline.date or given.date)


def read_control_stream(data: bytes, story_id: str, source: str, label: str,
                        parse_message) -> Iterator[Story | WireFormatError]:
    """Stories of a control-code framed wire stream (ANPA-1312, IPTC 7901): one message a
    SOH, each parsed by `parse_message(message, story_id, source)`; a bad message is
    reported on its own and the others go on."""
    check_text(data, allow_controls=True)
    found = [part for part in decode(data).split("\x01")[1:] if part.strip()]
    if not found:
        raise WireFormatError(f"no {label} message (SOH ... STX ... ETX) found")
    for index, message in enumerate(found):
        try:
            yield parse_message(message, f"{story_id}#{index}" if len(found) > 1 else story_id,
                                source)
        except WireFormatError as exc:
            yield WireFormatError(f"message {index + 1}: {exc}")


Record = TypeVar("Record")  # what a reader's records are: text, or text and attributes


def read_records(split: Callable[[bytes], Iterator[tuple[str, Record]]],
                 parse: Callable[[Record, str], Story], data: bytes, source: str,
                 none_found: str, share: tuple[int, int] = (0, 1)
                 ) -> Iterator[Story | WireFormatError]:
    """The stories of a file of many records, one item a record: `split` lists the
    records (a label for messages, and the record), `parse` reads one. A record that
    cannot be read is a WireFormatError item and the others go on; a file with no record
    at all raises `none_found`. With `share=(part, parts)`, only the records numbered
    `part` modulo `parts` are parsed: how workers sharing a large file each read theirs."""
    part, parts = share
    found = False
    for index, (label, record) in enumerate(split(data)):
        found = True
        if index % parts != part:
            continue
        try:
            yield parse(record, source)
        except WireFormatError as exc:
            yield WireFormatError(f"{label}: {exc}")
        except Exception as exc:  # a reader bug in one record: the file's others go in
            yield WireFormatError(f"{label}: could not parse: {type(exc).__name__}: {exc}")
    if not found:
        raise WireFormatError(none_found)
