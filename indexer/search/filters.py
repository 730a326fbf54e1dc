"""Filters: the person, tag, place and date limits of a query, one representation for
every path (search, count, facets). Person, tag and place are queries on keyword fields;
dates are a window read from the date column of each matching document (Filtered), so a
filter costs in proportion to the query's matches, not to the filter's.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from whoosh import matching
from whoosh import query as wq

from ..enrich.dateline import normalize_region
from ..errors import QueryError


class FilterMatcher(matching.WrappingMatcher):
    """The child's documents that `allow` also matches and `accept(docnum)` accepts, scored
    by the child alone, its block-quality skipping kept. Whoosh's RequireMatcher means the
    same but its skip_to_quality trips an assertion (IntersectionMatcher._find_next)."""

    def __init__(self, child, allow=None, accept=None) -> None:
        super().__init__(child)
        self.allow = allow
        self.accept = accept
        self._align()

    def _align(self) -> bool:
        """Move to the next document that passes; True when the child moved."""
        child, allow, accept = self.child, self.allow, self.accept
        moved = False
        while child.is_active():
            if allow is not None:
                if not allow.is_active():
                    break
                target = allow.id()
                if target < child.id():
                    allow.skip_to(child.id())
                    continue
                if target > child.id():
                    child.skip_to(target)
                    moved = True
                    continue
            if accept is not None and not accept(child.id()):
                child.next()
                moved = True
                continue
            break
        return moved

    def is_active(self) -> bool:
        return self.child.is_active() and (self.allow is None or self.allow.is_active())

    def copy(self):
        return FilterMatcher(self.child.copy(), self.allow and self.allow.copy(), self.accept)

    def replace(self, minquality=0):
        if not self.is_active():
            return matching.NullMatcher()
        child = self.child.replace(minquality)
        return self if child is self.child else FilterMatcher(child, self.allow, self.accept)

    def children(self):
        return [self.child]  # the filter's terms are not "matched terms" of a hit

    def all_ids(self):
        while self.is_active():
            yield self.id()
            self.next()

    def next(self):
        new_block = self.child.next()
        return self._align() or new_block

    def skip_to(self, target):
        self.child.skip_to(target)
        self._align()

    def skip_to_quality(self, minquality):
        skipped = self.child.skip_to_quality(minquality)
        self._align()
        return skipped


class Filtered(wq.WrappingQuery):
    """`child` limited to the documents `allow` matches and dated within `dates`, scored
    by `child` alone. Filters cost in proportion to the query's matches, not the filter's:
    a date range can hold most of an archive, so it is read from the date column of each
    matching document instead of from the date terms."""

    def __init__(self, child: wq.Query, allow: wq.Query | None = None,
                 dates: tuple[datetime | None, datetime | None] | None = None) -> None:
        super().__init__(child)
        self.allow = allow
        self.dates = dates

    def __repr__(self) -> str:
        return f"Filtered({self.child!r}, {self.allow!r}, {self.dates!r})"

    def __eq__(self, other) -> bool:
        return (isinstance(other, Filtered) and self.child == other.child
                and self.allow == other.allow and self.dates == other.dates)

    def __hash__(self) -> int:
        return hash(self.child) ^ hash(self.allow) ^ hash(self.dates)

    # WrappingQuery rebuilds itself with its class and child alone: these keep the filters
    def apply(self, fn) -> Filtered:
        return Filtered(fn(self.child), self.allow, self.dates)

    def with_boost(self, boost: float) -> Filtered:
        return Filtered(self.child.with_boost(boost), self.allow, self.dates)

    def matcher(self, searcher, context=None):
        found = self.child.matcher(searcher, context)
        if not found.is_active():
            return found
        allow = None
        if self.allow is not None:
            allow = self.allow.matcher(searcher, searcher.boolean_context())
            if not allow.is_active():
                return matching.NullMatcher()
        return FilterMatcher(found, allow, date_test(searcher, self.dates))


def date_test(searcher, dates: tuple[datetime | None, datetime | None] | None
              ) -> Callable[[int], bool] | None:
    """A test of a segment's docnum against a date window, read from the date column
    (None when there is no window)."""
    if dates is None:
        return None
    reader = searcher.reader()
    if not reader.has_column("date"):
        return lambda docnum: False
    field = searcher.schema["date"]
    column = reader.column_reader("date", translate=False)
    low = field.prepare_datetime(dates[0]) if dates[0] else 1  # 0: no date
    high = field.prepare_datetime(dates[1]) if dates[1] else 2 ** 63

    def dated_within(docnum: int) -> bool:
        try:
            return low <= column[docnum] <= high
        except (IndexError, OverflowError, struct.error):  # no column past the last date
            return False

    return dated_within


_RELATIVE_RE = re.compile(r"^(\d+)\s*([dwmy])$")


def parse_when(text: str, *, end: bool = False, now: datetime | None = None) -> datetime:
    """A --since/--until value: YYYY, YYYY-MM, YYYY-MM-DD, an ISO datetime, or 7d/2w/3m/1y ago.
    With end=True a partial date means its last moment (--until 2026-09 includes Sept. 30)."""
    text = text.strip()
    relative = _RELATIVE_RE.match(text)
    if relative:
        amount, unit = int(relative[1]), relative[2]
        days = amount * {"d": 1, "w": 7, "m": 30, "y": 365}[unit]
        try:
            return (now or datetime.utcnow()) - timedelta(days=days)
        except OverflowError:
            raise QueryError(f"date {text!r} is before the year 1") from None
    formats = [("%Y", "year"), ("%Y-%m", "month"), ("%Y-%m-%d", "day"), ("%Y%m", "month"),
               ("%Y%m%d", "day")]
    for fmt, unit in formats:
        try:
            start = datetime.strptime(text, fmt)
        except ValueError:
            continue
        if not end:
            return start
        if unit == "year":
            following = start.replace(year=start.year + 1)
        elif unit == "month":
            following = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
        else:
            following = start + timedelta(days=1)
        return following - timedelta(microseconds=1)
    try:
        from ..model import naive_utc

        return naive_utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        raise QueryError(f"cannot read date {text!r} (use YYYY-MM-DD, YYYY-MM, YYYY or 7d)") \
            from None


def person_query(name: str, surnames: Mapping[str, list[str]] | None = None) -> wq.Query:
    """A full name matches exactly; a single word matches anyone with that surname (from
    `surnames`, the index's people by last word, when given: a wildcard reads the whole
    people lexicon each time it is matched)."""
    key = " ".join(name.lower().split())
    if " " in key:
        return wq.Term("people", key)
    if surnames is not None:
        return wq.Or([wq.Term("people", full) for full in [key, *surnames.get(key, ())]])
    return wq.Or([wq.Term("people", key), wq.Wildcard("people", f"* {key}")])


def people_by_surname(reader) -> dict[str, list[str]]:
    """Every multi-word name in the people field, by its last word."""
    found: dict[str, list[str]] = {}
    for term in reader.lexicon("people"):
        name = term.decode("utf-8")
        if " " in name:
            found.setdefault(name.rsplit(" ", 1)[1], []).append(name)
    return found


def place_query(place: str) -> wq.Query:
    key = " ".join(place.lower().split())
    region, _country = normalize_region(place)
    terms = {key, region.lower()}
    return wq.Or([wq.Term(name, value) for name in ("city", "region", "country")
                  for value in sorted(terms)])


def filter_query(person: str | None = None, tag: str | None = None, place: str | None = None,
                 surnames: Mapping[str, list[str]] | None = None) -> wq.Query | None:
    """The person, tag and place filters as one query, or None when there are none. Dates
    are a window (date_window), read from the date column by Filtered; that hits are
    paragraphs is applied separately, from a set cached per searcher."""
    parts: list[wq.Query] = []
    if person:
        parts.append(person_query(person, surnames))
    if tag:
        parts.append(wq.Term("tags", " ".join(tag.lower().split())))
    if place:
        parts.append(place_query(place))
    return wq.And(parts) if parts else None


def restricted(q: wq.Query, allow: wq.Query | None,
               window: tuple[datetime | None, datetime | None] | None) -> wq.Query:
    """q limited to the documents the filters allow, scored by q alone: the one way every
    search path applies the filters."""
    return q if allow is None and window is None else Filtered(q, allow, window)


def date_window(since: datetime | str | None, until: datetime | str | None
                ) -> tuple[datetime | None, datetime | None] | None:
    """--since/--until as (start, stop), None when neither is given."""
    if since is None and until is None:
        return None
    start = parse_when(since) if isinstance(since, str) else since
    stop = parse_when(until, end=True) if isinstance(until, str) else until
    if start is not None and stop is not None and start > stop:
        raise QueryError(f"--since {since} is after --until {until}: no date is in both")
    return start, stop
