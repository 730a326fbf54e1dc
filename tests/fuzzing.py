"""Fuzzing the readers and the query parser: the properties and the inputs, shared by the
CI tests (tests/test_fuzz.py, a few hundred cases) and bench/fuzz_readers.py (minutes per reader).
Needs hypothesis (the test extras).

The property: whatever the bytes, a reader yields stories or WireFormatError, and nothing
else escapes; whatever the text, a query returns hits or raises QueryError. Inputs are
random bytes and, more usefully, real-looking files with bytes flipped, cut, repeated or
spliced in, so the fuzzing reaches past each format's first check."""

from __future__ import annotations

import gzip
from pathlib import Path

from hypothesis import strategies as st

from indexer.errors import WireFormatError
from indexer.formats import READERS, parse_file
from indexer.model import Story

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "formats"
CORPUS = Path(__file__).resolve().parent.parent / "corpus"

# one sample file per reader (AP-style text: the first story of the corpus)
SAMPLES = {"reuters": "reuters.sgm", "trec": "trec-ap.gz", "newsml-g2": "newsml-g2-v2.xml",
           "newsml-1.2": "newsml12.xml", "nitf": "nitf.xml", "ninjs": "ninjs-v3.json",
           "anpa": "anpa.tst", "iptc7901": "iptc7901.txt"}


def sample(fmt: str) -> bytes:
    if fmt == "ap":
        return next(iter(sorted(CORPUS.rglob("*.txt")))).read_bytes()
    data = (FIXTURES / SAMPLES[fmt]).read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


@st.composite
def mutated(draw, base: bytes) -> bytes:
    """A file changed in a few places: flipped, deleted, repeated or inserted bytes."""
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        kind = draw(st.sampled_from(["flip", "delete", "repeat", "insert", "cut"]))
        if kind == "flip":
            data[at] ^= draw(st.integers(1, 255))
        elif kind == "delete":
            del data[at:at + draw(st.integers(1, 64))]
        elif kind == "repeat":
            data[at:at] = data[at:at + draw(st.integers(1, 256))] * draw(st.integers(2, 50))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=64)
                               | st.sampled_from([b"<", b"&", b"\x00", b"\x01", b"\xff\xfe",
                                                  b"]]>", b"<!ENTITY", b"{", b"\\u0000",
                                                  b"\n\n", b" (AP) \xe2\x80\x94 "]))
        else:
            del data[at:]
    return bytes(data)


def inputs(fmt: str):
    """Random bytes, or the format's sample mutated."""
    return st.binary(max_size=2048) | mutated(sample(fmt))


def read_all(fmt: str, data: bytes) -> list[Story]:
    """The property for a reader: only stories and WireFormatError (raised or yielded)."""
    stories = []
    try:
        for item in READERS[fmt].read(data, "fuzz", "fuzz"):
            if isinstance(item, Story):
                stories.append(item)
            elif not isinstance(item, WireFormatError):
                raise AssertionError(f"{fmt} yielded {type(item).__name__}")
    except WireFormatError:
        pass
    try:
        parse_file(data, "fuzz", "fuzz")
    except WireFormatError:
        pass
    return stories


QUERY_ALPHABET = st.sampled_from(list('abcdefghijklmnopqrstuvwxyz0123456789 "():*?~^[]{}-+,.'
                                      "'\\/") + ["AND", " OR ", " NOT ", "date:", "body:",
                                                 "headline:", "people:", "to", "\udcff", "é"])
queries = st.lists(QUERY_ALPHABET, max_size=30).map("".join) | st.text(max_size=80)
