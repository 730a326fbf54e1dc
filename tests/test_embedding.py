"""Safe to embed: importing and using indexer leaves every other Whoosh index in the
process exactly as stock Whoosh would make it, and on a Whoosh release our extensions were
not written for, indexer stands aside (stock paths, one warning) and answers the same."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT

# Each program runs in a fresh interpreter so that nothing imported by the test session
# (indexer included) is in the process before it decides to import indexer.
USE_INDEXER = textwrap.dedent("""
    def use_indexer(scratch):
        import indexer
        from indexer import Index
        index = Index.create(scratch + "/ours")
        index.ingest([CORPUS], workers=WORKERS)
        index.search("earthquake relief")
        index.search("drought", per_story=1)
        index.optimize()
        index.close()
""")

SNAPSHOT_PROGRAM = textwrap.dedent("""
    import importlib, json, pkgutil, sys, tempfile
    import whoosh
    CORPUS, WORKERS = sys.argv[1], int(sys.argv[2])
    for info in pkgutil.walk_packages(whoosh.__path__, "whoosh."):
        try:
            importlib.import_module(info.name)
        except Exception:
            pass

    def snapshot():
        names = {}
        for name, module in sorted(sys.modules.items()):
            if not name.startswith("whoosh") or module is None:
                continue
            for attr, value in list(vars(module).items()):
                names[f"{name}.{attr}"] = id(value)
                if isinstance(value, type) and value.__module__ == name:
                    for member, inner in list(vars(value).items()):
                        names[f"{name}.{attr}.{member}"] = id(inner)
        return names

    before = snapshot()
""") + USE_INDEXER + textwrap.dedent("""
    use_indexer(tempfile.mkdtemp())
    after = snapshot()
    changed = sorted(key for key in before if after.get(key) != before[key])
    print(json.dumps({"names": len(before), "changed": changed}))
""")


def run_program(program: str, *args: str, env: dict[str, str] | None = None
                ) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", program, *args], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=600)


@pytest.mark.parametrize("workers", [1, 2])
def test_using_indexer_changes_no_whoosh_name(workers: int) -> None:
    result = run_program(SNAPSHOT_PROGRAM, str(CORPUS), str(workers))
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["names"] > 5000  # the snapshot saw Whoosh's classes and their methods
    assert found["changed"] == []


# A program of its own: its analyzer reads a per-document setting (the document's
# language), so analysis is not a pure function of the text.
OTHER_PROGRAM = textwrap.dedent("""
    import hashlib, json, sys, tempfile
    from whoosh import fields, index
    from whoosh.filedb.compound import CompoundStorage
    from whoosh.analysis import Filter, RegexTokenizer
    CORPUS, WORKERS, IMPORT = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "yes"
    language = ["en"]

    class Tagged(Filter):
        def __call__(self, tokens):
            for token in tokens:
                token.text = token.text + "_" + language[0]
                yield token
""") + USE_INDEXER + textwrap.dedent("""
    scratch = tempfile.mkdtemp()
    if IMPORT:
        use_indexer(scratch)
    schema = fields.Schema(key=fields.ID(stored=True),
                           text=fields.TEXT(analyzer=RegexTokenizer() | Tagged(),
                                            stored=True))
    ix = index.create_in(scratch, schema)
    writer = ix.writer()
    for number, (lang, text) in enumerate([("en", "hello world"), ("de", "hello world")]
                                          + [("en", "word%d filler text" % n)
                                             for n in range(300)]):
        language[0] = lang
        writer.add_document(key=str(number), text=text)
    writer.commit()
    with ix.searcher() as searcher:
        terms = sorted(text.decode() for text in searcher.lexicon("text"))[:4]
        postings = {text: list(searcher.postings("text", text).all_ids())
                    for text in ("hello_en", "hello_de")}
    # each file inside the compound segment file, byte for byte (the compound file's own
    # directory varies by a byte or two between runs of stock Whoosh: random names)
    (segment,) = ix._segments()
    parts = CompoundStorage(ix.storage.open_file(segment.make_filename(".seg")))
    digests = sorted((name.rsplit(".", 1)[1], len(parts.open_file(name).read()),
                      hashlib.sha256(parts.open_file(name).read()).hexdigest())
                     for name in parts.list())
    print(json.dumps({"terms": terms, "postings": postings, "files": digests}))
""")


@pytest.mark.parametrize("workers", [1, 2])
def test_another_programs_index_is_written_as_stock_whoosh_writes_it(workers: int) -> None:
    stock = run_program(OTHER_PROGRAM, str(CORPUS), str(workers), "no")
    embedded = run_program(OTHER_PROGRAM, str(CORPUS), str(workers), "yes")
    assert stock.returncode == 0, stock.stderr
    assert embedded.returncode == 0, embedded.stderr
    stock_found, embedded_found = json.loads(stock.stdout), json.loads(embedded.stdout)
    # the per-document setting took effect in stock Whoosh: the check below can fail
    assert stock_found["terms"] == ["filler_en", "hello_de", "hello_en", "text_en"]
    assert stock_found["postings"] == {"hello_en": [0], "hello_de": [1]}
    assert embedded_found == stock_found


# -- another Whoosh release

@pytest.fixture(scope="module")
def whoosh_274(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Stock Whoosh 2.7.4 (the release before the pinned one) in a folder of its own,
    from the package index; skipped when the index cannot be reached."""
    target = tmp_path_factory.mktemp("whoosh-2.7.4")
    try:
        result = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                                 "--no-deps", "--target", str(target), "Whoosh==2.7.4"],
                                capture_output=True, text=True, timeout=180)
    except subprocess.TimeoutExpired:
        pytest.skip("Whoosh 2.7.4 could not be fetched in time")
    if result.returncode != 0:
        pytest.skip("Whoosh 2.7.4 is not available from the package index here")
    return target


SEARCH_PROGRAM = textwrap.dedent("""
    import json, sys, warnings
    import whoosh
    from indexer import Index
    CORPUS, PATH = sys.argv[1], sys.argv[2]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        index = Index.create(PATH)
        report = index.ingest([CORPUS], workers=2)
        index.ingest([CORPUS])
    hits = {f"{query} {weight}": [(hit.story_id, hit.paragraph, round(hit.score, 9))
                                  for hit in index.search(query, limit=20,
                                                          story_weight=weight)]
            for query in ("earthquake", "drought relief", '"told reporters"', "trucks",
                          '"told reporters" earthquake', "body:quake -tokyo")
            for weight in (None, 0.0)}
    print(json.dumps({"version": whoosh.versionstring(), "paragraphs": report.paragraphs,
                      "warnings": [str(w.message) for w in caught], "hits": hits}))
""")

STOCK_OPEN_PROGRAM = textwrap.dedent("""
    import json, sys
    import whoosh
    from whoosh.index import open_dir
    from whoosh.qparser import QueryParser
    ix = open_dir(sys.argv[1])
    with ix.searcher() as searcher:
        query = QueryParser("body", ix.schema).parse("earthquake")
        found = sorted(hit["id"] for hit in searcher.search(query, limit=None))
        print(json.dumps({"version": whoosh.versionstring(), "documents": searcher.doc_count(),
                          "earthquake": found}))
""")


def test_on_another_whoosh_indexer_stands_aside_and_answers_the_same(
        whoosh_274: Path, tmp_path: Path) -> None:
    old_env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(whoosh_274), str(ROOT)])}
    old = run_program(SEARCH_PROGRAM, str(CORPUS), str(tmp_path / "old"), env=old_env)
    new = run_program(SEARCH_PROGRAM, str(CORPUS), str(tmp_path / "new"))
    assert old.returncode == 0, old.stderr
    assert new.returncode == 0, new.stderr
    old_found, new_found = json.loads(old.stdout), json.loads(new.stdout)
    assert (old_found["version"], new_found["version"]) == ("2.7.4", "2.7.5")
    # one warning on the release it was not written for, none on the pinned one
    assert len(old_found["warnings"]) == 1
    assert "2.7.4" in old_found["warnings"][0]
    assert new_found["warnings"] == []
    assert old_found["paragraphs"] == new_found["paragraphs"] > 0
    assert all(new_found["hits"].values())
    # the same hits and scores; hits of equal score in either order (each index was built
    # by two workers, whose documents' numbers, the tie-breaker, differ run to run)
    def ranked(hits: dict) -> dict:
        return {query: sorted(found, key=lambda hit: (-hit[2], hit[0], hit[1]))
                for query, found in hits.items()}

    assert ranked(old_found["hits"]) == ranked(new_found["hits"])
    assert {query: [hit[2] for hit in found] for query, found in old_found["hits"].items()} \
        == {query: [hit[2] for hit in found] for query, found in new_found["hits"].items()}
    # each Whoosh release opens the index the other wrote, and reads the same documents
    crossed = [json.loads(run_program(STOCK_OPEN_PROGRAM, str(tmp_path / "new"),
                                      env=old_env).stdout),
               json.loads(run_program(STOCK_OPEN_PROGRAM, str(tmp_path / "old")).stdout)]
    assert crossed[0]["version"] == "2.7.4"
    assert crossed[0]["documents"] == crossed[1]["documents"] > 0
    assert crossed[0]["earthquake"] == crossed[1]["earthquake"] != []
