"""IPTC 7901 (dpa and other agencies): control-code framed text, one or more stories a file.

    SOH eca0124 3 i 93  dpa 1888           service and message number, priority, category,
                                           word count, agency
    Yemen/conflict/                        keyword line: the tags
    STX EXTRA                              optional flags (1ST LEAD, REFILE, EXTRA) ...
    Peace talks on Yemen to take ... =     ... the headline, ending in ' ='
    By Manuel Schwarz, dpa =               optional byline, also ending in ' ='
    Washington (dpa) - US Defence ...      blank-line separated paragraphs
    dpa grj rmo                            editors' sign-off
    ETX 212101 GMT Nov 18                  day, time and month sent
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

from ..dates import month_number
from ..errors import WireFormatError
from ..model import Story
from ..textio import normalize_space
from .common import assemble, byline_name, is_kill, read_control_stream, rewrite_version
from .xmlutil import text_paragraphs

NAME = "iptc7901"
_SOH, _STX, _ETX = "\x01", "\x02", "\x03"
_HEADER_RE = re.compile(r"^\s*(\w+)\s+(\d)\s+(\w+)\s+(\d+)\s+(?:\w+\s+)?([\w-]+)\s+(\d+)")
_FLAG_RE = re.compile(r"^(?:\d+(?:ST|ND|RD|TH) LEAD|REFILE|EXTRA|CORRECTION|URGENT|EILT|"
                      r"KORREKTUR|\(Achtung\)|ACHTUNG|BULLETIN|FLASH)$", re.IGNORECASE)
_SIGNOFF_RE = re.compile(r"^(?:dpa|afp|ap|epd|kna|sid)(?:[- ][\w ]{0,30})?$", re.IGNORECASE)
_SENT_RE = re.compile(r"(\d{2})(\d{2})(\d{2})\s+GMT\s+([A-Za-z]{3})\s+(\d{2})\b")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def looks_like(text: str) -> bool:
    head = text[:1000]
    return _SOH in head and _STX in head and bool(_HEADER_RE.match(head.split(_SOH, 1)[1]))


def parse_message(message: str, fallback_id: str, source: str) -> Story:
    heading, _, rest = message.partition(_STX)
    if not rest:
        raise WireFormatError("message without STX (no text)")
    body, _, trailer = rest.partition(_ETX)
    header_line, *keyword_lines = [ln for ln in heading.replace("\r", "").split("\n")]
    header = _HEADER_RE.match(header_line)
    message_id = header.group(1) if header else fallback_id
    agency = header.group(5) if header else ""
    keywords = " ".join(ln.strip() for ln in keyword_lines if ln.strip())
    tags = [t.strip() for t in keywords.split("/") if t.strip()]
    lines = _CONTROL_RE.sub("", body.replace("\r", "")).split("\n")
    flags: list[str] = []
    title: list[str] = []
    byline = ""
    at = 0
    while at < len(lines):  # the heading block runs to the line ending in ' ='
        line = lines[at].strip()
        at += 1
        if not line:
            if title:
                break
            continue
        if _FLAG_RE.match(line):
            flags.append(line)
            continue
        text = line.rstrip("= ").strip()
        if re.match(r"^(?:By|Von)\s", text):
            byline = byline_name(text)
        else:
            title.append(text)
        next_is_byline = at < len(lines) and re.match(r"^\s*(?:By|Von)\s.*=\s*$", lines[at])
        if line.endswith("=") and not next_is_byline:
            break
    paragraphs = text_paragraphs("\n".join(lines[at:]))
    while paragraphs and (_SIGNOFF_RE.match(paragraphs[-1]) or paragraphs[-1].startswith("#")):
        paragraphs.pop()
    paragraphs = [p for p in paragraphs if not p.startswith("#") and not p.startswith("- [")]
    notes = " ".join(flags)
    version = rewrite_version(notes.replace(" LEAD", " Ld"))
    story_id = f"{agency}:{message_id}" if agency else message_id
    return assemble(story_id=story_id, source=source, fmt=NAME, paragraphs=paragraphs,
                    headline=normalize_space(" ".join(title)), byline=byline,
                    date=_sent(trailer), tags=tags,
                    key=f"{agency}:{'/'.join(tags)}" if tags else story_id, version=version,
                    status="canceled" if is_kill(notes) else "usable")


def _sent(trailer: str) -> datetime | None:
    """`212101 GMT Nov 18`: the 21st at 21:01 GMT, November 2018."""
    match = _SENT_RE.search(trailer)
    if not match:
        return None
    day, hour, minute = int(match.group(1)), int(match.group(2)), int(match.group(3))
    try:
        return datetime(2000 + int(match.group(5)), month_number(match.group(4)), day, hour,
                        minute)
    except ValueError:
        return None


def read(data: bytes, story_id: str, source: str = "") -> Iterator[Story | WireFormatError]:
    return read_control_stream(data, story_id, source, "IPTC 7901", parse_message)
