"""Turning a wire file's bytes into text without ever failing on encoding."""

from __future__ import annotations

import re

from .model import WireFormatError

# C0 controls other than tab, newline, carriage return; wire streams carry them as framing.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode(data: bytes) -> str:
    """UTF-8 (a BOM is dropped), else cp1252; bytes cp1252 leaves undefined become U+FFFD."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


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


def strip_controls(text: str) -> str:
    """Drop stray control characters (a tab stays a space)."""
    return _CONTROL_RE.sub("", text.replace("\t", " "))


def normalize_space(text: str) -> str:
    return " ".join(text.split())
