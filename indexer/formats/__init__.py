"""Wire format readers: one module per format, each turning a file's bytes into Stories.

Every reader module has `NAME`, `looks_like(text) -> bool` (content sniffing for
`--format auto`) and `read(data, story_id, source) -> list[Story]`.
"""

from __future__ import annotations

from types import ModuleType

from ..model import Story, WireFormatError
from ..textio import check_text, decode
from . import aptext

READERS: dict[str, ModuleType] = {module.NAME: module for module in (aptext,)}


DEFAULT_TEXT_FORMAT = aptext.NAME


def detect(data: bytes) -> str:
    """The name of the reader whose format the content shows. Text that no reader claims
    is read as AP-style text, whose reader then says what is missing."""
    check_text(data)
    text = decode(data[:65536])
    for name, module in READERS.items():
        if module.looks_like(text):
            return name
    return DEFAULT_TEXT_FORMAT


def read_stories(data: bytes, story_id: str, source: str = "", fmt: str = "auto") -> list[Story]:
    """Parse a file's bytes with the named reader, or the detected one for `auto`."""
    if fmt == "auto":
        fmt = detect(data)
    if fmt not in READERS:
        raise WireFormatError(f"unknown format {fmt!r} (known: {', '.join(READERS)})")
    return READERS[fmt].read(data, story_id, source)
