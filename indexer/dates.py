"""Dates as wire copy writes them, turned into naive UTC datetimes."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from .model import naive_utc

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "june": 6,
    "jul": 7, "july": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
MONTH_WORD = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)


def month_number(word: str) -> int:
    """`Sept.` -> 9, `March` -> 3; 0 for anything else."""
    key = word.rstrip(".").lower()
    return _MONTHS.get(key) or _MONTHS.get(key[:4]) or _MONTHS.get(key[:3]) or 0


_ZONES = {"utc": 0, "gmt": 0, "z": 0, "est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7,
          "mdt": -6, "pst": -8, "pdt": -7, "cet": 1, "cest": 2, "bst": 1}
_WRITTEN_RE = re.compile(
    rf"^(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?(?P<month>{MONTH_WORD})\s+"
    r"(?P<day>\d{1,2}),?\s+(?P<year>\d{4})"
    r"(?:,?\s+(?:at\s+)?(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)?"
    r"(?:\s+(?P<zone>[A-Za-z]{1,4}))?)?\s*$",
    re.IGNORECASE,
)


def parse_date(text: str) -> datetime | None:
    """ISO 8601 (`2016-09-13`, `2016-09-13T14:05:00Z`, `+02:00` offsets) or written dates
    (`Sept. 13, 2016`, `Tuesday, Sept. 13, 2016 3:45 PM EDT`). None when it is neither."""
    text = text.strip()
    if not text or len(text) > 60:
        return None
    iso = text.replace("Z", "+00:00") if text.endswith("Z") else text
    try:
        return naive_utc(datetime.fromisoformat(iso))
    except ValueError:
        pass
    match = _WRITTEN_RE.match(text)
    if not match:
        return None
    month = month_number(match["month"])
    hour = int(match["hour"] or 0)
    ampm = (match["ampm"] or "").replace(".", "").lower()
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    try:
        value = datetime(int(match["year"]), month or 0, int(match["day"]), hour,
                         int(match["minute"] or 0))
    except ValueError:
        return None
    zone = (match["zone"] or "").lower()
    if zone in _ZONES:
        value = value.replace(tzinfo=timezone(timedelta(hours=_ZONES[zone])))
    return naive_utc(value)


# -- time shards of an archive (indexer.archive)

SHARD_BY = ("year", "month")
UNDATED = "undated"  # the shard of stories without a date


def shard_name(date: datetime | None, shard_by: str) -> str:
    """The shard a story of this date goes to: `2026` by year, `2026-03` by month."""
    if date is None:
        return UNDATED
    return f"{date.year:04d}" if shard_by == "year" else f"{date.year:04d}-{date.month:02d}"


def shard_window(name: str) -> tuple[datetime, datetime] | None:
    """The dates a shard holds, [start, end); None for the undated shard."""
    if name == UNDATED:
        return None
    year, _, month = name.partition("-")
    if not month:
        return datetime(int(year), 1, 1), datetime(int(year) + 1, 1, 1)
    start = datetime(int(year), int(month), 1)
    end = datetime(start.year + start.month // 12, start.month % 12 + 1, 1)
    return start, end
