"""Organisations and teams in a story: the names it gives a firm's legal form, an
organisation's noun, a fixture's sides, a stock symbol; each name is no person anywhere
in the story (one organisation, one reading)."""

from __future__ import annotations

import re

from ..lexicons import fold, given_names
from .words import _INITIALS_RE, _key

# A firm's name before its legal form: "Halvard Brenton , Inc.", "Sorenby & Co". The
# legal form is looked for first: most texts have none, and few capitals come before one.
_LEGAL_FORM_RE = re.compile(
    r" (?:(?:&|and) Co\b|(?:Inc|Corp|Co|Ltd|Plc|PLC|LLC|AG|SA|NV|Group|Holdings|Bros)\b)")


_FIRM_BEFORE_RE = re.compile(r"[A-Z][\w'.-]*(?: [A-Z][\w'.-]*){0,3}(?: ,)?$")


def _firms(text: str) -> set[str]:
    firms = set()
    for form in _LEGAL_FORM_RE.finditer(text):
        name = _FIRM_BEFORE_RE.search(text, max(0, form.start() - 100), form.start())
        if name:
            firms.add(name.group().removesuffix(" ,"))
    return firms


def _firm_name(name: str, firms: set[str]) -> bool:
    return name in firms


def _firm_tails(firms: set[str]) -> set[str]:
    """Each firm's name and every tail of it after a space ("Brenton & Co" of "Halvard
    Brenton & Co"): a name is a firm's when it is one of them. A set, looked up once a
    name, where matching each name against each firm grew with the square of the text."""
    tails = set()
    for firm in firms:
        tails.add(firm)
        tails.update(firm[at + 1:] for at, char in enumerate(firm) if char == " ")
    return tails


# a name of one to four capitalised words
_NAME = r"[A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*){0,3}"
# nouns an organisation's name stands before ("the Sun newspaper", "Zycie Warszawy daily")
_ORG_AFTER_RE = re.compile(
    r"(?<=\w) (?:newspaper|daily|weekly|magazine|tabloid|brokerage|conglomerate|subsidiary"
    r"|firm|company|bank|airline|carrier|retailer|manufacturer|group"
    # a club before its people: "the Aston Villa player", "Chelsea manager Ruud Gullit"
    r"|players?|striker|defender|midfielder|goalkeeper|winger|manager|coach|captain"
    r"|chairman|fans|supporters)\b")
# a fixture: "Lada Togliatti v Rotor Volgograd"
_FIXTURE_RE = re.compile(r"(?<=\w) vs?\.? (?=[A-Z])")
_SIDES_RESULT_RE = re.compile(
    rf"(?<![\w'’.-])({_NAME}) \( [A-Z][^()\n]{{0,30}} \) \d{{1,2}}"
    rf" ({_NAME}) \( [A-Z][^()\n]{{0,30}} \) \d{{1,2}}\b")
_BASED_RE = re.compile(rf"\w-(?:based|listed|owned|registered) ({_NAME})")
_TICKER_RE = re.compile(
    r"(?<![\w'’.-])([A-Z][\w'’.&-]*(?: [A-Z][\w'’.&-]*){0,3}) <[A-Z][A-Z.]{0,6}>")
_WORKS_AT_RE = re.compile(rf" (?:of|at) ({_NAME})")
_FIRM_SPEAKS_RE = re.compile(
    r"(?<![\w'’.-])([A-Z][\w.-]*(?: [A-Z][\w.-]*){0,2}) ?['’]s (?:said|says|added|reported)\b")
_SIDES_GATE_RE = re.compile(r"\) \d{1,2} [A-Z]")
_SPEAKS_GATE_RE = re.compile(r"['’]s (?:said|says|added|reported)\b")
_NAME_BEFORE_RE = re.compile(rf"(?<![\w'’-]){_NAME}$")
_NAME_AFTER_RE = re.compile(_NAME)


def _organisations(text: str, firms: set[str], person_ends: list[int]) -> set[str]:
    """The names (folded, and every tail of them) the text puts in an organisation's or
    a team's place: before a noun only an organisation is, on either side of a "v", and
    the others below. `firms`: the names before a legal form (_firms); `person_ends`:
    where the names taken for people end."""
    names: list[str] = []
    for found in _ORG_AFTER_RE.finditer(text):
        name = _NAME_BEFORE_RE.search(text, max(0, found.start() - 80), found.start())
        if name:
            names.append(name.group())
    for found in _FIXTURE_RE.finditer(text):
        before = _NAME_BEFORE_RE.search(text, max(0, found.start() - 80), found.start())
        after = _NAME_AFTER_RE.match(text, found.end())
        # "Qualifier vs. Andrei Olhovskiy": a draw's players face each other too
        names += [name.group() for name in (before, after)
                  if name and _key(name.group().split()[0]) not in given_names()
                  and not _INITIALS_RE.fullmatch(name.group().split()[0])]
    # a result between sides: "Gloria Bistrita ( Romania ) 2 Valletta ( Malta ) 1";
    # a player's row has times or a comma after the figure, not the other side
    # (each pattern below only where a cheap look finds what it needs: most stories
    # have no result, no stock symbol, no speaking possessive)
    if _SIDES_GATE_RE.search(text):
        for found in _SIDES_RESULT_RE.finditer(text):
            names += [found.group(1), found.group(2)]
    # "the California-based Baker"; and a firm's first word alone ("Baker" of "Baker
    # International Corp"): a known surname before "said" does not outweigh the firm
    for found in _BASED_RE.finditer(text):
        names.append(found.group(1))
    # a firm and its stock symbol: "Baker International <BKO>"
    if "<" in text:
        names += [found.group(1) for found in _TICKER_RE.finditer(text)]
    # a possessive that speaks is a firm's name: "Moody's said", "Sotheby's added"
    if _SPEAKS_GATE_RE.search(text):
        names += [found.group(1) for found in _FIRM_SPEAKS_RE.finditer(text)]
    names += [firm.split()[0] for firm in firms if " " in firm]
    # where a person works: "said Vishnu Sharp of Goldman Sachs"
    for end in person_ends:
        works = _WORKS_AT_RE.match(text, end)
        if works:
            names.append(works.group(1))
    return {fold(tail) for tail in _firm_tails(set(names))}
