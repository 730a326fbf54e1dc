"""Turning a user's query and filters into Whoosh queries, and Whoosh hits into typed Hits."""

from __future__ import annotations

import re
import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from whoosh import matching
from whoosh import query as wq
from whoosh.qparser import MultifieldParser

from . import budget
from .dateline import normalize_region
from .errors import QueryError
from .schema import build_schema
from .whoosh_ext import fast_analysis


@dataclass(frozen=True)
class DatelineInfo:
    raw: str
    city: str | None
    region: str | None
    agency: str | None
    country: str | None = None


@dataclass(frozen=True)
class ContextParagraph:
    """A paragraph shown around a hit (--context)."""

    paragraph: int
    text: str


@dataclass(frozen=True)
class Hit:
    """One ranked paragraph with its story's context. `to_dict()` is the JSON form."""

    rank: int
    score: float
    story_id: str
    paragraph: int
    paragraphs: int
    text: str
    headline: str
    dateline: DatelineInfo
    date: datetime | None
    people: list[str]
    tags: list[str]
    source: str
    highlights: list[tuple[int, int]] = field(default_factory=list, compare=False)
    version: int = 0
    superseded: bool = False  # a newer version exists, or the story was killed
    before: list[ContextParagraph] = field(default_factory=list, compare=False)
    after: list[ContextParagraph] = field(default_factory=list, compare=False)
    byline: str = ""

    def to_dict(self, with_version: bool = False, with_context: bool = False) -> dict:
        """The JSON form; with_version adds `version` and `superseded` (--all-versions),
        with_context adds `context` with the paragraphs `before` and `after` (--context)."""
        data = {
            "rank": self.rank,
            "score": round(self.score, 4),
            "story_id": self.story_id,
            "paragraph": self.paragraph,
            "paragraphs": self.paragraphs,
            "text": self.text,
            "headline": self.headline,
            "byline": self.byline,
            "dateline": {"raw": self.dateline.raw, "city": self.dateline.city,
                         "region": self.dateline.region, "country": self.dateline.country,
                         "agency": self.dateline.agency},
            "date": self.date.isoformat() if self.date else None,
            "people": self.people,
            "tags": self.tags,
            "source": self.source,
        }
        if with_version:
            data.update(version=self.version, superseded=self.superseded)
        if with_context:
            data["context"] = {
                "before": [{"paragraph": c.paragraph, "text": c.text} for c in self.before],
                "after": [{"paragraph": c.paragraph, "text": c.text} for c in self.after]}
        return data


def group_by_story(hits: list[Hit]) -> list[list[Hit]]:
    """Hits gathered by story (story id and version), stories in the order of their best
    hit, each story's hits in rank order: the results as a searcher reads news."""
    groups: dict[tuple[str, int], list[Hit]] = {}
    for hit in hits:
        groups.setdefault((hit.story_id, hit.version), []).append(hit)
    return list(groups.values())


def group_json(group: list[Hit], rank: int, with_version: bool = False,
               with_context: bool = False) -> dict:
    """One story of grouped results: the story's keys from its best hit, its rank among
    the stories and its best score, and `hits`, each a hit's JSON as it is."""
    best = group[0].to_dict(with_version)
    story = {key: best[key] for key in ("story_id", "paragraphs", "headline", "byline",
                                        "dateline", "date", "people", "tags", "source")}
    return {"rank": rank, "score": best["score"], **story,
            "hits": [hit.to_dict(with_version, with_context) for hit in group]}


_DATE_CLAUSE_RE = re.compile(r"\bdate:(\[[^\]]*\]|\{[^}]*\}|\([^)]*\)|\S+)", re.IGNORECASE)
_ISO_DAY_RE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


_DATE_RANGE_RE = re.compile(r"\bdate:([\[{])([^\]}]*)([\]}])", re.IGNORECASE)


def _compact_dates(text: str) -> str:
    """Date clauses as Whoosh's date parser reads them right. It read `2026-09` and
    `2026-09-01` inside a range as the year 2026 (and a range of months as every date);
    a range is therefore rewritten with both ends explicit, to the second, as --since
    and --until read them (a year, month or day: its first moment at the start, its last
    at the end; `{}` leaves the named period out; an open end stays open). A single
    date's ISO day is written compact (`20260901`), which Whoosh reads right."""
    text = _DATE_RANGE_RE.sub(_explicit_range, text)
    return _DATE_CLAUSE_RE.sub(
        lambda m: "date:" + _ISO_DAY_RE.sub(r"\1\2\3", m.group(1)), text)


def _explicit_range(match: re.Match[str]) -> str:
    opening, body, closing = match.groups()
    bounds = _RANGE_WORDS_RE.split(body)
    if len(bounds) != 2:
        return match.group(0)  # not a range of two ends: Whoosh's to read (or refuse)
    low, high = (bound.strip() for bound in bounds)
    if not all(_ours(bound) for bound in (low, high)):
        return match.group(0)  # "today", "yesterday": Whoosh's words
    start = parse_when(low, end=opening == "{") if low not in ("", "*") else None
    stop = parse_when(high, end=closing == "]") if high not in ("", "*") else None
    if start is not None and opening == "{":
        start += timedelta(microseconds=1)  # after the period named
    if stop is not None and closing == "}":
        stop -= timedelta(microseconds=1)  # before the period named
    if start is not None and stop is not None and start > stop:
        raise QueryError(f"date range {match.group(0)!r} ends before it starts")
    shown = [f"{when:%Y%m%d%H%M%S}" if when else "" for when in (start, stop)]
    return f"date:[{shown[0]} to {shown[1]}]"


def _ours(bound: str) -> bool:
    """A range end parse_when reads the way --since and --until do."""
    return bound in ("", "*") or bool(_DATE_BOUND_RE.fullmatch(bound))


_DATE_BOUND_RE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?|\d{2}(?:\d{2})?)?")


def records(searcher, kind: str, field: str, value: str) -> list[dict]:
    """Stored fields of the documents of one kind whose `field` holds `value`. Not
    searcher.documents(kind=..., field=...): intersecting with the posting list of a kind,
    which names every paragraph, cost 6 ms a call at 100,000 paragraphs (0.3 ms this way)."""
    found = (searcher.stored_fields(docnum)
             for docnum in searcher.docs_for_query(wq.Term(field, value)))
    return [fields for fields in found if fields.get("kind") == kind]


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


# A query is bounded by the work it costs (MAX_EXPANSION, the time budget), not by a word
# count real queries exceed: a newsroom user pastes a paragraph to find related stories,
# and test collections' queries run to 250 words. These only keep a query a query:
MAX_QUERY_CHARS = 10_000  # a few pages of text
MAX_QUERY_TERMS = 1024  # words, phrase words and patterns together (Lucene's clause limit)
MAX_PATTERNS = 20  # wildcard and prefix terms: each reads its field's lexicon
# words one wildcard, prefix, fuzzy or range term may stand for in one field: as Lucene's
# clause limit, a pattern that stands for more is refused, not run for minutes
MAX_EXPANSION = 1024


# the fields a query may name: the indexed ones (a stored-only field has nothing to match)
QUERY_FIELDS = {name for name, field in build_schema().items() if field.format is not None}
# the fields a user searches, as an unknown field's message lists them
USER_FIELDS = ("body", "headline", "dateline", "city", "region", "country", "agency",
               "date", "byline", "people", "tags", "source", "story_id")


def clean_query_text(text: str) -> str:
    """The query as text: bytes an argument could not decode (surrogate escapes) become
    U+FFFD, which matches nothing, instead of failing in the analyzer."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


_DATE_WORDS = {"now", "today", "yesterday", "tomorrow"}  # Whoosh's date parser reads these
_COMPACT_DAY_RE = re.compile(r"^\d{8}$")
_FIELD_PREFIX_RE = re.compile(r"(?<![\w:])([A-Za-z_]\w*):(?=[^\s:])")
_RANGE_WORDS_RE = re.compile(r"(?:^|\s)to(?:\s|$)", re.IGNORECASE)


def check_syntax(text: str, fields: set[str]) -> None:
    """What Whoosh's lenient parser would quietly take: an unbalanced quote or bracket, a
    field the index does not have, a date it cannot read (it would match everything or
    nothing). Raises QueryError with a plain message."""
    outside = re.sub(r'"[^"]*"', " ", text)
    if text.count('"') % 2:
        raise QueryError(f"unbalanced quote in query {text!r}")
    depth = 0
    for char in outside:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            break
    if depth:
        raise QueryError(f"unbalanced parenthesis in query {text!r}")
    words = re.sub(r"[()]", " ", re.sub(r'"[^"]*"', " phrase ", text)).split()
    binary = {"AND", "OR", "ANDNOT", "ANDMAYBE"}
    for at, word in enumerate(words):
        # Whoosh drops an operator with a side missing: "oil AND" ran as "oil"
        if word in binary and (at == 0 or at == len(words) - 1 or words[at + 1] in binary
                               or words[at - 1] in binary | {"NOT"}):
            raise QueryError(f"{word} needs a word on each side in query {text!r}")
        if word == "NOT" and (at == len(words) - 1 or words[at + 1] in binary):
            raise QueryError(f"NOT needs a word after it in query {text!r}")
    unclosed = re.search(r"\bdate:[\[{][^\]}]*$", outside, re.IGNORECASE)
    if unclosed:
        raise QueryError(f"unclosed date range {unclosed.group()!r} in query {text!r} "
                         "(close it with ] or }, as date:[2026-09 to 2026-10])")
    for name in _FIELD_PREFIX_RE.findall(outside):
        if name.lower() not in fields:
            raise QueryError(f"unknown field {name!r} (fields: {', '.join(USER_FIELDS)})")
    # date clauses, quoted ones included (date:"" reached Whoosh's date parser)
    for clause in _DATE_CLAUSE_RE.findall(re.sub(r'date:"([^"]*)"', r"date:(\1)", text,
                                                 flags=re.IGNORECASE)):
        if clause[:1] in "[{":  # a range, either end open: [2026 to], [to 2027]
            bounds = _RANGE_WORDS_RE.split(clause[1:-1])
        elif clause[:1] == "(":  # a group: date:(2026 OR 2027)
            bounds = [word for word in re.split(r"[\s()]+", clause)
                      if word.upper() not in ("", "AND", "OR", "NOT")] or [""]
        else:
            bounds = [clause]
        for bound in (b.strip().lstrip("<>=").strip() for b in bounds):  # date:>2026-10
            if bound == "" and clause[:1] in "(<>":  # date:() date:> ask for no date
                raise QueryError(f"empty date in query {text!r}")
            if bound and bound != "*" and bound.lower() not in _DATE_WORDS \
                    and not _COMPACT_DAY_RE.match(bound):
                parse_when(bound)  # QueryError: cannot read date ...


def parse_query(parser: MultifieldParser, text: str) -> wq.Query:
    text = clean_query_text(text)
    if not text.strip():
        raise QueryError("empty query")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query too long ({len(text)} characters, limit {MAX_QUERY_CHARS})")
    check_syntax(text, QUERY_FIELDS)
    compacted = _compact_dates(text)  # QueryError for a range that ends before it starts
    try:
        parsed = parser.parse(compacted)
    except RecursionError:
        raise QueryError(f"query too deeply nested: {text[:60]!r}...") from None
    except Exception as exc:  # Whoosh raises assorted types on odd syntax
        raise QueryError(f"cannot parse query {text!r}: {exc}") from None
    if parsed is wq.NullQuery or isinstance(parsed, type(wq.NullQuery)):
        raise QueryError(f"query {text!r} has no searchable words (only stop words?)")
    # each word once, whatever the number of fields it is spread over
    words = {(type(leaf).__name__, tuple(leaf.words) if isinstance(leaf, wq.Phrase)
              else str(getattr(leaf, "text", ""))) for leaf in parsed.leaves()}
    for leaf in parsed.leaves():
        if isinstance(leaf, wq.Wildcard) and leaf.text[:1] in ("*", "?"):
            # it would read every word the index holds, in every field searched
            raise QueryError(f"{leaf.text!r} opens with a wildcard: put at least one letter "
                             "before it")
    patterns = sum(kind in ("Wildcard", "Prefix", "FuzzyTerm", "Regex")
                   for kind, _ in words)
    if patterns > MAX_PATTERNS:
        raise QueryError(f"query has {patterns} wildcard terms (limit {MAX_PATTERNS})")
    count = sum(len(text) if isinstance(text, tuple) else 1 for _, text in words)
    if count > MAX_QUERY_TERMS:
        raise QueryError(f"query has {count} words (limit {MAX_QUERY_TERMS})")
    return _negations_exclude(parsed)


def bound_expansions(q: wq.Query | None, reader) -> None:
    """QueryError when the query's wildcard, prefix, fuzzy and range terms together
    stand for more than MAX_EXPANSION words of one field (Lucene counts its clause limit
    over the whole query too: twenty patterns of 300 words each cost what one of 6,000
    does), found by reading no further than that, within the query's time budget."""
    if q is None:
        return
    counted: dict[str, int] = {}
    for leaf in q.leaves():
        if not isinstance(leaf, wq.MultiTerm):
            continue
        field = leaf.field()
        for _ in leaf.expanded_terms(reader):
            counted[field] = counted.get(field, 0) + 1
            if counted[field] > MAX_EXPANSION:
                raise QueryError(f"{_patterns_named(q)} for more than {MAX_EXPANSION:,} "
                                 f"words of the index ({field}): make them longer, or fewer")
            if not counted[field] % 64:
                budget.check()


def _patterns_named(q: wq.Query) -> str:
    """"'a*' stands", or "the 3 patterns 'a*', 'b*', 'c*' stand"."""
    named = sorted({_pattern_text(leaf) for leaf in q.leaves()
                    if isinstance(leaf, wq.MultiTerm)})
    if len(named) == 1:
        return f"{named[0]!r} stands"
    shown = ", ".join(repr(text) for text in named[:3]) + (", ..." if len(named) > 3 else "")
    return f"the {len(named)} patterns {shown} together stand"


def _pattern_text(leaf: wq.Query) -> str:
    if isinstance(leaf, wq.TermRange):
        opening = "{" if leaf.startexcl else "["
        closing = "}" if leaf.endexcl else "]"
        return f"{opening}{leaf.start or ''} TO {leaf.end or ''}{closing}"
    if isinstance(leaf, wq.Prefix):
        return f"{leaf.text}*"
    if isinstance(leaf, wq.FuzzyTerm):
        return f"{leaf.text}~"
    return str(getattr(leaf, "text", leaf))


def has_phrase(q: wq.Query | None) -> bool:
    return q is not None and any(isinstance(sub, wq.Phrase) for sub in q.leaves())


def split_negation(q: wq.Query) -> tuple[wq.Query, wq.Query | None]:
    """`a ANDNOT b` as (a, b), for applying b as a set difference: Whoosh's AndNot matcher
    lets excluded documents through when many results are collected."""
    if isinstance(q, wq.AndNot):
        return q.a, q.b
    return q, None


def _negations_exclude(q: wq.Query) -> wq.Query:
    """With OR grouping Whoosh reads `a NOT b` as `a OR (NOT b)`, which matches nearly
    everything; searchers mean `a` excluding `b`."""
    if isinstance(q, wq.Or):
        subs = [_negations_exclude(sub) for sub in q.subqueries]
        positives = [sub for sub in subs if not isinstance(sub, wq.Not)]
        negatives = [sub.query for sub in subs if isinstance(sub, wq.Not)]
        if positives and negatives:
            kept = positives[0] if len(positives) == 1 else wq.Or(positives, boost=q.boost)
            return wq.AndNot(kept, wq.Or(negatives) if len(negatives) > 1 else negatives[0])
        return q.__class__(subs, boost=q.boost)
    if isinstance(q, wq.CompoundQuery):
        return q.__class__([_negations_exclude(sub) for sub in q.subqueries], boost=q.boost)
    return q


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
        from .model import naive_utc

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


def highlight_spans(text: str, analyzer, matched: set[str]) -> list[tuple[int, int]]:
    """Character spans of the words in `text` whose analysed form is a matched term."""
    if not matched:
        return []
    fast = fast_analysis(analyzer)
    if fast is not None:
        return fast.spans(text, matched)
    return [(tok.startchar, tok.endchar)
            for tok in analyzer(text, chars=True, removestops=False)
            if tok.text in matched]


def split_keywords(value: str | None) -> list[str]:
    return [part for part in (value or "").split(",") if part]
