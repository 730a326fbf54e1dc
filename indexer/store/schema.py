"""The Whoosh schema: one document per paragraph, plus a record per story and per file.

Paragraph documents (`kind="paragraph"`) carry their story's fields so that a plain
`whoosh.index.open_dir` user can search and filter them without our code. Story records
(`kind="story"`) hold a story's whole text (`fulltext`) for story-level ranking, its words
and how often each occurs (`story_terms`, for feedback), with its key and version. File
records (`kind="file"`) are the ledger of what was ingested. All live in the same index so
that they are committed in the same atomic step.
"""

from __future__ import annotations

from whoosh.analysis import StandardAnalyzer, StemmingAnalyzer
from whoosh.columns import CompressedBytesColumn
from whoosh.fields import COLUMN, DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

SCHEMA_VERSION = 4
META_ID = "__meta__"
# the field names every module reads records by, spelled here once (the schema below
# defines them), and the kinds of record `kind` tells apart
ID_FIELD = "id"
KIND = "kind"
STORY_ID = "story_id"
STORY_KEY = "story_key"
KIND_PARAGRAPH = "paragraph"
KIND_STORY = "story"
KIND_FILE = "file"
# the paragraphs `indexer query` does not show (an older version's, a killed story's) hold
# this term, for programs that read the index with stock Whoosh (see indexer/versions.py)
SUPERSEDED = "superseded"
SUPERSEDED_TERM = "yes"


def _keywords(scorable: bool = True) -> KEYWORD:
    # Comma-separated, matched lower-case, stored as originally spelled. Filter-only fields
    # are not scorable: no length column to write for each document
    return KEYWORD(stored=True, commas=True, lowercase=True, scorable=scorable)


def _date() -> DATETIME:
    date = DATETIME(stored=True, sortable=True)
    # 4 precision tiers (16 bits each) instead of 8: half the date postings; a range
    # query still reads few terms because only the edge tiers hold actual timestamps
    date.shift_step = 16
    return date


def build_schema() -> Schema:
    stem = StemmingAnalyzer()
    return Schema(
        id=ID(stored=True, unique=True),  # "story_id#paragraph", or "file:PATH" for file records
        kind=ID(stored=True),  # "paragraph" | "file" | "meta"
        story_id=ID(stored=True, sortable=True),
        # numbers never searched by range: one exact term each, not Whoosh's 8 precision
        # tiers (a large share of all postings written)
        paragraph=NUMERIC(stored=True, shift_step=0),
        paragraphs=NUMERIC(stored=True, shift_step=0),
        # "cease-fire" in a query is the phrase "cease fire", not "cease" OR "fire"
        body=TEXT(analyzer=stem, stored=True, phrase=True, multitoken_query="phrase"),
        # a story record's whole text, for story-level ranking (not stored: paragraphs are).
        # No positions: they make a posting block several times slower to decode, and the
        # story pass reads hundreds of blocks a query. A phrase there is searched
        # as all of its words (query.phrases_as_words); paragraphs keep real phrases.
        fulltext=TEXT(analyzer=stem, phrase=False, multitoken_query="and"),
        headline=TEXT(analyzer=stem, stored=True, multitoken_query="phrase"),
        # a story record's headline: its own field so that the story pass (fulltext and
        # story_headline) matches story records only and needs no filter by kind
        story_headline=TEXT(analyzer=stem, phrase=False, multitoken_query="and"),
        # a story record's analysed words and their counts, text then headline (see
        # encode_terms): feedback reads a story's words from here, not by analysing it
        # again, and scores its words on the best stories without reading postings
        story_terms=COLUMN(CompressedBytesColumn()),
        dateline=TEXT(analyzer=StandardAnalyzer(stoplist=None), stored=True),
        city=_keywords(scorable=False),
        region=_keywords(scorable=False),
        country=_keywords(scorable=False),
        agency=_keywords(scorable=False),
        date=_date(),
        byline=TEXT(stored=True),
        people=_keywords(),
        tags=_keywords(),
        source=ID(stored=True),
        format=ID(stored=True),
        # versions: every resend of a story shares story_key; see indexer/versions.py
        story_key=ID(stored=True),
        version=NUMERIC(stored=True, shift_step=0),
        status=ID(stored=True),
        superseded=ID(),  # indexed only: a term to mask by
        # file records and the meta record
        size=STORED(),
        mtime=STORED(),
        sha256=STORED(),
        stories=STORED(),
        shards=STORED(),  # in an archive's shard: every shard the file's stories are in
        schema_version=STORED(),
    )


def encode_terms(text: dict[str, int], headline: dict[str, int]) -> bytes:
    """A story's analysed words with their counts, as `story_terms` keeps them: UTF-8
    ` word:count` pairs (each after a space), the text's, a newline, the headline's."""
    def pairs(counts: dict[str, int]) -> str:
        return "".join(f" {word}:{count}" for word, count in counts.items())

    return f"{pairs(text)}\n{pairs(headline)}".encode()


def decode_terms(data: bytes) -> tuple[dict[bytes, int], dict[bytes, int]]:
    """(text, headline) of a `story_terms` value: word -> count."""
    text, _, headline = data.partition(b"\n")
    return _pairs(text), _pairs(headline)


def _pairs(part: bytes) -> dict[bytes, int]:
    found = {}
    for pair in part.split():
        word, _, count = pair.rpartition(b":")
        found[word] = int(count)
    return found
