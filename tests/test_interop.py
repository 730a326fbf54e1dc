"""The index is a plain Whoosh index: stock whoosh.index.open_dir can open and search it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from indexer import Index

STOCK_WHOOSH_PROGRAM = textwrap.dedent("""
    import sys
    from whoosh.index import open_dir
    from whoosh.qparser import QueryParser
    from whoosh.query import And, Term

    ix = open_dir(sys.argv[1])
    with ix.searcher() as searcher:
        q = And([QueryParser("body", ix.schema).parse("trucks"), Term("kind", "paragraph")])
        hits = searcher.search(q, limit=5)
        for hit in hits:
            print(hit["story_id"], hit["paragraph"], hit["people"], hit["region"], sep="|")
        print("paragraphs", len(list(searcher.document_numbers(kind="paragraph"))))
        # a phrase: each posting's positions, decoded from the posting blocks
        phrase = QueryParser("body", ix.schema).parse('"told reporters"')
        print("phrase", sorted(hit["id"] for hit in searcher.search(phrase, limit=None)))
        illinois = Term("region", "illinois")
        print("illinois", len(searcher.search(And([illinois, Term("kind", "paragraph")]),
                                              limit=None)))
        print("illinois stories", len(searcher.search(And([illinois, Term("kind", "story")]),
                                                      limit=None)))
""")


def test_stock_whoosh_opens_and_searches_the_index(corpus_index: Index) -> None:
    # a separate interpreter that imports nothing from this project
    result = subprocess.run([sys.executable, "-I", "-c", STOCK_WHOOSH_PROGRAM,
                             corpus_index.path], capture_output=True, text=True, check=True)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("world/aleppo-truce|")
    story, paragraph, people, region = lines[0].split("|")
    assert "Karim Nasrallah" in people.split(",") and region == "Lebanon"
    assert f"paragraphs {corpus_index.paragraph_count()}" in lines
    with corpus_index.whoosh_index.searcher() as searcher:
        told = sorted(hit["id"] for hit in searcher.documents(kind="paragraph")
                      if "told reporters" in hit["body"].lower())
    assert len(told) >= 3 and f"phrase {told}" in lines
    assert "illinois 14" in lines  # 5 + 5 + 4 paragraphs datelined in Illinois
    assert "illinois stories 3" in lines


def test_small_inputs_compress_to_streams_zlib_reads() -> None:
    import zlib

    from indexer.store.whoosh_ext import SMALL_INPUT, compress, isal_zlib, zlib_compress

    assert isal_zlib is not None  # a dependency: installed wherever the tests run
    text = b"".join(b"paragraph %d of the story, " % n for n in range(2000))
    for way in (compress, zlib_compress):  # ISA-L, and zlib where isal is missing
        for size in (1, 95, 96, 700, SMALL_INPUT - 1, SMALL_INPUT, 3 * SMALL_INPUT):
            data = text[:size]
            for level in (1, 3, 9):
                assert zlib.decompress(way(data, level)) == data
        # about as good as zlib's own at the same level on a block-sized input
        assert len(way(text[:1500], 3)) <= len(zlib.compress(text[:1500], 3)) * 1.05
    assert compress(text[:700], 3) != zlib_compress(text[:700], 3)  # ISA-L wrote it


def test_without_isal_compress_falls_back_to_zlib() -> None:
    # a platform with no isal wheel: the package still imports and writes zlib streams
    script = ("import sys, zlib; sys.modules['isal'] = None\n"
              "from indexer.store import whoosh_ext as w\n"
              "assert w.isal_zlib is None\n"
              "data = b'wire copy ' * 80\n"
              "assert w.compress(data, 3) == w.zlib_compress(data, 3)\n"
              "assert zlib.decompress(w.compress(data, 3)) == data\n")
    subprocess.run([sys.executable, "-c", script], check=True)
