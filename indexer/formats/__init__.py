"""Wire format readers: one module per format, each turning a file's bytes into Stories.

Every reader module has `NAME`, `looks_like(text) -> bool` (content sniffing for
`--format auto`) and `read(data, story_id, source)`, a generator of Stories; a file that
holds many stories yields a WireFormatError for a record it cannot read and goes on.
A reader of files of hundreds of records also lists them and parses one:
`split_records(data)` yields (label, record) and `parse_record(record, source)` reads
one. Sharing a large file among workers is the caller's business:
parse_file(share=) hands such a reader's records to common.read_records, which parses
only the share's.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from types import ModuleType

from ..errors import WireFormatError
from ..model import Story
from ..textio import check_text, decode, utf16_to_utf8
from . import anpa, aptext, iptc7901, newsml12, newsml_g2, ninjs, nitf, reuters, trec
from .common import read_records

# Order matters for detection: the most specific signatures first, AP text last.
READERS: dict[str, ModuleType] = {module.NAME: module for module in (
    reuters, trec, newsml_g2, newsml12, nitf, ninjs, anpa, iptc7901, aptext)}


DEFAULT_TEXT_FORMAT = aptext.NAME


def detect(data: bytes) -> str:
    """The name of the reader whose format the content shows. Text that no reader claims
    is read as AP-style text, whose reader then says what is missing."""
    check_text(data, allow_controls=True)  # each reader applies its own limit
    text = decode(data[:65536])
    for name, module in READERS.items():
        if module.looks_like(text):
            return name
    start = text.lstrip()[:200]
    if start.startswith("<"):
        root = re.search(r"<([A-Za-z][\w.:-]*)", re.sub(r"<[?!][^>]*>", "", start))
        name = root.group(1) if root else "?"
        raise WireFormatError(f"unrecognised XML format (root element <{name}>)")
    if start.startswith(("{", "[")):
        raise WireFormatError("unrecognised JSON format (not ninjs)")
    return DEFAULT_TEXT_FORMAT


@dataclass
class Parsed:
    """A file's stories, and the one-line reasons for the records that could not be read,
    each with the number of its record in the file (`at`, `problems_at`): the order in
    which the shares of a file read by several workers are put back together."""

    stories: list[Story] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    at: list[int] = field(default_factory=list)
    problems_at: list[int] = field(default_factory=list)


def no_story_error(problems: list[str]) -> WireFormatError:
    """Why a file none of whose records could be read is rejected as a whole."""
    return WireFormatError(problems[0] if len(problems) == 1 else
                           f"no readable story ({len(problems)} records failed: {problems[0]})")


MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024  # as a file read as it is (ingest.MAX_FILE_BYTES)


def gunzip(data: bytes, limit: int = MAX_DECOMPRESSED_BYTES) -> bytes:
    """Decompress gzip data, refusing output past `limit` (a gzip bomb stays bounded)."""
    inflater = zlib.decompressobj(wbits=47)  # 32 + 15: gzip or zlib header, auto-detected
    out = bytearray()
    try:
        while data:
            out += inflater.decompress(data, limit + 1 - len(out))
            if len(out) > limit:
                raise WireFormatError(f"gzip data expands past {limit} bytes; refused")
            data = inflater.unconsumed_tail
            if inflater.eof:
                rest = inflater.unused_data  # concatenated gzip members
                if rest[:2] != b"\x1f\x8b":
                    break
                inflater = zlib.decompressobj(wbits=47)
                data = rest
    except zlib.error as exc:
        raise WireFormatError(f"corrupt gzip data: {exc}") from None
    if not inflater.eof:
        raise WireFormatError("truncated gzip data")
    return bytes(out)


def parse_file(data: bytes, story_id: str, source: str = "", fmt: str = "auto",
               share: tuple[int, int] = (0, 1)) -> Parsed:
    """Parse a file's bytes with the named reader, or the detected one for `auto`.
    Gzip-compressed files are decompressed first. Raises WireFormatError when the file as
    a whole cannot be read.

    With `share=(part, parts)`, the stories of records numbered `part` modulo `parts`,
    and problems: a reader that lists its records parses only those records and reports
    their problems; another parses every record and part 0 reports every problem. A share
    that finds no readable story is not an error: the other shares may hold some."""
    if data[:2] == b"\x1f\x8b":
        data = gunzip(data)
    data = utf16_to_utf8(data)
    if fmt == "auto":
        fmt = detect(data)
    if fmt not in READERS:
        raise WireFormatError(f"unknown format {fmt!r} (known: {', '.join(READERS)})")
    module = READERS[fmt]
    part, parts = share
    split = parts > 1 and hasattr(module, "split_records")
    if split:
        items = read_records(module.split_records, module.parse_record, data, source,
                             module.NO_RECORDS, share)
    else:
        items = module.read(data, story_id, source)
    parsed = Parsed()
    stories = 0
    for number, item in enumerate(items):
        at = part + number * parts if split else number  # one item a record
        if isinstance(item, WireFormatError):
            if split or not part:
                parsed.problems.append(str(item))
                parsed.problems_at.append(at)
        else:
            if split or stories % parts == part:
                parsed.stories.append(item)
                parsed.at.append(at)
            stories += 1
    if parts == 1 and not parsed.stories and parsed.problems:
        raise no_story_error(parsed.problems)
    return parsed


def read_stories(data: bytes, story_id: str, source: str = "", fmt: str = "auto") -> list[Story]:
    """The stories of a file (records that fail are left out; see parse_file)."""
    return parse_file(data, story_id, source, fmt).stories
