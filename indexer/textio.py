"""Turning a wire file's bytes into text without ever failing on encoding."""

from __future__ import annotations

import re

from .model import WireFormatError

# C0 controls other than tab, newline, carriage return; wire streams carry them as framing.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# A wire story never has a line this long; a file that does is junk, and reading it as
# text would cost unbounded time downstream.
MAX_LINE_BYTES = 4 * 1024 * 1024


def decode(data: bytes) -> str:
    """UTF-8 (a BOM is dropped). A file that is not valid UTF-8 is decoded line by line:
    UTF-8 lines stay UTF-8 and the others are read as cp1252, so a file that mixes the two
    (an old desk's edit spliced into new copy) keeps both readable."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    lines = []
    for line in data.splitlines(keepends=True):
        try:
            lines.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(line.decode("cp1252", errors="replace"))
    return "".join(lines)


def check_text(data: bytes, allow_controls: bool = False) -> None:
    """Reject files that are not text at all: empty, or binary (NUL bytes, mostly controls).
    Wire streams framed by control codes (ANPA, IPTC 7901) pass allow_controls."""
    if not data.strip():
        raise WireFormatError("empty file")
    sample = data[:8192]
    if b"\x00" in sample:
        raise WireFormatError("binary file (NUL bytes), not wire text")
    controls = len(_CONTROL_RE.findall(sample.decode("latin-1")))
    if controls > len(sample) * (0.3 if allow_controls else 0.05):
        raise WireFormatError("binary file (mostly control bytes), not wire text")
    longest = _longest_line(data)
    if longest > MAX_LINE_BYTES:
        raise WireFormatError(f"a line of {longest} bytes (limit {MAX_LINE_BYTES}): "
                              "not wire copy")


def _longest_line(data: bytes) -> int:
    longest = start = 0
    while True:
        end = data.find(b"\n", start)
        if end < 0:
            return max(longest, len(data) - start)
        longest = max(longest, end - start)
        start = end + 1


def strip_controls(text: str) -> str:
    """Drop stray control characters (a tab stays a space)."""
    return _CONTROL_RE.sub("", text.replace("\t", " "))


def normalize_space(text: str) -> str:
    return " ".join(text.split())
