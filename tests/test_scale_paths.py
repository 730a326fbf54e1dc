"""The paths that keep queries and ingest fast at archive scale, checked for meaning:
filters applied inside the query (FilterMatcher, the date column), ranking inside the top
stories with its fallback, optimize, and the analysis reused between paragraphs."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import CORPUS, story_text
from whoosh import index as whoosh_index
from whoosh import query as whoosh_query
from whoosh.reading import SegmentReader, TermNotFound
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from indexer import Index
from indexer.cli import main
from indexer.ingest.ledger import ingest_lock
from indexer.ingest.run import IngestRun
from indexer.search.disjunction import docnum_bitset, score_documents, term_bitset, top_documents
from indexer.search.filters import Filtered, date_window
from indexer.store import storage, whoosh_ext
from indexer.store.results import highlight_spans


@pytest.fixture(scope="module")
def segmented(tmp_path_factory: pytest.TempPathFactory) -> Index:
    """The corpus committed one file at a time into segments left unmerged."""
    path = tmp_path_factory.mktemp("segmented") / "index"
    index = Index.create(str(path))
    index.ingest([str(CORPUS)], batch_files=1, merge=False)
    assert index.segment_count() > 10
    yield index
    index.close()


FILTERS = [{"since": "2026-09-01", "until": "2026-09-30"}, {"since": "2026-10-01"},
           {"until": "2026-08-31"}, {"place": "Lebanon", "since": "2026-09"},
           {"person": "Nasrallah"}, {"tag": "drought", "until": "2026-12-31"}]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(f))
def test_filters_inside_the_query_agree_with_whooshs_own_range_queries(
        segmented: Index, filters: dict) -> None:
    # the date window is read from the date column: the same paragraphs as Whoosh's own
    # DateRange and term queries, in every segment
    searcher = segmented.searcher()
    window = date_window(filters.get("since"), filters.get("until"))
    others = {k: v for k, v in filters.items() if k not in ("since", "until")}
    allow = segmented._filters(searcher, **others)
    for query in ("said", "government officials", "rain OR water"):
        parsed, _ = segmented.parsers().paragraphs(query)
        ours = set(searcher.docs_for_query(Filtered(parsed, allow, window)))
        stock = [parsed] + ([allow] if allow is not None else [])
        if window is not None:
            stock.append(whoosh_query.DateRange("date", *window))
        assert ours == set(searcher.docs_for_query(whoosh_query.And(stock)))
        # and ranked search and the unranked path (facets) apply them alike (feedback
        # off: its words find more)
        hits = segmented.search(query, limit=500, feedback=False, **filters)
        expected = {searcher.stored_fields(n)["id"]
                    for n in segmented.matching_docnums(query, **filters)}
        assert {f"{h.story_id}#{h.paragraph}" for h in hits} == expected
        if "since" in filters:
            assert all(h.date is not None and h.date.isoformat() >= filters["since"]
                       for h in hits)


def test_ranking_is_the_same_in_one_segment_or_many(segmented: Index,
                                                    corpus_index: Index) -> None:
    for query in ("trucks flour medicine border", "drought farmers", "election"):
        one = [(h.story_id, h.paragraph) for h in corpus_index.search(query)]
        many = [(h.story_id, h.paragraph) for h in segmented.search(query)]
        assert one == many and one


def test_a_word_only_in_a_dateline_still_finds_its_story(tmp_path: Path) -> None:
    folder = tmp_path / "wire"
    folder.mkdir()
    (folder / "far.txt").write_text(story_text(city="TIMBUKTU", region="Mali",
                                               lead="Traders crossed the desert at dawn."))
    (folder / "near.txt").write_text(story_text(city="PARIS",
                                                lead="Traders met in a cafe by the river."))
    index = Index.create(str(tmp_path / "index"))
    index.ingest([str(folder)])
    # the story pass reads story text and headline only: the fallback finds the dateline
    hits = index.search("Timbuktu")
    assert [h.story_id for h in hits] == ["far"]
    # and it comes after the stories whose text matched
    mixed = index.search("traders Timbuktu")
    assert {h.story_id for h in mixed} == {"far", "near"}


def test_optimize_merges_segments_and_keeps_every_answer(tmp_path: Path,
                                                        segmented: Index) -> None:
    path = tmp_path / "copy"
    shutil.copytree(segmented.path, path)
    index = Index.open(str(path))
    before = index.search("said officials", limit=30)
    shares: list[float] = []
    result = index.optimize(on_progress=shares.append)
    assert result["segments_before"] > 10 and result["segments_after"] == 1
    # the progress a terminal shows: each percent of the postings merged, in order
    assert shares == sorted(shares) and shares[-1] == 1.0 and len(shares) > 10
    after = index.search("said officials", limit=30)
    # the merged segment recomputes its length statistics: scores move by under 1%
    # (near-ties may swap), and the same paragraphs come back
    scores = {(h.story_id, h.paragraph): h.score for h in before}
    assert [(h.story_id, h.paragraph) for h in after[:5]] == list(scores)[:5]
    assert {(h.story_id, h.paragraph) for h in after} == set(scores)
    for hit in after:
        assert hit.score == pytest.approx(scores[(hit.story_id, hit.paragraph)], rel=1e-2)
    assert index.check() == []
    assert whoosh_index.open_dir(str(path)).doc_count() == segmented.whoosh_index.doc_count()


def test_optimize_with_workers_merges_side_by_side_and_keeps_every_score(
        tmp_path: Path, segmented: Index) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    shutil.copytree(segmented.path, one)
    shutil.copytree(segmented.path, two)
    Index.open(str(one)).optimize()
    index = Index.open(str(two))
    shares: list[float] = []
    result = index.optimize(on_progress=shares.append, workers=2)
    # two groups of about equal size, each merged by a process of its own
    assert result["segments_before"] > 10 and result["segments_after"] == 2
    sizes = [segment.doc_count() for segment in index.whoosh_index._segments()]
    assert min(sizes) > max(sizes) / 3
    assert shares == sorted(shares) and shares[-1] == 1.0
    assert index.check() == []
    # the statistics are the index's, however many segments hold it: the same scores as
    # one segment (ties may come in another order)
    for text in ("said officials", "election", "police fired"):
        merged = {(h.story_id, h.paragraph): h.score
                  for h in Index.open(str(one)).search(text, limit=30)}
        side = {(h.story_id, h.paragraph): h.score for h in index.search(text, limit=30)}
        assert side.keys() == merged.keys()
        for key, score in side.items():
            assert score == pytest.approx(merged[key], rel=1e-9)


def test_optimize_command_reports_and_respects_the_ingest_lock(tmp_path: Path) -> None:
    from click.testing import CliRunner

    path = tmp_path / "index"
    Index.create(str(path)).ingest([str(CORPUS)], batch_files=3)
    runner = CliRunner()
    with ingest_lock(str(path)):
        locked = runner.invoke(main, ["optimize", "--index", str(path)])
    assert locked.exit_code == 4 and "another ingest" in locked.output
    done = runner.invoke(main, ["optimize", "--index", str(path)])
    assert done.exit_code == 0 and "-> 1 in" in done.output
    # side by side: nothing left to merge in one segment without deletions
    again = runner.invoke(main, ["optimize", "--index", str(path), "--workers", "2"])
    assert again.exit_code == 0 and "1 segments -> 1 in" in again.output


def _ours_and_stock(make):
    """make() with our Whoosh extensions, then with stock Whoosh."""
    ours = make()
    with whoosh_ext.stock_whoosh():
        return ours, make()


def _stock_whoosh_ingest(path: Path, **options) -> None:
    with whoosh_ext.stock_whoosh():
        index = Index.create(str(path))
        assert type(index.whoosh_index.writer()) is SegmentWriter
        index.ingest(**options)
        for reader, _ in index.whoosh_index.reader().leaf_readers():
            assert type(reader) is SegmentReader


def _length_columns(path: Path) -> dict[str, list[bytes]]:
    """Each field's length column in each segment, as stored."""
    from whoosh.codec import whoosh3

    found: dict[str, list[bytes]] = {}
    with whoosh_index.open_dir(str(path)).reader() as reader:
        for leaf, _ in reader.leaf_readers():
            for field in reader.schema.names():
                column = leaf._perdoc._cached_reader(whoosh3._lenfield(field),
                                                     whoosh3.LENGTHS_COLUMN)
                if column is not None:
                    found.setdefault(field, []).append(
                        bytes(column._dbfile.get(column._basepos, column._count)))
    return found


def _all_postings(path: Path, lists: bool = True, ours: bool = True) -> list:
    """The term infos carry each term's shortest and longest document (from the lengths a
    commit reads back through doc_field_length) and its highest weight; then every posting
    (document, weight, value) in document order, and the posting blocks as stored (their
    sizes, headers, data). File records' terms left out: their paths differ."""
    with whoosh_index.open_dir(str(path)).reader() as reader:
        return [(field, text, info.doc_frequency(), info.weight(), info.min_length(),
                 info.max_length(), info.max_weight(),
                 _posting_list(reader, field, text) if lists else None,
                 _stored_blocks(reader, field, text, ours) if lists else None)
                for field, text in reader.all_terms() if field != "id"
                and not text.startswith(b"file:")
                for info in [reader.term_info(field, text)]]


def test_reused_analysis_writes_the_same_postings_as_stock_whoosh(tmp_path: Path,
                                                                  monkeypatch) -> None:
    from whoosh.codec import whoosh3

    wide = tmp_path / "wide"  # five copies of the corpus: terms of several posting blocks
    for copy in range(5):
        shutil.copytree(CORPUS, wide / f"copy{copy}")
    summed = []
    original = whoosh_ext.analysis.summed_parts
    monkeypatch.setattr(whoosh_ext.analysis, "summed_parts",
                        lambda *args: summed.append(original(*args)) or summed[-1])
    ours = tmp_path / "ours"
    Index.create(str(ours)).ingest([str(wide)])
    # story records' fulltext summed from their paragraphs, not analysed again (but for
    # a story whose first paragraphs were analysed before the recent values were cleared)
    assert len(summed) == 70 and sum(items is not None for items in summed) >= 60
    two = tmp_path / "two-workers"  # documents pickled to the worker processes
    Index.create(str(two)).ingest([str(wide)], workers=2)
    # groups made into posting lists after every story, joined with those made before
    compactions = []
    original_compact = whoosh_ext.pool.compact
    monkeypatch.setattr(whoosh_ext.pool, "compact",
                        lambda state: compactions.append(1) or original_compact(state))
    monkeypatch.setattr(whoosh_ext.pool, "COMPACT_BYTES", 0)
    compacted = tmp_path / "compacted"
    Index.create(str(compacted)).ingest([str(wide)])
    assert len(compactions) > 200
    # grouped postings handed to Whoosh's pool every few documents (as when they outgrow
    # its memory limit), then joined with the groups gathered after, at the flush
    spills = []
    original_spill = whoosh_ext.pool.spill_groups
    monkeypatch.setattr(whoosh_ext.pool, "spill_groups",
                        lambda writer: spills.append(1) or original_spill(writer))
    monkeypatch.setattr(whoosh_ext.pool, "GROUP_BYTES", 10**6)
    monkeypatch.setattr(whoosh_ext.pool, "TERM_BYTES", 10**6)
    monkeypatch.setattr(whoosh_ext.pool, "ONE_POSTING_BYTES", 10**6)
    # one batch all the same, as stock Whoosh's (the run would end its batches before
    # each file, seeing the pool that full): the same document numbers
    monkeypatch.setattr(IngestRun, "_room_for", lambda self, job: True)
    spilled = tmp_path / "spilled"
    Index.create(str(spilled)).ingest([str(wide)])
    assert len(spills) > 50
    stock = tmp_path / "stock"
    _stock_whoosh_ingest(stock, paths=[str(wide)])

    written = _all_postings(stock, ours=False)
    assert max(len(term[-2]) for term in written) > 3 * 128
    assert _all_postings(ours) == written
    assert _all_postings(spilled) == written
    assert _all_postings(compacted) == written
    # every length column as stored, byte for byte (fix 9 buffers them)
    assert _length_columns(ours) == _length_columns(stock)
    assert {"body", "fulltext", "people", "headline"} <= set(_length_columns(ours))
    # two workers write two segments: other document numbers, the same term statistics
    assert _all_postings(two, lists=False) == _all_postings(stock, lists=False, ours=False)
    # the lengths read from memory are those Whoosh reads from the column file
    with whoosh_index.open_dir(str(ours)).reader() as reader:
        for leaf, _ in reader.leaf_readers():
            perdoc = leaf._perdoc
            for field in ("body", "headline", "fulltext", "people", "byline", "kind"):
                for docnum in range(leaf.doc_count_all() + 1):
                    assert perdoc.doc_field_length(docnum, field) == \
                        whoosh3.W3PerDocReader.doc_field_length(perdoc, docnum, field)


def test_grouped_postings_join_merged_segments_as_stock_whoosh_writes_them(
        tmp_path: Path) -> None:
    # one file a commit: the commit that finds a full size tier merges its segments into
    # its writer, whose new documents' groups join their postings
    ours, stock = tmp_path / "ours", tmp_path / "stock"
    Index.create(str(ours)).ingest([str(CORPUS)], batch_files=1)
    _stock_whoosh_ingest(stock, paths=[str(CORPUS)], batch_files=1)
    assert len(whoosh_index.open_dir(str(ours))._segments()) < 14
    assert _all_postings(ours) == _all_postings(stock, ours=False)


def _documents(path: Path) -> tuple:
    """Every document's stored fields, field lengths and column values, and each field's
    total length, through stock Whoosh."""
    with whoosh_index.open_dir(str(path)).reader() as reader:
        names = reader.schema.names()
        columns = {name: reader.column_reader(name, translate=False)
                   for name in names if reader.has_column(name)}
        return ([(reader.stored_fields(docnum),
                  [reader.doc_field_length(docnum, name) for name in names],
                  {name: column[docnum] for name, column in columns.items()})
                 for docnum in range(reader.doc_count_all())],
                {name: reader.field_length(name) for name in names})


def _column_bytes(path: Path) -> list[dict[str, bytes]]:
    """Each segment's columns as stored (stored fields, lengths, sortable values)."""
    from whoosh.codec import whoosh3

    with whoosh_index.open_dir(str(path)).reader() as reader:
        names = ["_stored", *reader.schema.names(),
                 *(whoosh3._lenfield(name) for name in reader.schema.names())]
        found = []
        for leaf, _ in reader.leaf_readers():
            perdoc = leaf._perdoc
            found.append({name: bytes(colfile.get(offset, length))
                          for name in names if perdoc.has_column(name)
                          for colfile, offset, length in [perdoc._get_column_file(name)]})
        return found


def test_a_storys_paragraphs_added_at_once_are_the_documents_added_one_at_a_time(
        tmp_path: Path, monkeypatch) -> None:
    # add_documents adds a story's shared fields once for all its paragraphs: the same
    # columns (stored fields, in the same order; lengths; sortable values), byte for byte,
    # and the same postings as adding each paragraph with add_document
    shared = []
    original = whoosh_ext.FastSegmentWriter._add_shared
    monkeypatch.setattr(whoosh_ext.FastSegmentWriter, "_add_shared",
                        lambda self, *args: shared.append(args[3]) or original(self, *args))
    at_once, one_by_one = tmp_path / "at-once", tmp_path / "one-by-one"
    Index.create(str(at_once)).ingest([str(CORPUS)])
    assert len(shared) == 14 and sum(shared) > 14  # every story, most of several paragraphs
    monkeypatch.setattr(whoosh_ext.FastSegmentWriter, "_shared_plan", lambda *args: None)
    Index.create(str(one_by_one)).ingest([str(CORPUS)])
    assert len(shared) == 14
    columns = _column_bytes(at_once)
    assert columns == _column_bytes(one_by_one)
    assert {"_stored", "date", "story_id", "_body_len"} <= set(columns[-1])
    assert _all_postings(at_once) == _all_postings(one_by_one)


def test_add_documents_refuses_a_document_that_repeats_a_shared_field(tmp_path: Path) -> None:
    writer = Index.create(str(tmp_path / "ix")).whoosh_index.writer()
    try:
        with pytest.raises(ValueError, match="repeats a shared field"):
            writer.add_documents({"kind": "paragraph", "story_id": "1"},
                                 [{"id": "1#1", "body": "one"}, {"id": "1#2", "kind": "x"}])
    finally:
        writer.cancel()


def test_a_merge_copies_segments_as_stock_whoosh_merges_them(tmp_path: Path,
                                                             monkeypatch) -> None:
    # segments with deleted documents (files changed after their first ingest) and terms
    # of several posting blocks (five copies of the corpus), merged by optimize
    wide = tmp_path / "wide"
    for copy in range(5):
        shutil.copytree(CORPUS, wide / f"copy{copy}")
    built = tmp_path / "built"  # every commit leaves its segment
    Index.create(str(built)).ingest([str(wide)], batch_files=3, merge=False)
    for changed in sorted(wide.rglob("*.txt"))[::7]:
        changed.write_text(changed.read_text().replace("said", "stated"))
    Index.open(str(built)).ingest([str(wide)], batch_files=3, merge=False)
    segments = whoosh_index.open_dir(str(built))._segments()
    assert len(segments) > 10 and sum(s.deleted_count() for s in segments) > 0

    ours, stock = tmp_path / "ours", tmp_path / "stock"
    shutil.copytree(built, ours)
    shutil.copytree(built, stock)
    # the merged totals: each segment's exact total less its deleted documents' lengths
    # (known from their length bytes); stock Whoosh re-sums every copied length byte
    expected: dict = {}
    with whoosh_ext.stock_whoosh(), whoosh_index.open_dir(str(built)).reader() as reader:
        for leaf, _ in reader.leaf_readers():
            for name in reader.schema.names():
                gone = sum(byte_to_length(length_to_byte(leaf.doc_field_length(docnum, name)))
                           for docnum in range(leaf.doc_count_all()) if leaf.is_deleted(docnum))
                expected[name] = expected.get(name, 0) + leaf.field_length(name) - gone
    copied = []
    original = whoosh_ext.merge.segment_terms
    monkeypatch.setattr(whoosh_ext.merge, "segment_terms",
                        lambda *args: copied.append(args[2]) or original(*args))
    Index.open(str(ours)).optimize()
    assert len(copied) == len(segments)  # every segment took the copying path
    with whoosh_ext.stock_whoosh():
        Index.open(str(stock)).optimize()
    assert _all_postings(ours) == _all_postings(stock, ours=False)
    documents, totals = _documents(ours)
    assert documents == _documents(stock)[0]
    assert totals == expected and totals["body"] > 1000


def _raw_postings(path: Path) -> dict:
    """Every term's stored posting bytes and statistics, as the index's one segment holds
    them."""
    ix = whoosh_index.open_dir(str(path))
    (segment,) = ix._segments()
    with ix.reader() as reader:
        terms = reader._terms
        found = {}
        for field, text in reader.all_terms():
            info = terms.term_info(field, text)
            length = info._length[0] if isinstance(info._length, tuple) else info._length
            found[(field, text)] = (
                terms._postfile.get(info._offset, length),
                (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(),
                 info.max_weight(), info.min_id(), info.max_id()))
        return found


def test_a_merge_of_segments_without_deletions_writes_packed_blocks_as_unpacked(
        tmp_path: Path, monkeypatch) -> None:
    wide = tmp_path / "wide"  # five copies: terms of one block and of several
    for copy in range(5):
        shutil.copytree(CORPUS, wide / f"copy{copy}")
    built = tmp_path / "built"
    Index.create(str(built)).ingest([str(wide)], batch_files=3, merge=False)
    assert len(whoosh_index.open_dir(str(built))._segments()) > 10
    packed, unpacked, stock = (tmp_path / name for name in ("packed", "unpacked", "stock"))
    for copy in (packed, unpacked, stock):
        shutil.copytree(built, copy)
    joined = []
    original_join = whoosh_ext.blocks.PackedBlock.join
    monkeypatch.setattr(whoosh_ext.blocks.PackedBlock, "join", classmethod(
        lambda cls, parts: joined.append(len(parts)) or original_join(parts)))
    Index.open(str(packed)).optimize()
    assert len(joined) > 1000 and max(joined) > 10  # terms of many segments joined packed
    monkeypatch.setattr(whoosh_ext.blocks.PackedBlock, "read",
                        classmethod(lambda cls, header, data, shift, fixed: None))
    Index.open(str(unpacked)).optimize()
    with whoosh_ext.stock_whoosh():
        Index.open(str(stock)).optimize()
    # the same bytes as reading every posting and writing it again, and stock's postings
    assert _raw_postings(packed) == _raw_postings(unpacked)
    assert _all_postings(packed) == _all_postings(stock, ours=False)
    assert _documents(packed) == _documents(unpacked)


def test_a_partial_segment_hands_its_groups_to_the_pool(tmp_path: Path) -> None:
    # Whoosh's single-segment multiprocessing writer merges its sub-writers' pools
    from indexer.store.schema import build_schema
    from indexer.store.storage import create_durable

    ix = create_durable(str(tmp_path / "index"), build_schema())
    writer = SegmentWriter(ix)
    for number in (1, 2):
        writer.add_document(id=f"s#{number}", kind="paragraph", headline="Rain returns",
                            body=f"Farmers {'wait' if number == 1 else 'plant'} again.")
    writer._partial_segment()
    pooled = sorted(writer.pool.current)
    assert [(f, t, d) for f, t, d, _, _ in pooled if f in ("headline", "kind")] == [
        ("headline", b"rain", 0), ("headline", b"rain", 1), ("headline", b"return", 0),
        ("headline", b"return", 1), ("kind", b"paragraph", 0), ("kind", b"paragraph", 1)]
    assert {(t, d) for f, t, d, _, _ in pooled if f == "body"} == {
        (b"farmer", 0), (b"wait", 0), (b"again", 0), (b"farmer", 1), (b"plant", 1),
        (b"again", 1)}
    writer.pool.cleanup()
    writer.writelock.release()


def test_commits_merge_a_full_size_tier_into_one_segment(tmp_path: Path,
                                                         monkeypatch) -> None:
    index = Index.create(str(tmp_path / "index"))
    counts = []
    original = storage.commit_verified

    def counting(ix, writer, *args, **kwargs):
        original(ix, writer, *args, **kwargs)
        counts.append(len(ix._segments()))

    monkeypatch.setattr("indexer.ingest.run.commit_verified", counting)
    index.ingest([str(CORPUS)], batch_files=1)  # 14 commits of one small file each
    # each commit adds a segment (the first joins the new index's own); the commit that
    # finds MERGE_FACTOR segments of one tier merges them into its own
    factor = storage.MERGE_FACTOR
    assert counts == list(range(2, factor + 1)) + list(range(1, 14 - (factor - 1) + 1))
    assert index.check() == []


@pytest.mark.slow  # a long run: CI's slow step
@pytest.mark.parametrize("workers", [1, 2])
def test_a_long_ingest_keeps_few_segments_with_every_document(
        tmp_path: Path, monkeypatch, workers: int) -> None:
    # small tiers so that a file a batch climbs several of them (with workers, a batch
    # ends once the files in flight come back: more files)
    monkeypatch.setattr(storage, "TINY_SEGMENT", 2)
    monkeypatch.setattr(storage, "MERGE_FACTOR", 2)
    wire = tmp_path / "wire"
    shutil.copytree(CORPUS, wire)
    words = "rain water officials government said border aid farmers".split()
    for number in range(56 if workers > 1 else 0):  # no two alike: no ties to break
        lead = " ".join(words[(number + k) % 8] for k in range(1 + number % 7))
        (wire / f"extra-{number}.txt").write_text(story_text(
            headline=f"Report {number}", lead=f"Officials said {lead} today.",
            paragraphs=(f"The {words[(number * 3) % 8]} count was {number}.",)))
    index = Index.create(str(tmp_path / "index"))
    report = index.ingest([str(wire)], batch_files=1, workers=workers)
    segments = index.whoosh_index._segments()
    assert report.merges >= 3 and report.merged_documents > report.paragraphs / 2
    assert report.merged_bytes > 0
    tiers = [storage._tier(segment.doc_count()) for segment in segments]
    assert all(tiers.count(tier) < storage.MERGE_FACTOR for tier in set(tiers))
    assert index.check() == []
    reference = Index.create(str(tmp_path / "reference"))
    reference_report = reference.ingest([str(wire)], batch_files=1, merge=False)
    assert reference_report.merges == 0
    assert len(reference.whoosh_index._segments()) == reference_report.commits + 1
    assert index.stats()["paragraphs"] == reference.stats()["paragraphs"]
    answers = 0
    for query in ("said", "rain OR water", "government officials"):
        # every answer; a merged segment's length totals are summed from length bytes,
        # as Whoosh sums them, so scores move in the last digits (ties may swap)
        ours = {(h.story_id, h.paragraph): h.score for h in index.search(query, limit=10**4)}
        theirs = {(h.story_id, h.paragraph): h.score
                  for h in reference.search(query, limit=10**4)}
        assert ours.keys() == theirs.keys()
        answers += len(ours)
        for key, score in ours.items():
            assert score == pytest.approx(theirs[key], rel=1e-2)
    assert answers > 20


def test_a_create_killed_before_its_first_commit_is_completed(tmp_path: Path) -> None:
    from indexer.store.schema import SCHEMA_VERSION, build_schema
    from indexer.store.storage import create_durable

    path = tmp_path / "index"
    create_durable(str(path), build_schema())  # the folder as a SIGKILL right here leaves it
    assert Index.open(str(path)).search("anything") == []  # opens: empty, not "version None"
    index = Index.create(str(path))
    index.ingest([str(CORPUS)])
    assert Index.open(str(path)).stats()["schema_version"] == SCHEMA_VERSION
    assert index.check() == []


STORY_QUERIES = ["said", "government officials", "rain OR water", "drought^2 farmers",
                 "election results", "headline:drought", "the farmers said rain",
                 "officials border trucks aid convoy"]


def _story_pass_agrees_with_whoosh(index: Index, filters: dict | None = None) -> None:
    searcher = index.searcher()
    window = date_window((filters or {}).get("since"), (filters or {}).get("until"))
    allow = index._filters(searcher, **{k: v for k, v in (filters or {}).items()
                                        if k not in ("since", "until")})
    for text in STORY_QUERIES:
        query, _ = index.parsers().stories(text)
        if allow is not None or window is not None:
            query = Filtered(query, allow, window)
        expected = [(r.docnum, r.score) for r in searcher.search(query, limit=None)]
        everything = top_documents(searcher, query, 10**6)
        assert everything is not None and everything.exhausted
        assert [d for d, _ in everything.ranked] == [d for d, _ in expected]
        assert [s for _, s in everything.ranked] == pytest.approx([s for _, s in expected])
        for limit in (1, 3, 10):  # MaxScore pruning must keep exactly the best `limit`
            if len(expected) > limit:
                top = top_documents(searcher, query, limit)
                assert top.ranked == everything.ranked[:limit] and not top.exhausted


def _paragraph_scores_agree_with_whoosh(index: Index, filters: dict | None = None) -> None:
    searcher = index.searcher()
    window = date_window((filters or {}).get("since"), (filters or {}).get("until"))
    allow = index._filters(searcher, **{k: v for k, v in (filters or {}).items()
                                        if k not in ("since", "until")})
    every = range(searcher.doc_count_all())
    # candidates spread over every segment, some masked out as a negation would
    candidates, mask = [d for d in every if d % 3], {d for d in every if d % 7 == 0}
    for text in STORY_QUERIES:
        query, _ = index.parsers().paragraphs(text)
        if allow is not None or window is not None:
            query = Filtered(query, allow, window)
        expected = {r.docnum: r.score for r in searcher.search(query, limit=None, mask=mask)
                    if r.docnum % 3}
        scored = score_documents(searcher, query, candidates, mask)
        assert scored is not None
        scores = scored.scores
        assert sorted(scores) == sorted(expected)
        assert [scores[d] for d in sorted(scores)] == pytest.approx(
            [expected[d] for d in sorted(expected)])


@pytest.mark.parametrize("filters", [None, *FILTERS], ids=lambda f: ",".join(f or ["none"]))
def test_candidate_paragraphs_score_as_whoosh_scores_them(segmented: Index,
                                                          filters: dict | None) -> None:
    _paragraph_scores_agree_with_whoosh(segmented, filters)


@pytest.mark.parametrize("filters", [None, *FILTERS], ids=lambda f: ",".join(f or ["none"]))
def test_term_at_a_time_story_pass_ranks_as_whoosh_does(segmented: Index,
                                                        filters: dict | None) -> None:
    # many segments (docnum offsets, per-segment lengths) with each kind of filter
    _story_pass_agrees_with_whoosh(segmented, filters)


def test_term_at_a_time_story_pass_leaves_deleted_documents_out(tmp_path: Path,
                                                                 corpus_copy: Path) -> None:
    index = Index.create(str(tmp_path / "index"))
    index.ingest([str(corpus_copy)])
    story = next(p for p in sorted(corpus_copy.rglob("*")) if p.is_file())
    story.write_text(story.read_text() + "\nOfficials said the rain would return.\n")
    # the old version of that file is deleted, and no merge purges it
    index.ingest([str(corpus_copy)], merge=False)
    assert index.searcher().reader().has_deletions()
    _story_pass_agrees_with_whoosh(index)
    _paragraph_scores_agree_with_whoosh(index)
    _kind_sets_agree_with_whoosh(index)


def _kind_sets_agree_with_whoosh(index: Index) -> None:
    from whoosh.idsets import BitSet

    searcher = index.searcher()
    for kind in ("paragraph", "story", "file", "no such kind"):
        stock = BitSet(searcher.docs_for_query(whoosh_query.Term("kind", kind)),
                       size=searcher.doc_count_all())
        ours = term_bitset(searcher, "kind", kind)
        assert ours.bits == stock.bits and list(ours) == list(stock)
        assert kind == "no such kind" or len(ours) > 10
    # any query's documents (a filter's) packed the same way
    filter_docs = list(searcher.docs_for_query(index._filters(searcher, place="Lebanon")))
    stock = BitSet(filter_docs, size=searcher.doc_count_all())
    ours = docnum_bitset(filter_docs, searcher.doc_count_all())
    assert ours.bits == stock.bits and list(ours) == filter_docs and len(filter_docs) > 3


def test_term_bitsets_agree_with_whoosh_across_segments(segmented: Index) -> None:
    _kind_sets_agree_with_whoosh(segmented)


def test_remembered_term_statistics_are_whooshs_own_sums(segmented: Index,
                                                         monkeypatch) -> None:
    from whoosh.reading import MultiReader

    from indexer.store import whoosh_ext

    reader = segmented.searcher().reader()
    assert isinstance(reader, whoosh_ext.StatsCachingReader)
    assert reader._direct and len(reader.readers) > 2  # term tables read from their maps
    monkeypatch.setattr(whoosh_ext.StatsCachingReader, "CACHED_TERMS", 50)  # starts again
    stock = MultiReader(reader.readers)
    checked = 0
    for fieldname in ("body", "fulltext", "people", "kind"):
        for text in list(stock.lexicon(fieldname))[:200]:
            for _ in range(2):  # asked, then remembered
                assert reader.doc_frequency(fieldname, text) == \
                    stock.doc_frequency(fieldname, text)
                assert reader.frequency(fieldname, text) == stock.frequency(fieldname, text)
            checked += 1
    assert checked > 300 and len(reader._df) <= 50
    for fieldname in ("body", "headline", "fulltext"):
        assert reader.field_length(fieldname) == stock.field_length(fieldname) > 0
        assert reader.field_length(fieldname) == stock.field_length(fieldname)  # remembered
    assert reader.doc_frequency("body", "nosuchwordanywhere") == 0
    for number in range(1, 4):  # a numeric field's terms: the value's bytes, as Whoosh makes them
        assert reader.doc_frequency("paragraph", number) == \
            stock.doc_frequency("paragraph", number) > 0
    assert reader.doc_frequency("paragraph", 9999) == stock.doc_frequency("paragraph", 9999) == 0
    for fieldname in ("nosuchfield", "size"):  # unknown, and stored only
        for ask in (reader.doc_frequency, stock.doc_frequency, reader.frequency):
            with pytest.raises(TermNotFound):
                ask(fieldname, "x")


def test_whoosh_scores_candidates_as_the_term_at_a_time_pass_does(corpus_index: Index,
                                                                   monkeypatch) -> None:
    # phrases and wildcards take Whoosh's path (a FieldGroup matcher): a paragraph's score
    # and whether it answers must mean the same there
    from indexer.search import ranking

    searcher = corpus_index.searcher()
    story_ids = ["world/aleppo-truce", "world/geneva-talks", "world/canberra-drought"]
    paragraphs = corpus_index._kind_ids(searcher, "paragraph")
    docnums = sorted(d for sid in story_ids for d in searcher.docs_for_query(
        whoosh_query.Term("story_id", sid)) if d in paragraphs)
    ranker = ranking.Ranker(searcher, corpus_index.ranking, paragraphs,
                            corpus_index._store.versions(searcher))
    for text in ("aid trucks", "drought farmers rain", "government officials", "Syria truce"):
        parsed, _ = corpus_index.parsers().paragraphs(text)
        query = ranking.Query(parsed, parsed, own_words=ranking.own_words(parsed))
        ours = {r.result.docnum: (r.result.score, r.answers)
                for r in ranker.score_candidates(query, docnums)}
        with monkeypatch.context() as patch:
            patch.setattr(ranking, "score_documents", lambda *args: None)
            whooshs = {r.result.docnum: (r.result.score, r.answers)
                       for r in ranker.score_candidates(query, docnums)}
        assert ours and sorted(ours) == sorted(whooshs)
        assert [ours[d][0] for d in sorted(ours)] == pytest.approx(
            [whooshs[d][0] for d in sorted(ours)], rel=1e-12)
        assert [ours[d][1] for d in sorted(ours)] == [whooshs[d][1] for d in sorted(ours)]
        assert any(answers for _, answers in ours.values())


def test_other_query_shapes_are_left_to_whoosh(corpus_index: Index) -> None:
    searcher = corpus_index.searcher()
    for text in ('"rebel commanders"', "drought AND farmers", "farm*"):
        query, _ = corpus_index.parsers().stories(text)
        if text.startswith('"'):  # the story pass reads a phrase as AND of its words
            assert not any(isinstance(leaf, whoosh_query.Phrase) for leaf in query.leaves())
        assert top_documents(searcher, query, 10) is None
        query, _ = corpus_index.parsers().paragraphs(text)
        assert score_documents(searcher, query, [0, 1, 2]) is None
    # and the search still answers each of them, with paragraphs that hold what it asks
    # (a paragraph of a story that matches may be shown below those that hold the words)
    phrase = corpus_index.search('"rebel commanders"', limit=50)
    assert phrase and "rebel commanders" in phrase[0].text.lower()
    both = corpus_index.search("drought AND farmers", limit=50)
    assert both and {"drought", "farmers"} <= set(both[0].text.lower().replace(",", " ").split())
    pattern = corpus_index.search("farm*", limit=50)
    assert pattern and any(word.startswith("farm") for word in pattern[0].text.lower().split())


def test_highlights_without_matched_terms_are_those_whoosh_reports(corpus_index: Index) -> None:
    # plain word queries skip Whoosh's matched-term bookkeeping; their highlights must be
    # the ones the matched terms give (the words of the query found in the paragraph)
    searcher = corpus_index.searcher()
    analyzer = searcher.schema["body"].analyzer
    for query in ("drought farmers", "trucks flour medicine border", "election results"):
        parsed, _ = corpus_index.parsers().paragraphs(query)
        hits = corpus_index.search(query, limit=20, feedback=False)
        assert hits and any(hit.highlights for hit in hits)
        for hit in hits:
            docnum = next(searcher.document_numbers(id=f"{hit.story_id}#{hit.paragraph}"))
            found = searcher.search(parsed, limit=None, terms=True, filter={docnum})
            matched = {text.decode() for name, text in found[0].matched_terms()
                       if name == "body"}
            assert hit.highlights == highlight_spans(hit.text, analyzer, matched)


def _posting_list(reader, field: str, text: bytes) -> list[tuple]:
    matcher = reader.postings(field, text)
    found = []
    while matcher.is_active():
        found.append((matcher.id(), matcher.weight(), matcher.value()))
        matcher.next()
    return found


def _stored_blocks(reader, field: str, text: bytes, ours: bool) -> list[tuple]:
    """Each posting block of a term as stored, segment by segment: its header (postings,
    last document, highest weight, length bytes) and its decoded data. Data, not bytes: a
    pickle shares a value repeated by the same object (our reused analyses). The header's
    compression is checked here: stock Whoosh compresses every block, we (fix 8) only
    those whose pickle is SMALL_BLOCK bytes or more."""
    import pickle
    import struct
    import zlib
    from io import BytesIO

    blocks = []
    for leaf, _ in reader.leaf_readers():
        if (field, text) not in leaf:
            continue
        offset, length = leaf.term_info(field, text).extent()
        length = length[0] if isinstance(length, tuple) else length  # sic, as read back
        stream = BytesIO(leaf._terms._postfile.get(offset, length))
        assert stream.read(4) == b"W3Bl"
        last = False
        while not last:
            size = struct.unpack(">i", stream.read(4))[0]
            last, start = size < 0, stream.tell()
            info = pickle.load(stream)
            data = stream.read(abs(size) - (stream.tell() - start))
            raw = zlib.decompress(data) if info[3] else data
            small = ours and len(raw) < whoosh_ext.SMALL_BLOCK
            assert info[3] == (0 if small else 3)
            # fix 10: protocol 3, where Whoosh's protocol 2 turns each bytes into a call
            assert raw[:2] == (b"\x80\x03" if ours else b"\x80\x02")
            blocks.append((info[:3] + info[4:], pickle.loads(raw)))
        assert stream.read() == b""
    return blocks


def _everything_read(ix) -> list:
    """Every posting (document, weight, value), stored field and length of an index."""
    seen = []
    with ix.reader() as reader:
        for field, text in reader.all_terms():
            seen.append((field, text, _posting_list(reader, field, text)))
        seen.append(list(reader.iter_docs()))
        seen.append([reader.doc_field_length(docnum, "body")
                     for docnum in range(reader.doc_count_all())])
    return seen


def test_segments_read_from_the_map_read_what_whoosh_copies(tmp_path: Path,
                                                           monkeypatch) -> None:
    from whoosh.filedb import compound

    path = tmp_path / "index"
    index = Index.create(str(path))
    index.ingest([str(CORPUS)], batch_files=4)
    index.close()
    opened = []
    mapped_open = whoosh_ext.MappedCompoundStorage.open_file
    monkeypatch.setattr(whoosh_ext.MappedCompoundStorage, "open_file",
                        lambda *args, **kw: opened.append(mapped_open(*args, **kw)) or opened[-1])
    ours = _everything_read(storage.open_durable(str(path)))  # our index class's readers
    assert opened and all(type(f) is whoosh_ext.MappedSubFile for f in opened)
    copied = []
    stock_open = compound.CompoundStorage.open_file
    monkeypatch.setattr(compound.CompoundStorage, "open_file",
                        lambda *args, **kw: copied.append(stock_open(*args, **kw)) or copied[-1])
    assert ours == _everything_read(whoosh_index.open_dir(str(path)))  # stock Whoosh
    assert copied and not any(type(f) is whoosh_ext.MappedSubFile for f in copied)
    assert sum(len(term[2]) for term in ours[:-2]) > 5000  # postings compared


def test_a_merge_reads_the_term_table_rows_whoosh_reads(tmp_path: Path) -> None:
    # a merge reads each term's postings offset and length straight from the table's map,
    # or through Whoosh's term infos where the table is not mapped: the same rows
    path = tmp_path / "index"
    index = Index.create(str(path))
    index.ingest([str(CORPUS)], batch_files=4)
    index.close()

    def rows(ix) -> tuple[list, set]:
        found, files = [], set()
        with ix.reader() as reader:
            for leaf, _ in reader.leaf_readers():
                terms = leaf._terms
                files.add(type(terms._tindex.dbfile))
                for field in [*sorted(reader.schema.names()), "no such field"]:
                    found.append(list(whoosh_ext.merge.term_rows(terms, field)))
        return found, files

    mapped, mapped_files = rows(storage.open_durable(str(path)))
    read, read_files = rows(whoosh_index.open_dir(str(path)))
    assert mapped_files == {whoosh_ext.MappedSubFile}
    assert whoosh_ext.MappedSubFile not in read_files
    assert mapped == read
    expected = []
    with whoosh_index.open_dir(str(path)).reader() as reader:
        for leaf, _ in reader.leaf_readers():
            for field in [*sorted(reader.schema.names()), "no such field"]:
                expected.append([
                    (text, None, info._offset, info._length[0])
                    for (found, text), info in leaf._terms.items_from(field, b"")
                    if found == field])
    assert mapped == expected
    assert sum(len(field) for field in mapped) > 2000


def test_a_merge_reads_each_posting_blocks_header_and_data() -> None:
    # iter_blocks finds where a block's header pickle ends by pickling it again as Whoosh
    # pickles it (protocol 2); a header pickled otherwise is read by an unpickler instead
    import pickle
    import struct
    import zlib

    blocks = [((3, 40, 2.0, 0, 4, 9), ((38, 1, 1), None, None)),
              ((2, 7, 1.5, 1, 0, 0), ((5, 2), 1.5, (b"\x01", b"\x02"))),
              ((1, 300, 1.0, 0, 1, 1), ((300,), None, None))]

    def raw(protocol: int) -> bytes:
        out = b"W3Bl"
        for number, (header, data) in enumerate(blocks):
            body = pickle.dumps(data, 3)
            chunk = pickle.dumps(header, protocol) + (zlib.compress(body) if header[3] else body)
            last = number == len(blocks) - 1
            out += struct.pack("!i", -len(chunk) if last else len(chunk)) + chunk
        return out

    expected = [(header, data, number == 2) for number, (header, data) in enumerate(blocks)]
    assert list(whoosh_ext.blocks.iter_blocks(raw(2))) == expected
    assert pickle.dumps(blocks[0][0], 0) != pickle.dumps(blocks[0][0], 2)
    assert list(whoosh_ext.blocks.iter_blocks(raw(0))) == expected
    with pytest.raises(ValueError, match="block tag"):
        list(whoosh_ext.blocks.iter_blocks(b"XXXX" + raw(2)[4:]))


def test_a_mapped_sub_file_reads_as_a_copied_one(tmp_path: Path) -> None:
    import mmap
    import pickle

    from whoosh.filedb.structfile import BufferFile

    big = {"words": [f"word{n}" for n in range(2000)]}  # a pickle far over the first window
    body = (b"first line\nsecond line\n" + pickle.dumps((3, 1.5, "x"), 2)
            + pickle.dumps(big, 2) + bytes(range(64)) + pickle.dumps([1, 2, 3], 2)[:-3])
    path = tmp_path / "compound"
    path.write_bytes(b"HEAD" * 100 + body + b"TAIL" * 100)
    with path.open("rb") as handle:
        source = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    ours = whoosh_ext.MappedSubFile(source, 400, len(body), name="sub")
    whole = memoryview(source)
    view = whole[400:400 + len(body)]
    stock = BufferFile(view, name="sub")

    def steps(f) -> list:
        out = [f.readline(), f.readline(4), f.readline(), f.tell(), f.read_pickle(),
               f.read_pickle(), f.tell(), f.read(5), f.seek(-3, 1), f.read_byte(),
               f.get(0, 10), f.get(len(body) - 4, 100), f.get_int(8),
               list(f.get_array(30, "H", 4)), f.seek(-2, 2), f.read(), f.read(7), f.tell(),
               f.seek(len(body) + 10), f.read(3), f.tell()]
        f.seek(0)
        out.append(list(f))
        f.seek(len(body) - len(pickle.dumps([1, 2, 3], 2)) + 3)
        with pytest.raises((EOFError, pickle.UnpicklingError)):
            f.read_pickle()  # truncated at the sub-file's end: never read past it
        return out

    assert steps(ours) == steps(stock)
    ours.close()
    stock.close()
    view.release(), whole.release()
    source.close()  # nothing of ours holds on to the map


def test_threads_reading_one_mapped_sub_file_keep_their_own_position(tmp_path: Path) -> None:
    # every query's matchers seek and read a segment's one postings file: a server's
    # threads must not move each other's position between a seek and its read
    import mmap
    import threading

    body = bytes(range(256)) * 4
    path = tmp_path / "compound"
    path.write_bytes(body)
    with path.open("rb") as handle:
        source = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    shared = whoosh_ext.MappedSubFile(source, 0, len(body), name="sub")
    shared.seek(10)
    sought, read = threading.Event(), threading.Event()
    seen: list[bytes] = []

    def other() -> None:
        shared.seek(200)  # its own cursor: starts at 0, moves only its own
        sought.set()
        read.wait()
        seen.append(shared.read(2))

    thread = threading.Thread(target=other)
    thread.start()
    sought.wait()
    assert shared.read(2) == bytes([10, 11])  # not moved by the other thread's seek
    read.set()
    thread.join()
    assert seen == [bytes([200, 201])] and shared.tell() == 12
    shared.close()
    source.close()


def test_boosts_stored_overrides_and_lengths_write_what_stock_whoosh_writes(tmp_path: Path) -> None:
    # Whoosh's keywords _boost, _<field>_boost and _stored_<field> take its slower path in
    # our add_document; plain documents around them share analyses and groups
    from indexer.store.schema import build_schema
    from indexer.store.storage import create_durable

    documents = [
        {"id": "a#1", "kind": "paragraph", "headline": "Rain returns", "body": "Rain fell."},
        {"id": "a#2", "kind": "paragraph", "headline": "Rain returns", "body": "Rain fell.",
         "_boost": 2.0},
        {"id": "a#3", "kind": "paragraph", "headline": "Rain returns", "body": "Dry again.",
         "_headline_boost": 1.5, "_stored_body": "shown instead"},
        {"id": "a#4", "kind": "paragraph", "headline": "Rain returns", "body": "Dry again."},
        # the last document with lengths: one word each
        {"id": "a#5", "kind": "paragraph", "headline": "Storms", "body": "Hail."},
    ]

    def write(path: Path) -> list:
        ix = create_durable(str(path), build_schema())
        writer = ix.writer()
        for document in documents:
            writer.add_document(**document)
        writer.commit()
        return [*_everything_read(ix), _length_columns(path)]

    names = iter(["ours", "stock"])
    ours, stock = _ours_and_stock(lambda: write(tmp_path / next(names)))
    assert ours == stock
    assert [fields.get("body") for _, fields in ours[-3]][2] == "shown instead"
    # fix 10: stored fields pickled with protocol 4 (Whoosh: 2), read back the same above
    from whoosh.codec import whoosh3

    with whoosh_index.open_dir(str(tmp_path / "ours")).reader() as reader:
        stored = reader._perdoc._cached_reader("_stored", whoosh3.STORED_COLUMN)
        assert [stored._child[docnum][:2] for docnum in range(5)] == [b"\x80\x04"] * 5


def test_terms_written_in_one_step_are_the_bytes_of_whooshs_term_by_term_path() -> None:
    # fix 5 writes each term's blocks and term table row itself, counting file positions:
    # one block or several, in fields with lengths and without
    from types import SimpleNamespace

    from whoosh.codec import whoosh3
    from whoosh.fields import ID, KEYWORD, TEXT, Schema
    from whoosh.filedb.filestore import RamStorage
    from whoosh.system import pack_uint
    from whoosh.util.numeric import byte_to_length

    schema = Schema(body=TEXT(phrase=True), kind=ID, tags=KEYWORD(scorable=True))
    body = schema["body"].format
    lengths = {"body": bytes((docnum * 7) % 40 for docnum in range(400)),
               "tags": bytes((docnum + 1) % 9 for docnum in range(400)),
               "kind": None}
    terms = [("body", b"aid", [3, 9, 200], [1.0, 2.0, 1.0],
              [body.encode([0]), body.encode([1, 5]), body.encode([2])]),
             ("body", b"rain", list(range(0, 400, 1)), [1.0 + (d % 3) for d in range(400)],
              [body.encode([d % 11]) for d in range(400)]),  # four blocks
             ("body", b"storm", [7], [1.5], [body.encode([4])]),
             # one posting (its own path): a weight single precision rounds, a length 0
             ("body", b"tide", [40], [0.1], [body.encode([9])]),
             ("kind", b"meta", [399], [1.0], [b""]),
             ("kind", b"paragraph", list(range(0, 300)), [1.0] * 300, [b""] * 300),
             ("kind", b"story", [300, 301], [1.0, 1.0], [b"", b""]),
             ("tags", b"drought", [5, 6], [2.5, 2.5], [pack_uint(2)] * 2),
             ("tags", b"flood", [0], [1.0], [pack_uint(1)])]
    assert len(terms[1][2]) > 3 * 128

    def files(write) -> dict[str, bytes]:
        storage = RamStorage()
        codec = whoosh_ext.FastCodec()  # both paths write blocks with its postings writer
        segment = codec.new_segment(storage, "s")
        fieldwriter = codec.field_writer(storage, segment)
        write(fieldwriter)
        fieldwriter.close()
        return {ext: storage.open_file(segment.make_filename(ext)).read()
                for ext in (whoosh3.W3Codec.TERMS_EXT, whoosh3.W3Codec.POSTS_EXT)}

    def term_by_term(fieldwriter) -> None:
        lastfn = None
        for fieldname, btext, ids, weights, values in terms:
            if fieldname != lastfn:
                if lastfn is not None:
                    fieldwriter.finish_field()
                fieldwriter.start_field(fieldname, schema[fieldname])
                lastfn = fieldname
            fieldwriter.start_term(btext)
            table = lengths[fieldname]
            for docnum, weight, value in zip(ids, weights, values, strict=True):
                fieldwriter.add(docnum, weight, value,
                                byte_to_length(table[docnum]) if table else 0)
            fieldwriter.finish_term()
        fieldwriter.finish_field()

    perdoc = SimpleNamespace(_indexer_length_bytes=lengths)  # _length_table's cache
    ours = files(lambda fieldwriter: whoosh_ext.blocks.write_terms(
        fieldwriter, schema, perdoc, iter(terms)))
    assert ours == files(term_by_term)
    assert b"drought" in ours[whoosh3.W3Codec.TERMS_EXT]
    with pytest.raises(ValueError, match="Keys must increase"):
        files(lambda fieldwriter: whoosh_ext.blocks.write_terms(
            fieldwriter, schema, perdoc, iter([terms[0], terms[0]])))


def test_sortable_columns_hold_what_stock_whoosh_writes() -> None:
    # a story's paragraphs repeat their sortable values: the last column value is reused
    from datetime import datetime

    from whoosh.fields import DATETIME, ID, NUMERIC, Schema
    from whoosh.filedb.filestore import RamStorage

    day, later = datetime(2026, 9, 1, 6, 30), datetime(2026, 9, 1, 6, 31)
    rows = [("a", day, 1), ("a", day, 1), ("a", datetime(2026, 9, 1, 6, 30), 1),
            ("b", later, 2), ("b", later, 2), ("a", day, 2), ("c", later, 3)]

    def columns() -> dict[str, list]:
        ix = RamStorage().create_index(Schema(
            story=ID(sortable=True), date=DATETIME(sortable=True),
            rank=NUMERIC(sortable=True)))
        writer = SegmentWriter(ix)
        for story, date, rank in rows:
            writer.add_document(story=story, date=date, rank=rank)
        writer.commit()
        with ix.reader() as reader:
            return {name: list(reader.column_reader(name)) for name in ("story", "date", "rank")}

    ours, stock = _ours_and_stock(columns)
    assert ours == stock
    assert ours["story"] == ["a", "a", "a", "b", "b", "a", "c"]
    assert ours["date"][3] == later and ours["rank"][-2:] == [2, 3]


@pytest.mark.slow  # the benchmarks' merge policy, not ingest's: CI's slow step
def test_whooshs_own_merge_policy_for_benchmarks_ingests_the_same_paragraphs(
        tmp_path: Path) -> None:
    # the "before tiered merging" run that bench_ingest.py --whoosh-merge-too compares with
    from indexer.crashcheck import make_wire_folder, paragraph_ids
    from indexer.ingest.run import WHOOSH_MERGE

    make_wire_folder(tmp_path / "wire", 600)
    counts = {}
    for label, merge in (("tiered", True), ("whoosh", WHOOSH_MERGE), ("none", False)):
        index = Index.create(str(tmp_path / label))
        index.ingest([str(tmp_path / "wire")], workers=2, batch_files=12, merge=merge)
        counts[label] = index.segment_count()
        index.close()
    assert paragraph_ids(tmp_path / "whoosh") == paragraph_ids(tmp_path / "tiered") \
        == paragraph_ids(tmp_path / "none")
    assert counts["whoosh"] < counts["none"]  # Whoosh's policy merged small segments


def test_a_merge_done_before_an_empty_last_batch_is_committed_before_another_begins(
        tmp_path: Path, monkeypatch) -> None:
    # a worker's merge that ends while the run collects a batch's segments is committed
    # at that commit, even when the batch wrote nothing (here: the run's last, empty
    # batch): left for later, its segments looked free, and a final merge took them again
    from indexer.crashcheck import make_wire_folder, paragraph_ids
    from indexer.ingest.workers import WorkerPool

    make_wire_folder(tmp_path / "wire", 240)
    original = WorkerPool.collect_segments

    def merges_first(self, asked):
        self.wait_merges()  # as when the merge's message comes before the segments
        return original(self, asked)

    monkeypatch.setattr(WorkerPool, "collect_segments", merges_first)
    index = Index.create(str(tmp_path / "index"))
    report = index.ingest([str(tmp_path / "wire")], workers=2, batch_files=12)
    assert report.merges >= 2  # 240 files, 12 a batch: the last batch is empty
    plain = Index.create(str(tmp_path / "plain"))
    plain.ingest([str(tmp_path / "wire")], workers=2, batch_files=12, merge=False)
    assert paragraph_ids(tmp_path / "index") == paragraph_ids(tmp_path / "plain")


def test_a_worker_set_to_merge_first_hands_back_the_segment_of_the_files_it_holds(
        tmp_path: Path) -> None:
    # with a batch's files still out (the run hands out the next batch's while the last
    # is committed), a worker may be set to merge: the segment of the files it was handed
    # belongs to their batch, and must not wait for the merge, nor be left out
    from indexer.crashcheck import make_wire_folder
    from indexer.ingest.process import RULES, FileJob
    from indexer.ingest.workers import WorkerPool

    make_wire_folder(tmp_path / "old", 4)
    index = Index.create(str(tmp_path / "index"))
    report = index.ingest([str(tmp_path / "old")], batch_files=1, merge=False)
    group = index.whoosh_index._segments()
    assert len(group) == report.commits + 1 == 5  # and the meta record's
    new = tmp_path / "new"
    new.mkdir()
    jobs = []
    for number in range(2):
        path = new / f"late-{number}.txt"
        path.write_text(story_text(headline=f"Late {number}", lead="Officials said so.",
                                   paragraphs=("A second paragraph.",)), encoding="utf-8")
        jobs.append(FileJob(str(path), str(new), str(path), path.stat().st_size,
                            path.stat().st_mtime_ns, None))
    pool = WorkerPool(index.whoosh_index, "auto", RULES, 2, 64)
    try:
        for job in jobs:
            pool.submit(job)  # one to each worker: the least loaded
        assert pool.in_flight == 2 and pool.start_merge(group)
        outcomes = [pool.next_outcome() for _ in jobs]
        segments = pool.collect_segments(pool.send_finish())  # the other worker is asked
        pool.wait_merges()
        merges = pool.finished_merges()
    finally:
        pool.close()
    assert [outcome.status for outcome in outcomes] == ["parsed", "parsed"]
    assert len(segments) == 2
    assert sum(segment.doc_count_all() for segment in segments) \
        == sum(outcome.documents for outcome in outcomes)
    assert len(merges) == 1
    assert merges[0].segment.doc_count_all() == sum(s.doc_count_all() for s in group)


def test_a_commit_beside_working_workers_still_deletes_the_segments_it_merged_away(
        tmp_path: Path) -> None:
    # the run commits while workers write the next batch: their files, not yet listed,
    # stay; the files of the segments the commit drops (merged into another) go now, not
    # at the end of the run
    from functools import partial

    index = Index.create(str(tmp_path / "index"))
    index.ingest([str(CORPUS)], batch_files=1, merge=False)
    ix = index.whoosh_index
    group = ix._segments()[:3]
    worker = ix.segment_writer(_lk=False)
    storage.merge_into(worker, group)
    merged = worker._finalize_segment()
    folder = tmp_path / "index"
    writing = folder / "MAIN_beingwritten.seg"  # a worker's segment, not listed yet
    writing.write_bytes(b"")
    tocs_before = {name for name in os.listdir(folder) if name.endswith(".toc")}
    expected = storage.live_documents(ix)
    writer = storage.new_writer(ix)
    writer.keep_unlisted_files()
    storage.commit_verified(ix, writer, expected, segments=[merged],
                            mergetype=partial(storage.drop_group, group=group))
    names = set(os.listdir(folder))
    assert not any(name.startswith(segment.segment_id()) for name in names
                   for segment in group)
    assert f"{merged.segment_id()}.seg" in names and writing.name in names
    tocs = {name for name in names if name.endswith(".toc")}
    assert len(tocs) == 1 and not tocs & tocs_before
    assert Index.open(str(folder)).check() == []
