"""Wire samples grown or made hostile, for the tests and bench/bench_linear_time.py (which
times what the tests check)."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
FORMATS = ("ap", "reuters", "trec", "anpa", "iptc7901", "nitf", "newsml-g2", "newsml-1.2",
           "ninjs")
SAMPLES = {"reuters": "reuters.sgm", "trec": "trec-ap.gz", "anpa": "anpa.tst",
           "iptc7901": "iptc7901.txt", "nitf": "nitf.xml", "newsml-g2": "newsml-g2-v2.xml",
           "newsml-1.2": "newsml12.xml", "ninjs": "ninjs-v3.json"}
STREAMS = ("reuters", "trec", "anpa", "iptc7901")  # many stories to a file
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<nitf><body><body.content><p>&lol9;</p></body.content></body></nitf>
"""


def grown(fmt: str, copies: int) -> bytes:
    """A sample of a format grown `copies` times: more records for a stream, 20 more
    paragraphs a copy for a one-story document (each copy differs, as real text does)."""
    if fmt == "ap":
        paragraphs = [f"Paragraph {n} of the long story about tides." for n in range(copies * 20)]
        return "\n\n".join(["Tides", "BEIRUT (AP) — The lead paragraph.", *paragraphs,
                            "filed under: test"]).encode()
    data = (FIXTURES / SAMPLES[fmt]).read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    if fmt in STREAMS:
        return data * copies
    paragraph = re.search(rb"<p>[^<]*</p>", data)
    assert paragraph is not None
    more = b"".join(paragraph.group().replace(b"<p>", b"<p>%d " % n)
                    for n in range(copies * 20))
    if fmt == "ninjs":
        more = more.replace(b'"', b'\\"')
    return data[:paragraph.start()] + more + data[paragraph.end():]
