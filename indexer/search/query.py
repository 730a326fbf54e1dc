"""The query language: the one place a query text is read.

A query is Whoosh's query language (words, "phrases", field:value, AND/OR/NOT, wild*,
date ranges) with our rules around it: the text is cleaned, checked for what Whoosh
would misread or run unbounded (a leading wildcard, a dangling operator, a range that
ends before it starts), its date ranges given explicit ends as --since and --until read
them, and parsed for each pass (QueryParsers): unfielded words become FieldGroups over
the pass's default fields, scored by BM25F (indexer.bm25f), and a negation is split off
to be applied as a set difference. bound_expansions caps what patterns may expand to.
Filters (person, tag, place, dates) are indexer.search.filters.
"""

from __future__ import annotations

import copy as _copy
import re
from collections.abc import Sequence
from datetime import timedelta
from typing import Protocol

from whoosh import query as wq
from whoosh.qparser import (
    FieldAliasPlugin,
    GtLtPlugin,
    MultifieldParser,
    OrGroup,
    QueryParser,
    syntax,
)
from whoosh.qparser.dateparse import DateParserPlugin
from whoosh.qparser.plugins import MultifieldPlugin
from whoosh.query import Term

from ..errors import QueryError
from ..store.schema import build_schema
from . import budget
from .bm25f import FieldGroup, FieldSpec
from .filters import parse_when

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


def make_parser(schema, fields: Sequence[FieldSpec], aliases: dict[str, list[str]] | None = None
                ) -> QueryParser:
    """A query parser whose unfielded words become FieldGroups over `fields`; a
    multi-word query requires none of its words (OR), so paragraphs with more of them
    rank higher."""
    parser = QueryParser(None, schema, group=OrGroup)
    parser.add_plugin(FieldsPlugin(fields))
    parser.add_plugin(DateParserPlugin(free=False))
    parser.add_plugin(GtLtPlugin())
    if aliases:
        parser.add_plugin(FieldAliasPlugin(aliases))
    return parser


class PassFields(Protocol):
    """The default fields of each pass (indexer.search.ranking.RankingParams has them)."""

    @property
    def paragraph_fields(self) -> tuple[FieldSpec, ...]: ...

    @property
    def story_fields(self) -> tuple[FieldSpec, ...]: ...


class QueryParsers:
    """A query as each pass searches it: its words spread over the pass's default fields
    as FieldGroups, a negation split off (to be applied as a set difference). The story
    pass reads `body:` and `headline:` as the story record's fields, and a phrase as all
    of its words (those fields keep no positions)."""

    def __init__(self, schema, params: PassFields) -> None:
        self.paragraph_parser = make_parser(schema, params.paragraph_fields)
        self.story_parser = make_parser(schema, params.story_fields,
                                        {"fulltext": ["body"], "story_headline": ["headline"]})

    def paragraphs(self, text: str) -> tuple[wq.Query, wq.Query | None]:
        """(the query, what it excludes) for the paragraph pass. QueryError when the text
        cannot be read as a query."""
        query, excluded = split_negation(parse_query(self.paragraph_parser, text))
        return grouped(query), excluded

    def stories(self, text: str) -> tuple[wq.Query, wq.Query | None]:
        """(the query, what it excludes) for the story pass."""
        query, excluded = split_negation(parse_query(self.story_parser, text))
        return phrases_as_words(grouped(query)), excluded


def phrases_as_words(q: wq.Query) -> wq.Query:
    """Each phrase of q as all of its words: the story pass's fields keep no positions.
    A phrase spread over fields becomes an AND of its words, each a FieldGroup over the
    fields whose analysis gives the phrase as many words (a field that keeps stop words
    makes its own AND); a field that reads the phrase as one term (tags) keeps it."""
    if isinstance(q, FieldGroup) and any(isinstance(sub, wq.Phrase) for sub in q.subqueries):
        by_length: dict[int, list[wq.Phrase]] = {}
        others = []
        for sub in q.subqueries:
            if isinstance(sub, wq.Phrase):
                by_length.setdefault(len(sub.words), []).append(sub)
            else:
                others.append(sub)
        parts: list[wq.Query] = [
            wq.And([FieldGroup([Term(p.fieldname, p.words[i], boost=p.boost) for p in phrases],
                               answering=q.answering)
                    for i in range(length)])
            for length, phrases in by_length.items()]
        if others:
            parts.append(FieldGroup(others, answering=q.answering))
        found = parts[0] if len(parts) == 1 else wq.Or(parts)
        return found.with_boost(found.boost * q.boost)
    if isinstance(q, wq.Phrase):
        return wq.And([Term(q.fieldname, word) for word in q.words], boost=q.boost)
    return q.apply(phrases_as_words)


class FieldGroupNode(syntax.GroupNode):
    """The query parser's node for a word spread over the default fields."""

    qclass = FieldGroup


class FieldsPlugin(MultifieldPlugin):
    """Each word (phrase, pattern) the query names no field for becomes a FieldGroup of
    it in each default field, weighted; the word's own boost (`word^2`) is the group's."""

    def __init__(self, fields: Sequence[FieldSpec]) -> None:
        super().__init__([spec.name for spec in fields],
                         {spec.name: spec.weight for spec in fields})

    def do_multifield(self, parser, group):
        for i, node in enumerate(group):
            if isinstance(node, syntax.GroupNode):
                group[i] = self.do_multifield(parser, node)
            elif node.has_fieldname and node.fieldname is None:
                copies = []
                for name in self.fieldnames:
                    copy = _copy.copy(node)
                    copy.set_fieldname(name)
                    copy.set_boost(self.boosts.get(name, 1.0))
                    copies.append(copy)
                group[i] = FieldGroupNode(copies, boost=node.boost)
        return group


def grouped(q: wq.Query) -> wq.Query:
    """q with each scored leaf outside a FieldGroup (a word in a named field) made a
    group of one, so every word is scored by the same BM25F."""
    if isinstance(q, FieldGroup):
        return q
    if isinstance(q, (wq.Term, wq.Phrase, wq.PatternQuery, wq.FuzzyTerm, wq.Variations)):
        return FieldGroup([q.with_boost(1.0)], boost=q.boost, named=True)
    if isinstance(q, wq.Not):
        return q  # excluded, never scored
    return q.apply(grouped)
