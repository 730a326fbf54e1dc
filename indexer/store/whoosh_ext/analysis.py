"""Analysis done once: one loop for our text fields, and repeated values not analysed again.

Every paragraph carries its story's headline, people, tags and places, and Whoosh's analyser
chain (a generator per filter, a Token object per word) dominated indexing. For the chains
our schema uses (RegexTokenizer, then optionally strip, lower-case, stop words, stemmer) this
does the same steps in one loop with each filter's own settings; values repeated from the
last document reuse their analysis; a story's joined text sums its paragraphs' counts. Any
other analyzer, format or value goes through Whoosh's own path, and the postings are the
same (tests/test_fast_analysis.py compares them).
"""

from __future__ import annotations

import re

from whoosh import analysis, fields, formats
from whoosh.system import emptybytes

RECENT_PARTS = 512  # analysed values kept for JoinedText: a long story's paragraphs


class JoinedText(str):
    """Text made of parts joined by a separator that no token spans (see "Reused
    analysis" above)."""

    parts: tuple[str, ...]
    separator: str

    def __new__(cls, parts: tuple[str, ...] | list[str], separator: str = "\n\n") -> JoinedText:
        joined = super().__new__(cls, separator.join(parts))
        joined.parts, joined.separator = tuple(parts), separator
        return joined

    def __reduce__(self):  # Whoosh's multiprocessing writer pickles documents
        return (JoinedText, (self.parts, self.separator))


def summed_parts(recent: dict, field, value: JoinedText) -> list | None:
    """A JoinedText's index items from its parts' recent analyses, or None."""
    if type(field.format) is not formats.Frequency:
        return None
    counts: dict[bytes, int] = {}
    for part in value.parts:
        items = recent.get((id(field.analyzer), part))
        if items is None:
            return None
        for tbytes, freq, _, _ in items:
            counts[tbytes] = counts.get(tbytes, 0) + freq
    boost = field.format.field_boost
    return [(tbytes, freq, float(freq) * boost, formats.pack_uint(freq))
            for tbytes, freq in counts.items()]


class FastAnalysis:
    """One-loop analysis: one analyzer chain of a recognised shape, as one loop."""

    STEM_CACHE = 100_000  # stems kept (Whoosh's StemFilter keeps 50,000)
    MEMO = 512  # texts whose analysis is kept: a story's paragraphs, analysed twice

    def __init__(self, analyzer) -> None:
        items = self._chain(analyzer)
        tokenizer = items.pop(0)
        self.pattern = tokenizer.expression
        self.tokens = _ungrouped(self.pattern)  # for findall(): each match whole
        self.strip = bool(items) and type(items[0]) is analysis.StripFilter
        if self.strip:
            items.pop(0)
        self.lower = bool(items) and type(items[0]) is analysis.LowercaseFilter
        if self.lower:
            items.pop(0)
        self.stops, self.renumber = None, False
        if items and type(items[0]) is analysis.StopFilter:
            stop = items.pop(0)
            self.stops, self.minsize, self.maxsize = stop.stops, stop.min, stop.max
            self.renumber = stop.renumber
        self.stem = None
        if items and type(items[0]) is analysis.StemFilter:
            stem = items.pop(0)
            self.stem, self.ignore = stem.stemfn, stem.ignore
            if stem.lang:
                from whoosh.lang import stemmer_for_language

                self.stem = stemmer_for_language(stem.lang)
        self._stems: dict[str, str] = {}
        self._terms: dict[str, str] = {}
        self._memo: dict[str, dict[str, list[int]]] = {}
        assert not items, "only for analyzers that _fast_analysis accepted"

    def signature(self) -> tuple:
        """What the chain does: equal for two chains that analyse every text alike."""
        return (self.pattern.pattern, self.pattern.flags, self.strip, self.lower,
                None if self.stops is None else (frozenset(self.stops), self.minsize,
                                                 self.maxsize, self.renumber),
                None if self.stem is None else (self.stem, frozenset(self.ignore)))

    @staticmethod
    def _chain(analyzer) -> list:
        if type(analyzer) is analysis.RegexTokenizer:  # a tokenizer alone is an analyzer
            return [analyzer]
        if type(analyzer) is analysis.CompositeAnalyzer:
            return list(analyzer.items)
        return []

    @classmethod
    def accepts(cls, analyzer) -> bool:
        chain = cls._chain(analyzer)
        if not chain:
            return False
        tokenizer, *filters = chain
        if type(tokenizer) is not analysis.RegexTokenizer or tokenizer.gaps:
            return False
        order = [analysis.StripFilter, analysis.LowercaseFilter, analysis.StopFilter,
                 analysis.StemFilter]
        for item in filters:
            if type(item) not in order:
                return False
            order = order[order.index(type(item)) + 1:]
        return True

    def spans(self, text: str, wanted: set[str] | frozenset[str]) -> list[tuple[int, int]]:
        """Character spans of the words whose analysed form (stop words kept, unstemmed,
        as Whoosh's chain leaves them with removestops=False) is in `wanted`."""
        return [match.span() for match in self.pattern.finditer(text)
                if self._analysed(match.group(0))[0] in wanted]

    def term(self, token: str) -> str | None:
        """The term the chain makes of one token, or None when it stops it."""
        word, stopped = self._analysed(token)
        return None if stopped else word

    def _analysed(self, token: str) -> tuple[str, bool]:
        """The token stripped, lower-cased and stemmed as the chain does, and whether its
        stop filter removes it (a stopped word is not stemmed)."""
        word = token.strip() if self.strip else token
        if self.lower:
            word = word.lower()
        stops = self.stops
        if stops is not None and (len(word) < self.minsize or word in stops or (
                self.maxsize is not None and len(word) > self.maxsize)):
            return word, True
        if self.stem is not None and word not in self.ignore:
            stems = self._stems
            stemmed = stems.get(word)
            if stemmed is None:
                if len(stems) >= self.STEM_CACHE:
                    stems.clear()
                stemmed = stems[word] = self.stem(word)
            word = stemmed
        return word, False

    def positions(self, text: str) -> dict[str, list[int]]:
        """Each term of the text and the positions Whoosh's chain gives it, in order of
        first appearance. The caller must not change the answer: a text analysed again
        soon (a paragraph, then its story's terms) is answered from memory."""
        memo = self._memo
        found = memo.get(text)
        if found is not None:
            return found
        found = {}
        terms = self._terms  # token as written -> its term, or "" when stopped
        stops, renumber = self.stops is not None, self.renumber
        pos = None
        tokens = self.tokens.findall(text) if self.tokens is not None else \
            [match.group(0) for match in self.pattern.finditer(text)]
        for index, token in enumerate(tokens):
            word = terms.get(token)
            if word is None:
                if len(terms) >= self.STEM_CACHE:
                    terms.clear()
                word = terms[token] = self.term(token) or ""
            if stops:
                if not word:
                    continue
                # StopFilter renumbers from the first kept token's own position
                pos = index if pos is None or not renumber else pos + 1
            else:
                pos = index
            seen = found.get(word)
            if seen is None:
                found[word] = [pos]
            else:
                seen.append(pos)
        if len(memo) >= self.MEMO:
            memo.clear()
        memo[text] = found
        return found


def _ungrouped(pattern: re.Pattern) -> re.Pattern | None:
    """The pattern with its groups made non-capturing (the same matches; findall then
    gives each match whole), or None when that cannot be done safely."""
    if not pattern.groups:
        return pattern
    source = pattern.pattern
    if not isinstance(source, str) or re.search(r"\\\d|\(\?P[=<]|\[(?:\\.|[^\]])*\(",
                                                source):
        return None  # backreferences, named groups, a "(" in a class: left as they are
    try:
        rewritten = re.compile(re.sub(r"(?<!\\)\((?!\?)", "(?:", source), pattern.flags)
    except re.error:
        return None
    return rewritten if not rewritten.groups else None


_FAST: dict[int, tuple] = {}  # id(analyzer) -> (analyzer, FastAnalysis or None)
_SHARED: dict[tuple, FastAnalysis] = {}  # what a chain does -> its one FastAnalysis


def fast_analysis(analyzer) -> FastAnalysis | None:
    """The one-loop form of an analyzer of a recognised shape (one-loop analysis), or
    None. Chains that do the same (each schema builds its own analyzers) share one, and so its
    memory of recent texts."""
    known = _FAST.get(id(analyzer))
    if known is None or known[0] is not analyzer:
        fast = None
        if FastAnalysis.accepts(analyzer):
            fast = FastAnalysis(analyzer)
            fast = _SHARED.setdefault(fast.signature(), fast)
        known = _FAST[id(analyzer)] = (analyzer, fast)
    return known[1]


_FIELD_INDEX = fields.FieldType.index  # a field type that analyses as Whoosh's base class
_NUMBERS: dict[tuple[int, int], tuple] = {}  # (id(field), number) -> (field, items)


def index_items(field, value) -> list:
    """field.index(value) as a list: (term bytes, frequency, weight, encoded value)."""
    fmt = field.format
    kind = type(value)
    if type(field).index is not _FIELD_INDEX:
        if kind is int and type(field) is fields.NUMERIC:  # paragraph numbers recur
            key = (id(field), value)
            known = _NUMBERS.get(key)
            if known is None or known[0] is not field:
                if len(_NUMBERS) >= 10_000:
                    _NUMBERS.clear()
                known = _NUMBERS[key] = (field, list(field.index(value)))
            return known[1]
    elif kind is str and type(fmt) is formats.Existence \
            and type(field.analyzer) is analysis.IDTokenizer:
        # one term, the value itself, as Existence.word_values makes it (an ID field)
        return [(value.encode("utf-8"), 1, fmt.field_boost, emptybytes)]
    elif kind is str and type(fmt) in (formats.Positions, formats.Frequency):
        fast = fast_analysis(field.analyzer)
        if fast is not None:
            boost = fmt.field_boost
            found = fast.positions(value)
            if type(fmt) is formats.Positions:
                return _positions_items(fmt, found, boost)
            return [(word.encode("utf-8"), len(poslist), float(len(poslist)) * boost,
                     formats.pack_uint(len(poslist))) for word, poslist in found.items()]
    return list(field.index(value))


_ONE_POSITION: dict[int, bytes] = {}  # Positions.encode([p]): most words occur once


def _positions_items(fmt, found: dict[str, list[int]], boost: float) -> list:
    encode, one = fmt.encode, _ONE_POSITION
    items = []
    for word, poslist in found.items():
        count = len(poslist)
        if count == 1:
            value = one.get(poslist[0])
            if value is None:
                if len(one) >= 100_000:
                    one.clear()
                value = one[poslist[0]] = encode(poslist)
        else:
            value = encode(poslist)
        items.append((word.encode("utf-8"), count, float(count) * boost, value))
    return items
