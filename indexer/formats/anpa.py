"""ANPA-1312: AP's wire stream with control codes, one or more stories a file.

    SYN SYN SOH  z6715 -----                         selector and message number
    r z DC3 DC1  BC-BKN--Heat-Hawks 1stLd-Writethru   02-20 0500   priority, category, slug
    STX ^BC-BKN--Heat-Hawks, 1st Ld-Writethru,416<   caret lines end in '<' ...
        ^Deng has 30 points, short-handed Heat beat Hawks<          ... the headline
        ^Eds: Updates. With AP Photos.<                              ... editors' notes
        ^By CHARLES ODUM=  ^AP Sports Writer=                       byline lines end in '='
    TAB ATLANTA (AP) _ Luol Deng scored 30 points ...                tab-indented paragraphs
    ETX AP-WF-02-20-16 0432GMT<  EOT
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

from ..errors import WireFormatError
from ..model import Story
from ..textio import normalize_space
from .common import assemble, byline_name, is_kill, read_control_stream, rewrite_version

NAME = "anpa"
_SOH, _STX, _ETX = "\x01", "\x02", "\x03"
_SLUG_RE = re.compile(r"\b((?:BC|AP)-[\w\-,&'.]+)(.*?)\s+(\d{2})-(\d{2})\s+(\d{3,5})\s*$")
_TRAILER_RE = re.compile(r"AP-\w+-(\d{2})-(\d{2})-(\d{2})\s+(\d{2})(\d{2})GMT")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def looks_like(text: str) -> bool:
    head = text[:2000]
    return _SOH in head and bool(re.search(r"\b(?:BC|AP)-[\w-]+", head)) and _STX in head


def _clean(line: str) -> str:
    return normalize_space(_CONTROL_RE.sub(" ", line))


def parse_message(message: str, fallback_id: str, source: str) -> Story:
    heading, _, rest = message.partition(_STX)
    if not rest:
        raise WireFormatError("message without STX (no text)")
    text = rest.split(_ETX)[0]
    trailer = rest.split(_ETX)[1] if _ETX in rest else ""
    slug_match = None
    for line in heading.splitlines():
        slug_match = _SLUG_RE.search(_clean(line)) or slug_match
    keyword = slug_match.group(1) if slug_match else ""
    version_words = slug_match.group(2).strip() if slug_match else ""
    caret: list[str] = []
    bylines: list[str] = []
    paragraphs: list[str] = []
    table: list[str] = []
    for raw in text.replace("\r", "").split("\n"):
        if raw.startswith("\t") or raw.startswith("   "):
            if table:
                paragraphs.append(" ".join(table))
                table = []
            paragraphs.append(_clean(raw).rstrip("<").strip())
        elif raw.startswith("^"):
            line = raw[1:]
            if line.startswith("H"):  # a tabular (agate) row: ';' separates the cells
                table.append(_clean(re.sub(r"[;^]|\^P", " ", line[1:])))
            elif re.match(r"^By\s", _clean(line)) and _clean(line).endswith("="):
                bylines.append(_clean(line).rstrip("= "))
            elif _clean(line).rstrip("<= ") not in ("", "END", "___", "MORE"):
                caret.append(_clean(line).rstrip("<= ").strip())
        elif raw.strip() and paragraphs:
            paragraphs[-1] += " " + _clean(raw)
    if table:
        paragraphs.append(" ".join(table))
    # the first caret line repeats the slug; then notes and the headline
    notes = [c for c in caret if re.match(r"^(?:Eds?:|\(Eds|EDITOR'S NOTE|AP Photos?\b|"
                                           r"With AP Photos|AP Video)", c)]
    headlines = [c for c in caret[1:] if c not in notes] if caret else []
    headline = headlines[0] if headlines else (caret[0] if caret else keyword)
    byline = byline_name(bylines[0]) if bylines else ""
    date = _trailer_date(trailer or text)
    version = rewrite_version(version_words, caret[0] if caret else "")
    status = "canceled" if is_kill(version_words, *notes) else "usable"
    story_id = f"{keyword}/{slug_match.group(3)}-{slug_match.group(4)}" if slug_match else \
        fallback_id
    if version:
        story_id += f"/v{version}"
    return assemble(story_id=story_id, source=source, fmt=NAME,
                    paragraphs=[p for p in paragraphs if p], headline=headline, byline=byline,
                    date=date, tags=[], key=f"AP:{keyword}" if keyword else story_id,
                    version=version, status=status)


def _trailer_date(text: str) -> datetime | None:
    match = _TRAILER_RE.search(text)
    if not match:
        return None
    month, day, year, hour, minute = (int(g) for g in match.groups())
    try:
        return datetime(2000 + year, month, day, hour, minute)
    except ValueError:
        return None


def read(data: bytes, story_id: str, source: str = "") -> Iterator[Story | WireFormatError]:
    return read_control_stream(data, story_id, source, "ANPA", parse_message)
