"""Turning a wire file's bytes into text without ever failing on encoding."""

from __future__ import annotations

import re

from .errors import WireFormatError

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
    # each byte that is not part of a UTF-8 character read as cp1252, one at a time: a
    # line keeps its UTF-8 characters (a dateline's "—") beside an old desk's bytes
    text = data.decode("utf-8", "surrogateescape")
    return _ESCAPED_BYTE_RE.sub(
        lambda m: bytes([ord(m.group()) - 0xDC00]).decode("cp1252", "replace"), text)


_ESCAPED_BYTE_RE = re.compile("[\udc80-\udcff]")


def utf16_to_utf8(data: bytes) -> bytes:
    """UTF-16 text (with a byte order mark, or without one when every other byte of its
    start is NUL, as ASCII-range text in UTF-16 is) as UTF-8; other data as it is."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        codec = "utf-16"
    else:
        sample = data[:4096]
        even, odd = sample[0::2], sample[1::2]
        if len(sample) < 8 or b"\x00" not in sample:
            return data
        if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
            codec = "utf-16-le"
        elif even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
            codec = "utf-16-be"
        else:
            return data
    try:
        return data.decode(codec).encode("utf-8")
    except UnicodeDecodeError:
        return data


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


# what a terminal acts on rather than shows: C0 controls, DEL and the C1 controls (ESC
# opens the sequences that set a window's title or clear the screen; U+009B is CSI)
_TERMINAL_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean_text(text: str) -> str:
    """A value read from a wire file as the index keeps it: on one line, its runs of
    white space one space, and no control character (a file's content is data, never
    instructions to a reader's terminal)."""
    return normalize_space(_TERMINAL_CONTROL_RE.sub("", normalize_space(text)))


def terminal_safe(text: str) -> str:
    """Text for a terminal: control characters escaped, but newlines and tabs (the
    layout of our own output). Content the index holds is clean already (clean_text);
    this keeps an index written before that, or by another program, from driving the
    terminal."""
    if not _TERMINAL_CONTROL_RE.search(text.replace("\n", "").replace("\t", "")):
        return text
    return "".join(c if c in "\n\t" or not _TERMINAL_CONTROL_RE.match(c)
                   else repr(c)[1:-1] for c in text)


def printable(text: str) -> str:
    """Text that prints on one line whatever it holds: bytes a file name or argument could
    not decode (surrogate escapes) as \\xNN, control characters escaped. Clean text is
    returned as it is."""
    if text.isprintable():
        return text
    raw = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in raw)
