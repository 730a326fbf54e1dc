"""The evidence around a run of words: what stands before and after it (an apposition,
a speech verb, a player's figures, a country in brackets) and where it stands (a line, a
sentence's start, a list of people)."""

from __future__ import annotations

import re

from ..lexicons import countries, fold
from .words import (
    _APPOSITION_WORDS,
    _MINUTE_AFTER_RE,
    _PERSONAL_TITLES,
    _PLAYER_FIGURES_RE,
    _ROLE_NOUNS,
    _SCORE_BEFORE_RE,
    _SPEECH,
    _club_name,
    _line_break,
)


def _described_after(tokens: list[re.Match[str]], at: int) -> bool:
    """", owner of", ", 35 ,", ", who": an apposition that only a person takes."""
    if at + 1 >= len(tokens) or tokens[at].group() != ",":
        return False
    word = tokens[at + 1].group()
    if at + 2 < len(tokens) and tokens[at + 2].group() == "Newsroom":
        return True  # a Reuters signature: "-- Dimitris Kontogiannis , Athens Newsroom"
    if word.isdigit():  # an age
        return len(word) <= 2 and at + 2 < len(tokens) and tokens[at + 2].group() == ","
    if word.lower() in ("a", "an", "the"):
        # ", a former Israeli envoy ,", ", the DHA undersecretary-general ,": a noun
        # only a person is, heading the apposition
        for tok in tokens[at + 2:at + 8]:
            noun = tok.group().lower()
            if noun in (",", ".", ";", "(", ")", "--"):
                break
            if noun.split("-")[0] in _APPOSITION_NOUNS:
                return True
        return False
    return word in _APPOSITION_WORDS


_APPOSITION_NOUNS = frozenset(_APPOSITION_WORDS | _ROLE_NOUNS | _PERSONAL_TITLES
                              | {"official", "undersecretary", "man", "woman"}) - {"former"}


_PERSON_NOUNS = frozenset(_ROLE_NOUNS | _PERSONAL_TITLES | {"man", "woman", "boy", "girl"})


def _described_before(tokens: list[re.Match[str]], text: str, at: int) -> bool:
    """"his counterpart , Vazgen Tarkanyan", "the dead man , Oruj Pashazade": a name
    in apposition after a noun that only a person is, within the same sentence."""
    if at < 2 or tokens[at - 1].group() != ",":
        return False
    return any(tokens[i].group().lower() in _PERSON_NOUNS
               for i in range(_sentence_start(tokens, text, at - 1, 4), at - 1))


def _accepted_on_line(tokens: list[re.Match[str]], accepted: set[tuple[int, int]],
                      text: str, at: int) -> bool:
    """A name accepted so far begins on the line that holds position `at` (at or after
    its start)."""
    line_break = text.rfind("\n", 0, at)
    return any(tokens[first].start() > line_break for first, _ in accepted)


def _in_lists_of_people(tokens: list[re.Match[str]], accepted: set[tuple[int, int]],
                        unproven: list[tuple[list[str], int, int, int, int]]
                        ) -> list[tuple[list[str], int, int]]:
    """Names in a list whose neighbours are people ("Chaminda Vaas , Muthiah Muralitharan ,
    Ravindra Pushpakumara"): a run next to a person across a comma or "and" is one too."""
    found: list[tuple[list[str], int, int]] = []
    changed = True
    while changed:
        changed = False
        ends = {end for _, end in accepted}
        starts = {start for start, _ in accepted}
        for run in list(unproven):
            words, start, end, first, after = run
            left = first >= 2 and tokens[first - 1].group() in (",", "and") \
                and first - 1 in ends
            right = after + 1 < len(tokens) and tokens[after].group() in (",", "and") \
                and after + 1 in starts
            if left or right:
                found.append((words, start, end))
                accepted.add((first, after))
                unproven.remove(run)
                changed = True
    return found


def _scorer_in_brackets(text: str, start: int, end: int) -> bool:
    """"Heerenveen 4 ( Korneev 15 , Hansma 24 )": scorers and minutes in brackets after
    a team's score."""
    # a row is a row across line breaks: the bracket may open a line or two before
    line_start = text.rfind("\n", 0, start)
    for _ in range(2):
        if line_start <= 0 or "(" in text[line_start:start]:
            break
        line_start = text.rfind("\n", 0, line_start)
    line = text[line_start + 1:start]
    opened = line.rfind("(")
    if opened < 0 or line.rfind(")") > opened or not _SCORE_BEFORE_RE.search(line[:opened + 1]):
        return False
    return bool(_MINUTE_AFTER_RE.match(text, end))


def _following(tokens: list[re.Match[str]], after: int) -> str:
    """The word after tokens[after - 1], past a comma, in lower case."""
    following = tokens[after].group().lower() if 0 <= after < len(tokens) else ""
    if following == "," and after + 1 < len(tokens):
        following = tokens[after + 1].group().lower()
    return following


def _spoken_of(tokens: list[re.Match[str]], text: str, first: int, following: str) -> bool:
    """"X said" or "said restaurant owner X": a speech verb right after the run that
    begins at tokens[first] (`following`, see _following), or a few words before it in
    its sentence."""
    return following in _SPEECH or any(
        tokens[i].group().lower() in _SPEECH
        for i in range(_sentence_start(tokens, text, first), first))


def _sports(text: str, tokens: list[re.Match[str]], first: int,
            name_toks: list[re.Match[str]], keys: list[str]) -> bool:
    """Scorers and bowlers: "( Riedle 8th minute )", "Kumble 10-2-51-0", "c Croft b Cork"."""
    return bool(_PLAYER_FIGURES_RE.match(text, name_toks[-1].end())) or (
        first > 0 and tokens[first - 1].group() in ("b", "c")
        and len(keys) <= 3 and not _club_name(keys)) or (
        _scorer_in_brackets(text, name_toks[0].start(), name_toks[-1].end()))


def _line_at(text: str, at: int) -> str:
    """The line of text that holds position `at`."""
    end = text.find("\n", at)
    return text[text.rfind("\n", 0, at) + 1:end if end >= 0 else len(text)]


def _country_in_brackets(tokens: list[re.Match[str]], at: int) -> bool:
    """tokens[at:] open with a country in brackets: "(Spain)", "( U.S. )"."""
    if at >= len(tokens) or tokens[at].group() != "(":
        return False
    for close in range(at + 2, min(at + 5, len(tokens))):
        if tokens[close].group() == ")":
            if fold(" ".join(t.group() for t in tokens[at + 1:close])) not in countries():
                return False
            # "Hapoel Ironi ( Israel ) 3 Constructorul ..." is a team and its score; a
            # player's line goes on with set scores, times or several rounds
            after = [t.group() for t in tokens[close + 1:close + 3]]
            return not (after[:1] and after[0].isdigit()
                        and (len(after) == 1 or after[1] == "(" or after[1][:1].isupper()))
    return False


def _sentence_start(tokens: list[re.Match[str]], text: str, at: int, reach: int = 3) -> int:
    """The first of the `reach` tokens before tokens[at] that is in the same sentence: a
    speech verb that ends the sentence before ("..., traders said . Cash sources") is not
    said of the words after it."""
    low = max(0, at - reach)
    if low == at:
        return at
    # the last line break among those tokens: after token i if it lies past i's end
    newline = text.rfind("\n", tokens[low].end(), tokens[at].start())
    for i in range(at - 1, low - 1, -1):
        if tokens[i].group() in _SENTENCE_ENDS or tokens[i].end() <= newline:
            return i + 1
    return low


_SENTENCE_ENDS = frozenset(".!?")


_SENTENCE_OPENERS = frozenset('.!?"\':;(-') | {"--"}


def _opens_sentence(tokens: list[re.Match[str]], text: str, at: int) -> bool:
    """tokens[at] begins a sentence, a quote, a bracket or a line (or may: after a word
    with a period, "Monday. In March")."""
    return at == 0 or tokens[at - 1].group()[-1] in _SENTENCE_OPENERS or _line_break(
        text, tokens[at - 1].end(), tokens[at].start())
