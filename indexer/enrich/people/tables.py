"""Tables and lists in running text (results, squads, scorers, odds): a line cut into
cells, the cells of one shape read as a column, and the column's known names deciding
what all its cells are."""

from __future__ import annotations

import re
from bisect import bisect_right

from ..lexicons import countries, fold, gazetteer, given_names, surnames
from .words import (
    _CLUB_WORDS,
    _INITIAL_RE,
    _MONTHS_DAYS,
    _NOT_PERSON,
    _ORDINAL_RE,
    _POSSESSIVE_RE,
    _SENTENCE_WORDS,
    _TITLES,
    _clean,
    _is_acronym,
    _is_place,
    _key,
    _line_break,
)

# Tables and lists in running text. A line is cut into cells at commas, semicolons,
# "beat"/"v" and at a bracket opened after a score ("England 326 ( J. Crawley 106 ,");
# a name cell is a capitalised run, maybe after a rank or a label ("2.", "Midfielders -"),
# maybe followed by a bracket and figures, and nothing else.
_CELL_SEPARATOR_RE = re.compile(  # the lookahead first: most characters fail at once
    r"(?=[,;bv( \t])(?:[,;]|\bbeat\b|\bvs?\.?(?=[ \t])|\((?<=\d\()|\((?<=\d[ \t]\()"
    r"|(?<=\))[ \t](?=[ \t]*[A-Z]))")


_TABLE_LINE_RE = re.compile(r"[\d(]")


# what may follow a cell's run or a label: a bracket, figures, a separator, the line's end
_CELL_AFTER_RE = re.compile(r"[ \t]*(?:[(+\-.)\d,;:]|not\b|beat\b|vs?\b|$)", re.M)


_NOT_A_CELL_START = frozenset(_SENTENCE_WORDS | _TITLES)


# and before one: the line's start, a separator, a rank or a label's end
_CELL_BEFORE_RE = re.compile(r"(?:^|[,;:\-.()\d]|\bbeat|\bvs?\.?)[ \t]*$", re.M)


_COMPANY_AFTER_RE = re.compile(r"[ \t]+(?:&|shares\b|stock\b|unit\b|subsidiary\b)")


_COMPANY_OWNED_RE = re.compile(r"[ \t]*'s[ \t]+(?:shares|stock)\b")


_COMPANY_BEFORE_RE = re.compile(r"\b(?:shares|stake) (?:in|of)[ \t]+$", re.I)


_FIELD_VALUE_RE = re.compile(r"(?:[ \t]+[a-z]+){0,2}[ \t]*:[ \t]*[$\d]")


_CELL_HEAD_RE = re.compile(r"[ \t]*(?:(\d+[ \t]*[.-]?)|([A-Z][\w' ]{0,30}?[ \t]*[:-]))?[ \t]*$")


# each figure matched whole (an atomic group): a run of digits split into figures in
# every possible way made a cell that does not end in figures cost time exponential in them
_CELL_TAIL_RE = re.compile(
    r"[ \t]*(?:\([ \t]*([^()\n]*?)[ \t]*\))?"
    r"((?:[ \t]*(?>[+-]?\d[\d.,:/'+-]*(?:st|nd|rd|th)?(?:-?pen|no)?\*?|not out))*)"
    r"[ \t]*[.)]?[ \t]*$")


def _cells(text: str, line_start: int, line_end: int, runs_at: dict[int, int]
           ) -> tuple[list[tuple[tuple[str, ...], int, int]], dict[int, int]]:
    """The name cells of one line, as (shape, run start, run end) where the shape says
    what opens the cell's list, what stands before the run and what follows it; and the
    runs of the cells' labels ("India - Name ( captain )"), by the cell's run start."""
    found: list[tuple[tuple[str, ...], int, int]] = []
    labels: dict[int, int] = {}
    opener = "^"
    at = line_start
    starts = list(runs_at)  # in text order
    first = 0
    for separator in [*_CELL_SEPARATOR_RE.finditer(text, line_start, line_end), None]:
        cell_end = separator.start() if separator else line_end
        while first < len(starts) and starts[first] < at:
            first += 1
        inside_cell = []
        for start in starts[first:]:
            if start >= cell_end:
                break
            inside_cell.append(start)
        for start in inside_cell:
            end = runs_at[start]
            if start - at > 40:
                break  # no label is that long; later runs stand further in
            rest = text[end:cell_end].lstrip(" \t")
            if rest and rest[0] not in "(+-.)0123456789n":
                continue  # running text follows: no cell (cheap test before the patterns)
            head = _CELL_HEAD_RE.fullmatch(text, at, start)
            tail = _CELL_TAIL_RE.fullmatch(text, end, cell_end) if end <= cell_end else None
            if not (head and tail):
                continue
            inside = tail.group(1)
            bracket = "" if inside is None else "(C)" if fold(inside) in countries() \
                else "(9)" if inside[:1].isdigit() else "(A)" if inside[:1].isupper() \
                else "(w)"
            figures = tail.group(2).split()
            # a minute ("27th") makes a scorer; a score before a bracket of names, a team
            count = "" if not figures else "o" if _ORDINAL_RE.search(figures[0]) \
                else "9" if len(figures) == 1 else "99"
            scored = inside is None and separator is not None \
                and separator.group().strip() == "(" \
                and text[separator.end():separator.end() + 3].lstrip(" \t")[:1].isupper()
            shape = (opener, "L" if head.group(2) else "",
                     bracket, count, "(" if scored else "")
            found.append((shape, start, end))
            if head.group(2) and inside_cell[0] < start:
                labels[start] = inside_cell[0]
            break
        if separator is None:
            break
        # cells after a comma or "v" continue the list or the match their line began
        mark = separator.group().strip()
        if mark[:1] in ("(", ""):
            opener = mark[:1] or ")"
        at = separator.end()
    return found, labels


# Labels of a table's own rows ("Total 242", "Extras 12"), never a person.
_ROW_LABELS = {"total", "totals", "extras", "average", "averages", "net", "result", "results",
               "score", "scores", "overall", "points", "pts", "standings", "aggregate"}


def _team_evidence(words: list[str]) -> bool:
    """A run that names a club, a firm or a place: a club or organisation word
    ("Rovers", "Bank"), a place ("Chicago"), an acronym ("OB"), or a place after a word
    no list knows as a given name ("Legia Warsaw", but not "David Kiptoo")."""
    keys = [_key(word) for word in words]
    if any(k in _CLUB_WORDS or k in _NOT_PERSON or k in _ROW_LABELS or k.endswith("shire")
           for k in keys) or _is_place(words) \
            or fold(" ".join(words)) in gazetteer() or any(_is_acronym(w) for w in words):
        return True
    return keys[0] not in given_names() and any(
        _is_place([word]) or fold(word) in gazetteer() for word in words[1:])


def _read_columns(tokens: list[re.Match[str]], texts: list[str], text: str,
                  runs: list[tuple[int, int]], full: list[tuple[list[str], int, int]],
                  single: list[tuple[str, int, int, bool]]) -> None:
    """Rows of one shape are read alike. Name cells of the same shape across a story
    ("2. Name ( Country ) 44.78", "Name 68 76") form a column, and so do the plain name
    cells of one line (a list: "Forwards - Name , Name , Name"); the known names of a
    column decide what all its cells are. Mostly people (given names known, no club or
    place words): each cell is a person, also those no list knows ("Affleck 74 73").
    Mostly teams or places: no cell is a person ("Legia Warsaw 7 5 1 1 13 7 16"). Adds to
    `full` and `single`, or removes from them, in place."""
    runs_at: dict[int, int] = {}
    ranges: dict[int, tuple[int, int]] = {}
    for first, after in runs:
        while first < after and _key(texts[first]) in _NOT_A_CELL_START \
                and not _INITIAL_RE.fullmatch(texts[first]):  # "A. Kumble": no article
            first += 1
        if first == after or after - first > 4:
            continue
        last = texts[after - 1]
        end = tokens[after - 1].end()
        if "'" in last or "’" in last:
            end -= len(last) - len(_POSSESSIVE_RE.sub("", last))
        runs_at[tokens[first].start()] = end
        ranges[tokens[first].start()] = (first, after)
    if not runs_at:
        return
    words_at: dict[int, list[str]] = {}

    def words_of(start: int) -> list[str]:
        """The run's words as names are written (cleaned only for the runs looked at)."""
        if start not in words_at:
            first, after = ranges[start]
            words_at[start] = [_clean(word) for word in texts[first:after]]
        return words_at[start]

    columns: dict[tuple[str, ...], list[tuple[int, int]]] = {}
    # names (folded) that are no person anywhere in the story: "Somerset 298-6 ( M.
    # Lathwell 85 , ...": a name with a score and then its scorers in brackets is a team;
    # field labels and companies below
    not_people: set[str] = set()
    labels: dict[int, int] = {}
    given = given_names()
    # the runs of each line that can hold cells: one with figures or brackets, or a list
    by_line: dict[int, dict[int, int]] = {}
    line_start, line_end = -1, -1
    for start, end in runs_at.items():
        if not _CELL_AFTER_RE.match(text, end) \
                or not _CELL_BEFORE_RE.search(text, max(0, start - 8), start):
            continue  # running text around it: no cell, no label
        if start > line_end:
            line_start = text.rfind("\n", 0, start) + 1
            line_end = text.find("\n", start)
            line_end = len(text) if line_end < 0 else line_end
        by_line.setdefault(line_start, {})[start] = end
    list_label, labelled_end = "", -2
    for line_no, (line_start, here) in enumerate(by_line.items()):
        line_end = text.find("\n", line_start)
        line_end = len(text) if line_end < 0 else line_end
        line = text[line_start:line_end]
        if _TABLE_LINE_RE.search(line) or line.count(",") + line.count(";") >= 2:
            line_cells, line_labels = _cells(text, line_start, line_end, here)
            labels.update(line_labels)
            for shape, start, end in line_cells:
                cell = words_of(start)
                if shape[4]:
                    not_people.add(fold(" ".join(cell)))
                if shape[1:] != ("", "", "", ""):
                    columns.setdefault(shape, []).append((start, end))
            if len(line_cells) >= 3:
                columns[("line", str(line_no))] = [(s, e) for _, s, e in line_cells]
            # a list and its label: every list a story heads alike ("Did not bat :") is
            # one column, with the unlabelled lines of cells that run on after it
            if line_cells and line_cells[0][0][1] == "L":
                list_label = fold(text[line_start:line_cells[0][1]])
            elif len(line_cells) < 2 or line_start != labelled_end + 1:
                list_label = ""
            labelled_end = line_end
            if list_label and line_cells:
                columns.setdefault(("label", list_label), []).extend(
                    (s, e) for _, s, e in line_cells)

    def team(words: list[str]) -> bool:
        return _team_evidence(words) or fold(" ".join(words)) in not_people

    # "Delivery Date : 08/29/1996", "Fall of wickets : 1-106": a field's label; "Royal
    # Oak shares", "shares in Mentmore Abbey", "Douglas & Lomason": a company
    for start, end in runs_at.items():
        # "Ruch 's shares" too, but "Carl Icahn 's shares" are a person's
        owned = _COMPANY_OWNED_RE.match(text, end) \
            and not any(_key(word) in given for word in words_of(start)[:-1])
        before = text[max(0, start - 20):start]
        if _FIELD_VALUE_RE.match(text, end) or _COMPANY_AFTER_RE.match(text, end) or owned \
                or (("hare" in before or "take" in before)
                    and _COMPANY_BEFORE_RE.search(text, max(0, start - 20), start)):
            words = words_of(start)  # "Lead Manager Harmon Kell &": the firm's name ends it
            not_people.update(fold(" ".join(words[i:])) for i in range(len(words) - 1 or 1))
    named = {start for _, start, _ in full}  # full names the rules found
    family = surnames()
    verdicts: dict[int, bool] = {} if not not_people else {
        start: False for start in runs_at if fold(" ".join(words_of(start))) in not_people}
    for cells in columns.values():
        if len(cells) < 3:
            continue
        # distinct names: a column of people repeats few, one of cars or teams many
        names = {fold(" ".join(words_of(start))): start for start, _ in cells}
        teams = sum(team(words_of(start)) for start in names.values())
        persons = sum(len(w) > 1 and not team(w) and (
            _key(w[0]) in given or bool(_INITIAL_RE.fullmatch(w[0])) or start in named)
            or (len(w) == 1 and not teams and _key(w[0]) in family and _key(w[0]) not in given
                and _key(w[0]) not in _MONTHS_DAYS)
            for start, w in ((start, words_of(start)) for start in names.values()))
        # people repeat little down a column; makes of car, clubs and months repeat
        if persons >= 2 and persons >= 2 * teams and persons >= len(names) / 3 \
                and len(names) >= len(cells) / 2:
            for start, _ in cells:
                verdicts.setdefault(start, True)
        elif teams >= 3 and teams >= len(names) / 2 and teams > 2 * persons:
            for start, _ in cells:
                verdicts.setdefault(start, False)
    # a list of people is headed by its team or its role ("India - Name , Name"), no person
    for start, label in labels.items():
        if verdicts.get(start):
            verdicts.setdefault(label, False)
    have = {start for _, start, _ in full} | {start for _, start, _, titled in single if titled}
    # each list rebuilt once, not once a verdict: a text of many cells (random bytes read
    # as a table) made this the square of their number
    titled_now: dict[int, tuple[str, int, int, bool]] = {}
    for start, person in verdicts.items():
        words, end = words_of(start), runs_at[start]
        if person and start not in have and not team(words) \
                and not (len(words) == 1 and _key(words[0]) in _MONTHS_DAYS):
            if len(words) == 1:
                titled_now[start] = (words[0], start, end, True)
            else:
                full.append((words, start, end))
    if titled_now:
        single[:] = [m for m in single if m[1] not in titled_now] + list(titled_now.values())
    dropped = _Spans((s, runs_at[s]) for s, person in verdicts.items() if not person)
    if dropped:
        full[:] = [m for m in full if m[1] not in dropped]
        single[:] = [m for m in single if m[1] not in dropped]


class _Spans:
    """Character spans, asked whether they hold a position in log time."""

    def __init__(self, spans) -> None:
        merged: list[list[int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = [start for start, _ in merged]
        self.ends = [end for _, end in merged]

    def __bool__(self) -> bool:
        return bool(self.starts)

    def __contains__(self, position: int) -> bool:
        at = bisect_right(self.starts, position) - 1
        return at >= 0 and position < self.ends[at]


# what may stand before a cell's run, and after it
_CELL_OPENERS = frozenset({",", ";", "(", "/", "-", ":", "&", "and", "beat"})
_CELL_CLOSERS = frozenset({",", ";", "(", ")", "/", "&", "and", "beat"})


def _rows_across_lines(tokens: list[re.Match[str]], texts: list[str], text: str,
                       runs: list[tuple[int, int]], full: list[tuple[list[str], int, int]],
                       single: list[tuple[str, int, int, bool]]) -> None:
    """A row is a row across line breaks: "..., Steve Jones , Phil" ending one line and
    "Mickelson , Greg Norman" opening the next are one cell cut in two. When the line
    before reads as people (a name accepted on it), a short run that ends it after a
    separator and the run that opens the next line before a separator are both people.
    Each part stays its own mention: the text names them apart. Adds to `full` and
    `single` in place."""
    if "\n" not in text or not runs:
        return
    people_at = sorted({start for _, start, _ in full}
                       | {start for _, start, _, proven in single if proven})
    if not people_at:
        return
    ending_at = {after - 1: first for first, after in runs}
    added: list[tuple[int, int]] = []
    for first, after in runs:
        a_first = ending_at.get(first - 1)
        if a_first is None or not _line_break(
                text, tokens[first - 1].end(), tokens[first].start()):
            continue
        a_after = first
        if after - first > 3 or a_after - a_first > 3 or after - a_first > 4:
            continue
        if a_first > 0 and texts[a_first - 1].lower() not in _CELL_OPENERS \
                and not _line_break(text, tokens[a_first - 1].end(), tokens[a_first].start()):
            continue  # running text before it: no cell
        if after < len(tokens) and texts[after].lower() not in _CELL_CLOSERS \
                and not texts[after][:1].isdigit() \
                and not _line_break(text, tokens[after - 1].end(), tokens[after].start()):
            continue
        if after + 1 < len(tokens) and texts[after] == "(" and texts[after + 1][:1].islower():
            continue  # "Bowling ( to date ) :": a row's label and its note
        line_start = text.rfind("\n", 0, tokens[a_first].start())
        at = bisect_right(people_at, line_start)
        if at == len(people_at) or people_at[at] >= tokens[a_first].start():
            continue  # nothing before it on its line reads as a person
        parts = [(a_first, a_after), (first, after)]
        cells = [[_clean(w) for w in texts[s:e]] for s, e in parts]
        if any(_key(w[0]) in _NOT_A_CELL_START or _team_evidence(w) for w in cells):
            continue
        added += parts
    if not added:
        return
    have = {start for _, start, _ in full}
    proven = {start for _, start, _, ok in single if ok}
    for s, e in added:
        words = [_clean(w) for w in texts[s:e]]
        start, end = tokens[s].start(), tokens[e - 1].end()
        end -= len(texts[e - 1]) - len(_POSSESSIVE_RE.sub("", texts[e - 1]))
        if len(words) > 1:
            if start not in have:
                full.append((words, start, end))
        elif start not in proven:
            single[:] = [m for m in single if m[1] != start]
            single.append((words[0], start, end, True))
