"""What a searcher reaches for around a result list: the paragraphs around a hit, a
corrected query when nothing matches, facet counts, and stories like a given one.

Functions here take a Whoosh searcher and the schema's analyzers; Index wraps them.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import replace

from whoosh import query as wq
from whoosh.searching import Searcher

from ..store.documents import hit_from_record, record_key
from ..store.results import ContextParagraph, Hit, records, split_keywords
from ..store.schema import KIND_PARAGRAPH, STORY_ID
from ..store.versions import CurrentVersions
from . import budget
from .disjunction import matching_documents

FACETS = ("people", "tags", "place", "date")
_WORD_RE = re.compile(r"(?<![\w:])([A-Za-z][\w'’-]{2,})(?![\w:])")
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO"}
# a longer word is no typo of a word of the index: its edit distances cost its length
# squared for each word compared
MAX_SUGGEST_CHARS = 30
# as Lucene's DirectSpellChecker: no word under 4 letters is corrected ("oil" to "outs"),
# and a candidate is at least half the same as the word (1 - edits / the shorter length)
MIN_SUGGEST_CHARS = 4
MIN_SIMILARITY = 0.5


def _similar(word: str, candidate: str) -> bool:
    shorter = min(len(word), len(candidate)) or 1
    return 1 - _distance(word, candidate) / shorter >= MIN_SIMILARITY


def paragraph_context(searcher: Searcher, story_id: str, version: int, paragraph: int,
                      k: int) -> tuple[list[ContextParagraph], list[ContextParagraph]]:
    """The k paragraphs before and the k after a paragraph of a story."""
    wanted = set(range(paragraph - k, paragraph + k + 1)) - {paragraph}
    found = sorted((d["paragraph"], d["body"])
                   for d in records(searcher, KIND_PARAGRAPH, STORY_ID, story_id)
                   if d["paragraph"] in wanted and d.get("version", 0) == version)
    before = [ContextParagraph(n, text) for n, text in found if n < paragraph]
    after = [ContextParagraph(n, text) for n, text in found if n > paragraph]
    return before, after


def _surface_form(searcher: Searcher, analyzer, stem: str) -> str | None:
    """A word as written in some paragraph whose analysed form is `stem`."""
    for fields in searcher.documents(body=stem):
        text = fields.get("body", "")
        for token in analyzer(text, chars=True, removestops=False):
            if token.text == stem:
                return text[token.startchar:token.endchar].lower()
        break
    return None


def suggest_query(searcher: Searcher, analyzer, query: str) -> str | None:
    """The query with each word unknown to the index replaced by the closest known word
    (paragraph vocabulary and people's names); None when there is nothing to correct."""
    people_words = _name_words(searcher)
    changed = False

    def fix(match: re.Match[str]) -> str:
        nonlocal changed
        word = match.group(1)
        if word in _OPERATORS or not MIN_SUGGEST_CHARS <= len(word) <= MAX_SUGGEST_CHARS:
            return word
        budget.check()
        stems = [t.text for t in analyzer(word)]
        known = [s for s in stems if searcher.doc_frequency("body", s)
                 or searcher.doc_frequency("headline", s)]  # a headline word is no typo
        if not stems or len(known) == len(stems) or word.lower() in people_words:
            return word
        # words that share the first letter, as Lucene's DirectSpellChecker (minPrefix 1):
        # with none shared, Whoosh measures the distance to every word of the index
        candidates = searcher.suggest("body", stems[0], limit=5, maxdist=2, prefix=1)
        scored = [(searcher.doc_frequency("body", c), c) for c in candidates
                  if _similar(stems[0], c)]
        best_word = None
        if scored:
            _freq, best = max(scored)
            best_word = _surface_form(searcher, analyzer, best)
        name = _closest(word.lower(), people_words)
        if name and not _similar(word.lower(), name):
            name = None
        if name and (best_word is None or _distance(word.lower(), name) <
                     _distance(word.lower(), best_word)):
            best_word = name.capitalize()
        if not best_word or best_word.lower() == word.lower():
            return word
        changed = True
        return best_word if not word[:1].isupper() else best_word[:1].upper() + best_word[1:]

    corrected = _WORD_RE.sub(fix, query)
    return corrected if changed else None


def _name_words(searcher: Searcher) -> set[str]:
    words: set[str] = set()
    for term in searcher.lexicon("people"):
        words.update(term.decode("utf-8").split())
    return words


def _distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _closest(word: str, vocabulary: set[str]) -> str | None:
    best = None
    best_distance = 3 if len(word) > 5 else 2
    for candidate in vocabulary:
        if abs(len(candidate) - len(word)) >= best_distance or candidate[:1] != word[:1]:
            continue  # the same first letter, as for the index's words
        distance = _distance(word, candidate)
        if distance < best_distance:
            best, best_distance = candidate, distance
    return best


def facet_counts(searcher: Searcher, docnums, story_of: Callable[[int], str],
                 names: tuple[str, ...] = FACETS, top: int = 10
                 ) -> dict[str, list[tuple[str, int]]]:
    """Counts over the distinct stories of the matching paragraphs: people, tags, place
    (city, region and country), date (month)."""
    # one paragraph of each story (the matching paragraphs are current ones: one version
    # each), found by `story_of` (the story id column); only those paragraphs' fields
    # are read
    first: dict[str, int] = {}
    for docnum in docnums:
        first.setdefault(story_of(docnum), docnum)
    counts: dict[str, Counter[str]] = {name: Counter() for name in names}
    for fields in map(searcher.stored_fields, first.values()):
        if "people" in counts:
            counts["people"].update(split_keywords(fields.get("people")))
        if "tags" in counts:
            counts["tags"].update(split_keywords(fields.get("tags")))
        if "place" in counts:
            counts["place"].update({p for p in (fields.get("city"), fields.get("region"),
                                                fields.get("country")) if p})
        if "date" in counts and fields.get("date"):
            counts["date"][fields["date"].strftime("%Y-%m")] += 1
    # the most frequent first, ties by value: the same order in every process (a set's,
    # and so first-seen, order changes with each process's string hashing)
    found = {name: sorted(counts[name].items(), key=lambda item: (-item[1], item[0]))[:top]
             for name in names}
    if "date" in found:  # the busiest months, in calendar order: a timeline
        found["date"] = sorted(found["date"])
    return found


def key_terms_query(searcher: Searcher, text: str, numterms: int = 12) -> wq.Query | None:
    """An OR query of a text's most characteristic terms (more-like-this)."""
    terms = searcher.key_terms_from_text("fulltext", text, numterms=numterms)
    if not terms:
        return None
    return wq.Or([wq.Term("fulltext", term, boost=weight) for term, weight in terms])


def helpful_correction(query: str, corrected: str | None,
                       found: Callable[[str], int]) -> str | None:
    """The correction, each of its words kept only where it finds more paragraphs
    (`found`) than the word typed (a word the index holds in a field the speller does not
    read, such as a tag, is no typo: "oil" was offered "outs"); None when no word is left
    changed."""
    if corrected is None:
        return None
    typed, offered = query.split(), corrected.split()
    if len(typed) != len(offered):
        return corrected if found(corrected) > found(query) else None
    kept = [new if new == old or found(new) > found(old) else old
            for old, new in zip(typed, offered, strict=True)]
    return " ".join(kept) if kept != typed else None


def closest_values(searcher: Searcher, fields: tuple[str, ...], value: str) -> list[str]:
    """The values of these fields (people, tags, places) closest to one no document
    holds: what a filter that found nothing may have meant."""
    vocabulary = sorted({term.decode("utf-8") for field in fields
                         for term in searcher.lexicon(field)})
    return difflib.get_close_matches(value.lower(), vocabulary, n=5, cutoff=0.6)


def similar_stories(searcher: Searcher, text: str, story_key: str, allowed,
                    limit: int) -> list[Hit]:
    """Current stories (among the `allowed` story records) like a text, best first, the
    story it came from left out; each as its first paragraph, scores from 0 to 1."""
    like = key_terms_query(searcher, text)
    if like is None or not allowed:
        return []
    current = CurrentVersions(searcher)
    hits: list[Hit] = []
    for result in searcher.search(like, limit=limit * 3 + 10, filter=allowed):
        if record_key(result) == story_key or not current.is_current_record(result):
            continue
        first = next((d for d in records(searcher, KIND_PARAGRAPH, STORY_ID,
                                         result[STORY_ID])
                      if d.get("paragraph") == 1
                      and d.get("version", 0) == result.get("version", 0)), None)
        if first is None:
            continue
        hits.append(hit_from_record(len(hits) + 1, result.score, first, []))
        if len(hits) == limit:
            break
    top = max((hit.score for hit in hits), default=0.0) or 1.0
    return [replace(hit, score=hit.score / top) for hit in hits]


def current_paragraphs(searcher: Searcher, matched: wq.Query, allowed,
                       current: CurrentVersions, story_of: Callable[[int], str]
                       ) -> list[tuple[int, str]]:
    """(docnum, story id) of every current paragraph among `allowed` (a set of docnums)
    that `matched` matches (one version of a story is current). For plain words: the
    words' postings, the superseded marks and `story_of` (the story id column), no stored
    fields (a common word's 50,000 paragraphs took seconds to read); otherwise Whoosh's
    matches, judged from their stored fields."""
    fast = matching_documents(searcher, matched)
    if fast is not None and current.marks_kept():
        budget.check()
        return [(docnum, story_of(docnum)) for docnum in fast
                if docnum in allowed and not current.marked(docnum)]
    found = []
    for seen, docnum in enumerate(searcher.docs_for_query(matched) if fast is None
                                  else fast):
        if not seen % 4096:
            budget.check()
        if docnum in allowed:
            fields = searcher.stored_fields(docnum)
            if current.is_current_record(fields):
                found.append((docnum, fields[STORY_ID]))
    return found
