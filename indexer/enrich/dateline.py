"""Parse the dateline that opens a wire story's first paragraph.

Forms handled, all-caps or not, with any of the dashes agencies use (— – -- - _):
    BEIRUT (AP) —                 SPRINGFIELD, Ill. (AP) —       CANBERRA, Australia (AP) —
    NEW YORK, March 3 -           LONDON (Reuters) -             Berlin (dpa) -
    WASHINGTON, Sept. 12 (AP) —   BUENOS AIRES, Argentina (AP) _
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

from ..dates import MONTH_WORD, month_number
from ..model import Dateline
from .lexicons import cities, countries, fold, gazetteer, us_states

_DATE_RE = re.compile(
    rf"(?:(?P<month>{MONTH_WORD})\s+(?P<day>\d{{1,2}})|(?P<day_first>\d{{1,2}})\s+"
    rf"(?P<month_after>{MONTH_WORD}))(?:,?\s+(?P<year>\d{{4}}))?", re.IGNORECASE)
# A month misspelled on the wire ("Narch 2", "Mach 4") still marks a dated dateline
_DATE_LIKE_RE = re.compile(r"[A-Za-z]{3,9}\.?\s+\d{1,3}")
# "JOHANNESBURG March 13 -", "RICHMOND, Va. Feb 26 -": a date without its comma
_MISSING_COMMA_RE = re.compile(rf"(?<=[A-Za-z.])\s+(?=(?:{MONTH_WORD})\s+\d{{1,2}}\s*[-—–_(])")
_LOWER_IN_NAMES = "de|la|le|las|los|del|da|do|dos|das|du|des|of|el|al|am|an|der|upon|on|sur"
_NAME = rf"[A-ZÀ-Þ][\w.'’/\-]*(?:\s+(?:[A-ZÀ-Þ][\w.'’/\-]*|(?:{_LOWER_IN_NAMES})\b))*?"
_DASH = r"(?:—|–|--|\.-|-|_)"
_YEAR_RE = re.compile(r"\d{4}")
_ENDS_IN_DASH_RE = re.compile(rf"{_DASH}\s*$")
# Agencies that some wires name without parentheses ("SEOUL, Nov 26 AFP -")
_BARE_AGENCY = r"AFP|AP|AAP|Reuters|dpa|DPA|EFE|ANSA|Xinhua|Kyodo|Yonhap|UPI|PA|NTB|TT|STT|ANP"
_DATELINE_RE = re.compile(
    rf"""^\s*
    (?P<city>{_NAME})
    (?P<parts>(?:\s*,\s*[^,()\n—–]{{1,40}}?){{0,3}})
    \s*(?:\((?P<agency>[A-Za-z][\w .&'/-]{{0,30}})\)|(?P<bare_agency>{_BARE_AGENCY}))?
    \s*(?P<dash>{_DASH})(?=\s|$)\s*""",
    re.VERBOSE,
)


def _title(text: str) -> str:
    """BUENOS AIRES -> Buenos Aires; keeps mixed-case text as written."""
    if not text.isupper():
        return text
    words = []
    for word in text.split():
        lower = word.lower()
        small = lower in {"de", "la", "del", "da", "do", "of"}
        words.append(lower if small else lower.capitalize())
    titled = " ".join(words)
    return titled[0].upper() + titled[1:] if titled else titled


def _month_day(text: str) -> tuple[int, int, int | None] | None:
    match = _DATE_RE.fullmatch(text.strip())
    if not match:
        return None
    month = month_number(match["month"] or match["month_after"])
    day = int(match["day"] or match["day_first"])
    if not 1 <= day <= 31 or not month:
        return None
    return month, day, int(match["year"]) if match["year"] else None


def resolve_date(month: int, day: int, year: int | None,
                 reference: datetime | None) -> datetime | None:
    """A dateline's month and day as a date, taking the year from the story's own date.

    A dateline written in December for a story stamped in January belongs to the year before.
    """
    if year is None:
        if reference is None:
            return None
        year = reference.year
        if month - reference.month > 6:
            year -= 1
        elif reference.month - month > 6:
            year += 1
    try:
        return datetime(year, month, day)
    except ValueError:
        return None


def normalize_region(text: str) -> tuple[str, str | None]:
    """`Ill.` -> ("Illinois", "United States"); `AUSTRALIA` -> ("Australia", "Australia")."""
    key = fold(text)
    if key in us_states():
        return us_states()[key], "United States"
    if key in countries():
        country = countries()[key]
        return country, country
    return _title(text.strip()), None


def place_for_city(city: str) -> tuple[str | None, str | None]:
    """Region and country of a city that stands alone in a dateline, when we know it: AP's
    own list of stand-alone cities first, then the GeoNames gazetteer."""
    found = cities().get(fold(city)) or gazetteer().get(fold(city))
    if not found:
        return None, None
    region, country = found
    return region or None, country or None


# "(ANSA) - Rome, October 11 - ..." and "Jan 30 (Gracenote) - ...": the agency or the date first
_AGENCY_FIRST_RE = re.compile(
    rf"""^\s*\((?P<agency>[A-Za-z][\w .&'/-]{{0,30}})\)\s*{_DASH}\s*
    (?:(?P<city>{_NAME})(?:\s*,\s*(?P<date>{MONTH_WORD}\s+\d{{1,2}}))?\s*{_DASH}(?=\s))?\s*""",
    re.VERBOSE)
_DATE_FIRST_RE = re.compile(
    rf"^\s*(?P<date>{MONTH_WORD}\s+\d{{1,2}})\s*\((?P<agency>[A-Za-z][\w .&'/-]{{0,30}})\)"
    rf"\s*{_DASH}\s+")


def _split_agency_first(paragraph: str,
                        reference: datetime | None) -> tuple[Dateline, str] | None:
    match = _AGENCY_FIRST_RE.match(paragraph[:200]) or _DATE_FIRST_RE.match(paragraph[:200])
    if not match:
        return None
    groups = match.groupdict()
    city = _title(groups["city"].strip()) if groups.get("city") else None
    month_day = _month_day(groups["date"]) if groups.get("date") else None
    region, country = place_for_city(city) if city else (None, None)
    dateline = Dateline(raw=paragraph[: match.end()].strip(), city=city, region=region,
                        country=country, agency=groups["agency"].strip(),
                        date=resolve_date(*month_day, reference) if month_day else None)
    return dateline, paragraph[match.end():].strip()


def split_dateline(paragraph: str, reference: datetime | None = None,
                   strict: bool = True) -> tuple[Dateline, str] | None:
    """Split a first paragraph into its dateline and the text after it, or None if it has none.

    strict=False is for text known to be a dateline (a <DATELINE> element): a place alone
    before a dash ("WASHINGTON -") is then enough."""
    head = _MISSING_COMMA_RE.sub(", ", paragraph[:200].lstrip("*# "), count=1)
    paragraph = head + paragraph[200:]
    match = _DATELINE_RE.match(head)
    if not match:
        return _split_agency_first(paragraph, reference)
    city = match["city"].strip()
    parts: list[str] = []
    for part in (p.strip() for p in match["parts"].split(",") if p.strip()):
        if _YEAR_RE.fullmatch(part) and parts and _month_day(parts[-1]):
            parts[-1] += f", {part}"  # "Aug 29, 2014"
        else:
            parts.append(part)
    agency = (match["agency"] or match["bare_agency"] or "").strip() or None
    region = country = None
    date = None
    dated = False
    for part in parts:
        month_day = _month_day(part)
        if month_day:
            dated = True
            date = resolve_date(*month_day, reference)
        elif _DATE_LIKE_RE.fullmatch(part):
            dated = True
        elif region is None:
            region, country = normalize_region(part)
        else:
            return None  # three place parts: a sentence, not a dateline
    # Without an agency or a date a dash after a capitalised word is too weak a signal:
    # accept an all-caps place only with a long dash ("WASHINGTON —"), or when the place is
    # one we know ("WASHINGTON -", "CALGARY, Alberta -").
    if agency is None and not dated and strict:
        known = place_for_city(city) != (None, None) or (region is not None and country)
        if not (city.isupper() and (match["dash"] in ("—", "–", "--") or known)):
            return None
    if len(city.split()) > 5 or any(ch.isdigit() for ch in city):
        return None
    city_name = _title(city)
    if region is None:
        region, country = place_for_city(city_name)
    raw = paragraph[: match.end()].strip()
    dateline = Dateline(raw=raw, city=city_name, region=region, country=country,
                        agency=agency, date=date)
    return dateline, paragraph[match.end():].strip()


_DATE_THEN_DASH_RE = re.compile(rf"\s*(?:{_DATE_RE.pattern})\s*{_DASH}\s*", re.IGNORECASE)


def dateline_element(text: str, reference: datetime | None = None
                     ) -> tuple[Dateline | None, str]:
    """A dateline element's dateline, and the story text it swallowed: Reuters-21578
    closes some <DATELINE>s at a hyphen in the story's first words (as if "OSLO, March 2
    - Grain- </DATELINE>and feed-bearing cargoes ..."), whose text after the dateline's
    dash opens the body."""
    found = parse_dateline(text, reference)
    if found is None:
        return None, ""
    match = _DATELINE_RE.match(_MISSING_COMMA_RE.sub(", ", text.strip(), count=1))
    if match is None:
        return found, ""
    rest = text.strip()[match.end():].strip() if match.end() <= len(text.strip()) else ""
    if not rest:
        return found, ""
    if _DATE_THEN_DASH_RE.fullmatch(rest):  # "KANSAS CITY, Mo. - March 13 -": its date
        month_day = _month_day(_ENDS_IN_DASH_RE.sub("", rest))
        if month_day and found.date is None:
            found = replace(found, date=resolve_date(*month_day, reference))
        return found, ""
    return replace(found, raw=text.strip()[:match.end()].strip()), rest


def parse_dateline(text: str, reference: datetime | None = None) -> Dateline | None:
    """Parse a dateline on its own (`"SPRINGFIELD, Ill. (AP) —"`) or at the head of a paragraph."""
    text = text.strip()
    given = text
    if not _ENDS_IN_DASH_RE.search(text):
        text += " -"  # "PORTLAND, Maine (AP)" as an element, without the dash
    if text[:1].islower():
        text = text.title()  # "omaha, april 7 -"
    found = split_dateline(text + " ", reference, strict=False)
    if not found:
        return None
    return replace(found[0], raw=given)
