"""AP-style plain text: an optional headline block, a dateline paragraph, blank-line
separated paragraphs, and an optional `filed under:` trailer that carries the tags.

    Syria cease-fire holds as aid waits          <- headline (optional)
    By ZEINA KARAM                               <- byline (optional)
    Sept. 13, 2016                               <- date (optional)

    BEIRUT (AP) — Syria's fragile cease-fire ...  <- dateline opens the first paragraph

    filed under: Syria, Russia, cease-fire       <- tags (optional, may be empty)
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..dates import parse_date
from ..enrich.dateline import split_dateline
from ..errors import WireFormatError
from ..model import Story
from ..textio import check_text, decode, normalize_space, strip_controls
from .common import assemble, byline_name

NAME = "ap"
_TRAILER_RE = re.compile(r"^\s*filed under\s*:(?P<tags>.*)$", re.IGNORECASE)
_BYLINE_RE = re.compile(r"^\s*By\s+(?P<name>[^\W\d][\w.'’\- ,]+)$")


def looks_like(text: str) -> bool:
    """True when a dateline opens one of the first paragraphs."""
    for block in re.split(r"\n\s*\n", text[:4000])[:4]:
        for line in block.splitlines()[:6]:
            if split_dateline(line.strip() + " "):
                return True
    return False


_MAX_HEADER_LINES = 6  # headline, byline, date lines above the dateline


def parse_text(text: str, story_id: str, source: str = "") -> Story:
    """Parse one AP-style story; raises WireFormatError with a one-line reason."""
    lines = strip_controls(text.replace("\r\n", "\n").replace("\r", "\n")).split("\n")
    tags: list[str] = []
    for i in range(len(lines) - 1, -1, -1):
        if not lines[i].strip():
            continue
        match = _TRAILER_RE.match(lines[i])
        if match:
            tags = [t.strip() for t in match["tags"].split(",") if t.strip()]
            del lines[i]
        break
    blocks = [b for b in re.split(r"\n\s*\n", "\n".join(lines)) if b.strip()]
    header: list[str] = []
    for index, block in enumerate(blocks):
        block_lines = [ln.strip() for ln in block.split("\n") if ln.strip()]
        # the dateline opens one of the first lines (at most 6 above it): trying every
        # line of a long block, each with the rest of the block, took quadratic time
        for at in range(min(len(block_lines), _MAX_HEADER_LINES + 1 - len(header))):
            # looked for in the next few lines, then split off the whole rest once found
            if split_dateline(normalize_space(" ".join(block_lines[at:at + 8])) + " ") is None:
                continue
            found = split_dateline(normalize_space(" ".join(block_lines[at:])) + " ")
            if found is None:
                continue
            header += block_lines[:at]
            dateline, lead = found
            paragraphs = [lead] if lead else []
            paragraphs += [normalize_space(b) for b in blocks[index + 1:]]
            return _story(story_id, source, header, dateline, paragraphs, tags)
        header += block_lines
        if len(header) > _MAX_HEADER_LINES:
            break
    raise WireFormatError("no dateline (expected e.g. 'BEIRUT (AP) —' opening the first paragraph)")


def _story(story_id, source, header, dateline, paragraphs, tags) -> Story:
    headline: list[str] = []
    byline = ""
    date = None
    for line in header:
        if not byline and _BYLINE_RE.match(line):
            byline = byline_name(line)
        elif date is None and (when := parse_date(line)) is not None:
            date = when
        else:
            headline.append(line)
    return assemble(story_id=story_id, source=source, fmt=NAME, paragraphs=paragraphs,
                    headline=" ".join(headline), byline=byline, dateline=dateline,
                    date=date, tags=tags)


def read(data: bytes, story_id: str, source: str = "") -> Iterator[Story | WireFormatError]:
    check_text(data)
    yield parse_text(decode(data), story_id, source)
