"""Ingest: incremental, idempotent, replacing, pruning, rejecting, locking, crash-safe."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import CORPUS, story_text

from indexer import Index
from indexer.errors import IndexLockedError, WireFormatError
from indexer.ingest import ledger, process
from indexer.ingest import run as ingest
from indexer.ingest import walk as walk_module
from indexer.ingest.ledger import ingest_lock, read_ledger


@pytest.fixture(params=[1, 2, "split"], ids=["in-process", "2-workers", "2-workers-split"])
def workers(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Each file read in the run's process, or by worker processes (indexer.ingest.workers), or
    by both workers, each indexing a share of its stories (as a large file is read)."""
    if request.param == "split":
        monkeypatch.setattr(ingest, "SPLIT_BYTES", 0)
        return 2
    return request.param


def paragraph_ids(index: Index) -> list[str]:
    with index.whoosh_index.searcher() as searcher:
        return sorted(d["id"] for d in searcher.documents(kind="paragraph"))


def toc_generation(index_dir: Path) -> list[str]:
    return sorted(name for name in os.listdir(index_dir) if name.endswith(".toc"))


def test_ingest_corpus_indexes_every_story(corpus_copy: Path, index_dir: Path,
                                           workers: int) -> None:
    index = Index.create(str(index_dir))
    report = index.ingest([str(corpus_copy)], workers=workers)
    files = list(corpus_copy.rglob("*.txt"))
    assert len(files) >= 12
    assert (report.files_seen, report.added, report.rejected) == (len(files), len(files), 0)
    assert report.paragraphs == index.paragraph_count() > len(files)
    story = index.story("world/aleppo-truce")
    assert story is not None and story.dateline.city == "Beirut"
    assert story.source == str((corpus_copy / "world/aleppo-truce.txt").resolve())


def test_second_run_adds_nothing_and_rewrites_nothing(corpus_copy: Path, index_dir: Path,
                                                      workers: int) -> None:
    index = Index.create(str(index_dir))
    index.ingest([str(corpus_copy)], workers=workers)
    before_files = {p.name: p.stat().st_mtime_ns for p in index_dir.iterdir()
                    if p.suffix in (".toc", ".seg")}
    before_ids = paragraph_ids(index)
    report = index.ingest([str(corpus_copy)], workers=workers)
    assert (report.added, report.updated, report.unchanged) == (0, 0, report.files_seen)
    assert report.commits == 0
    after_files = {p.name: p.stat().st_mtime_ns for p in index_dir.iterdir()
                   if p.suffix in (".toc", ".seg")}
    assert after_files == before_files
    assert paragraph_ids(index) == before_ids


def test_changed_file_replaces_its_story(corpus_copy: Path, index_dir: Path, workers: int) -> None:
    index = Index.create(str(index_dir))
    index.ingest([str(corpus_copy)], workers=workers)
    target = corpus_copy / "world/tokyo-quake.txt"
    target.write_text(story_text(city="TOKYO", headline="Aftershock rattles Tokyo",
                                 lead="A strong aftershock hit.", paragraphs=("Trains halted.",)))
    report = index.ingest([str(corpus_copy)], workers=workers)
    assert (report.updated, report.added, report.paragraphs) == (1, 0, 2)
    assert report.paragraphs_removed == 5
    story = index.story("world/tokyo-quake")
    assert story.headline == "Aftershock rattles Tokyo"
    assert story.paragraphs == ["A strong aftershock hit.", "Trains halted."]
    assert [i for i in paragraph_ids(index) if i.startswith("world/tokyo-quake#")] == [
        "world/tokyo-quake#1", "world/tokyo-quake#2"]


def test_touched_but_unchanged_file_is_not_reindexed(corpus_copy: Path, index_dir: Path,
                                                     workers: int) -> None:
    index = Index.create(str(index_dir))
    index.ingest([str(corpus_copy)], workers=workers)
    target = corpus_copy / "us/chicago-heat.txt"
    os.utime(target, (time.time() + 10, time.time() + 10))
    report = index.ingest([str(corpus_copy)], workers=workers)
    assert (report.updated, report.unchanged, report.paragraphs) == (0, report.files_seen, 0)
    again = index.ingest([str(corpus_copy)], workers=workers)
    assert again.commits == 0  # the refreshed ledger lets stat alone decide next time


def test_prune_removes_stories_whose_files_are_gone(corpus_copy: Path, index_dir: Path,
                                                    workers: int) -> None:
    index = Index.create(str(index_dir))
    index.ingest([str(corpus_copy)], workers=workers)
    (corpus_copy / "sports/chicago-baseball.txt").unlink()
    kept = index.ingest([str(corpus_copy)], workers=workers)
    assert kept.pruned == 0 and index.story("sports/chicago-baseball") is not None
    report = index.ingest([str(corpus_copy)], prune=True, workers=workers)
    assert report.pruned == 1 and report.paragraphs_removed == 4
    assert index.story("sports/chicago-baseball") is None
    assert str((corpus_copy / "sports/chicago-baseball.txt").resolve()) not in read_ledger(
        index.whoosh_index)


def test_bad_files_are_reported_and_the_batch_goes_on(tmp_path: Path, index_dir: Path,
                                                      workers: int) -> None:
    folder = tmp_path / "wire"
    folder.mkdir()
    (folder / "good.txt").write_text(story_text(lead="Good story."))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "junk.bin").write_bytes(bytes(range(256)) * 8)
    (folder / "nodateline.txt").write_text("A memo.\n\nNo dateline here.\n")
    unreadable = folder / "locked.txt"
    unreadable.write_text(story_text())
    unreadable.chmod(0)
    index = Index.create(str(index_dir))
    report = index.ingest([str(folder), str(tmp_path / "missing.txt")], workers=workers)
    reasons = {Path(e.path).name: e.reason for e in report.errors}
    assert report.added == (2 if os.geteuid() == 0 else 1)  # root reads mode-0 files
    assert reasons["empty.txt"] == "empty file"
    assert "binary" in reasons["junk.bin"]
    assert "no dateline" in reasons["nodateline.txt"]
    assert "unreadable" in reasons["missing.txt"]
    if os.geteuid() != 0:
        assert "unreadable" in reasons["locked.txt"]
    assert not report.ok
    assert index.story("good") is not None


def test_a_file_that_turns_bad_keeps_its_last_good_version(tmp_path: Path,
                                                           index_dir: Path, workers: int) -> None:
    folder = tmp_path / "wire"
    folder.mkdir()
    story = folder / "story.txt"
    story.write_text(story_text(lead="First version."))
    index = Index.create(str(index_dir))
    index.ingest([str(folder)], workers=workers)
    story.write_bytes(b"\x00" * 100)
    report = index.ingest([str(folder)], workers=workers)
    assert report.rejected == 1
    assert index.story("story").paragraphs == ["First version."]


def test_second_concurrent_ingest_is_refused(corpus_copy: Path, index_dir: Path) -> None:
    index = Index.create(str(index_dir))
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time\nfrom indexer.ingest.ledger import ingest_lock\n"
         f"with ingest_lock({str(index_dir)!r}):\n    print('held', flush=True)\n"
         "    time.sleep(30)\n"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(IndexLockedError, match="another ingest"):
            index.ingest([str(corpus_copy)])
    finally:
        holder.kill()
        holder.wait()
    # the holder died without releasing anything by hand: the lock is free again
    assert index.ingest([str(corpus_copy)]).added > 0


def test_lock_is_released_when_the_holder_exits(index_dir: Path) -> None:
    with ingest_lock(str(index_dir)):
        pass
    with ingest_lock(str(index_dir)):
        pass


@pytest.mark.parametrize("enabled", [True, False], ids=["gc-on", "gc-off"])
def test_a_run_pauses_the_garbage_collector_and_collects_each_batch(
        corpus_copy: Path, index_dir: Path, enabled: bool) -> None:
    # a committed batch's writer is cyclic garbage: collected at once, not left behind
    index = Index.create(str(index_dir))
    collector_on_during_run = []
    gc.enable() if enabled else gc.disable()
    try:
        gc.collect()
        report = index.ingest([str(corpus_copy)], batch_files=5,
                              on_file=lambda path: collector_on_during_run.append(gc.isenabled()))
        assert gc.isenabled() is enabled  # as the caller had it
        left_behind = gc.collect()
    finally:
        gc.enable()
    assert report.commits >= 3 and len(collector_on_during_run) == report.files_seen
    assert not any(collector_on_during_run)
    assert left_behind < 100


def test_ingest_a_single_file_uses_its_stem_as_story_id(index_dir: Path) -> None:
    index = Index.create(str(index_dir))
    report = index.ingest([str(CORPUS / "world/geneva-talks.txt")])
    assert report.added == 1
    assert index.story("geneva-talks") is not None


def test_a_failing_worker_abandons_the_batch_and_the_next_run_completes(
        corpus_copy: Path, index_dir: Path, monkeypatch) -> None:
    from indexer.errors import WorkerError

    index = Index.create(str(index_dir))
    original = process.process_file

    def failing(job, fmt, add, people):
        if job.path.endswith("tokyo-quake.txt"):
            raise MemoryError("simulated")
        return original(job, fmt, add, people)

    monkeypatch.setattr(process, "process_file", failing)
    with pytest.raises(WorkerError, match="tokyo-quake.txt: MemoryError: simulated"):
        index.ingest([str(corpus_copy)], workers=2)
    assert index.paragraph_count() == 0 and index.check() == []
    monkeypatch.setattr(process, "process_file", original)
    report = index.ingest([str(corpus_copy)], workers=2)
    assert report.added == report.files_seen and index.check() == []
    assert index.story("world/tokyo-quake") is not None


def test_walk_resolves_each_file_as_path_resolve_does(tmp_path: Path) -> None:
    from indexer.ingest.walk import walk_sources

    real = tmp_path / "real"
    (real / "b").mkdir(parents=True)
    (real / "c").mkdir()
    for name in ("b/x.txt", "y.txt", "c/z.txt", ".hidden", "b/.also-hidden"):
        (real / name).write_text(name)
    os.symlink(real / "y.txt", real / "b/link.txt")  # a file linked to: its target
    os.symlink(real / "b", real / "folder-link")  # a folder linked to: not entered
    os.symlink(real, tmp_path / "root-link")  # a root given through a link
    for given in ([str(real)], [str(tmp_path / "root-link")],
                  [str(real / "y.txt"), str(tmp_path / "missing.txt")]):
        found = list(walk_sources(given))
        assert [(path, root, str(path.resolve())) for path, root, _ in found] == found
    assert [path.name for path, _, _ in walk_sources([str(real)])] == [
        "y.txt", "link.txt", "x.txt", "z.txt"]


def test_a_worker_that_dies_abandons_the_batch(corpus_copy: Path, index_dir: Path,
                                               monkeypatch) -> None:
    from indexer.errors import WorkerError

    index = Index.create(str(index_dir))
    original = process.process_file

    def dying(job, fmt, add, people):
        if job.path.endswith("tokyo-quake.txt"):
            os._exit(3)  # as the kernel's OOM killer or a crash in C would end it
        return original(job, fmt, add, people)

    monkeypatch.setattr(process, "process_file", dying)
    with pytest.raises(WorkerError, match=r"indexer-worker-\d died \(exit code 3\)"):
        index.ingest([str(corpus_copy)], workers=2)
    assert index.paragraph_count() == 0 and index.check() == []
    monkeypatch.setattr(process, "process_file", original)
    assert index.ingest([str(corpus_copy)], workers=2).ok


def _day_file(wire: Path) -> None:
    """A TREC file of 40 stories, each its own DOCNO and words, and a broken record, and
    a small AP text file beside it."""
    gzipped = Path(__file__).parent / "fixtures" / "formats" / "trec-ap.gz"
    import gzip

    one_doc = gzip.decompress(gzipped.read_bytes()).decode()
    docs = one_doc.split("</DOC>")[0] + "</DOC>\n"
    wire.mkdir()
    records = [docs.replace("AP900312-0001", f"AP900312-{n:04d}").replace(
        "Ferry", f"Ferry{n}") for n in range(1, 41)]
    records.insert(7, "<DOC>\n<TEXT>no docno</TEXT>\n</DOC>\n")
    (wire / "day.sgml").write_text("".join(records))
    (wire / "small.txt").write_text(story_text(lead="Glaciers retreat."))


def _stored(path: Path) -> tuple[list, list]:
    """An index's paragraphs (id, body, people) and ledger records (source, stories)."""
    with Index.open(str(path)).whoosh_index.searcher() as searcher:
        paragraphs = sorted((d["id"], d["body"], d["people"])
                            for d in searcher.documents(kind="paragraph"))
        files = sorted((d["source"], tuple(d["stories"]))
                       for d in searcher.documents(kind="file"))
    return paragraphs, files


def test_a_file_shared_among_workers_gives_the_index_one_worker_gives(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wire = tmp_path / "wire"
    _day_file(wire)
    monkeypatch.setattr(ingest, "SPLIT_BYTES", 4096)
    reports = {}
    for workers in (1, 2):
        path = tmp_path / f"ix{workers}"
        rejected: list = []
        report = Index.create(str(path)).ingest([str(wire)], workers=workers,
                                                on_reject=rejected.append)
        reports[workers] = ((report.added, report.stories, report.paragraphs,
                             report.rejected), [r.reason for r in rejected])
    assert reports[2] == reports[1]
    assert reports[1][0][:2] == (2, 41)
    assert _stored(tmp_path / "ix2") == _stored(tmp_path / "ix1")
    assert Index.open(str(tmp_path / "ix2")).check() == []
    with Index.open(str(tmp_path / "ix2")).whoosh_index.searcher() as searcher:
        (day,) = {d["source"] for d in searcher.documents(kind="file")
                  if d["source"].endswith("day.sgml")}
        holding = [sorted({d["story_id"] for d in leaf.reader().all_stored_fields()
                           if d.get("source") == day and d["kind"] == "paragraph"})
                   for leaf, _ in searcher.leaf_searchers()]
    # each worker parsed and indexed its own records, alternately: part 0 the 21 records
    # numbered 0, 2, ... 40, part 1 the other 20 less the broken one (number 7)
    numbers = sorted([int(story_id[-4:]) for story_id in stories] for stories in holding
                     if stories)
    assert numbers == [[1, 3, 5, 7, 8, 10, *range(12, 41, 2)],
                       [2, 4, 6, *range(9, 41, 2)]]


@pytest.mark.parametrize("change", ["rewritten", "gone"])
def test_a_shared_file_changed_after_the_run_read_it_is_indexed_as_the_run_read_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str) -> None:
    # each worker reads a large file's share itself and checks it against the run's hash;
    # a share that finds other bytes (or none) is given the run's, so no share indexes
    # another version of the file
    wire = tmp_path / "wire"
    _day_file(wire)
    monkeypatch.setattr(ingest, "SPLIT_BYTES", 4096)
    rejected: dict[str, list[str]] = {"one": [], "two": []}
    one = Index.create(str(tmp_path / "one")).ingest(
        [str(wire)], on_reject=lambda r: rejected["one"].append(r.reason))
    run, read = os.getpid(), process.read_wire_file

    def changed(path: str) -> bytes:
        if os.getpid() == run or not path.endswith("day.sgml"):
            return read(path)
        (tmp_path / f"read-by-{os.getpid()}").touch()  # a worker read the file itself
        if change == "gone":
            raise WireFormatError(f"cannot read {path}")
        return read(path).replace(b"Ferry", b"Barge")

    monkeypatch.setattr(process, "read_wire_file", changed)
    two = Index.create(str(tmp_path / "two")).ingest(
        [str(wire)], workers=2, on_reject=lambda r: rejected["two"].append(r.reason))
    assert list(tmp_path.glob("read-by-*"))
    assert (two.added, two.stories, two.paragraphs) == (one.added, one.stories, one.paragraphs)
    assert one.stories == 41 and rejected["two"] == rejected["one"]
    assert _stored(tmp_path / "two") == _stored(tmp_path / "one")
    assert not any("Barge" in body for _, body, _ in _stored(tmp_path / "two")[0])


def _eight_files(wire: Path, padded: tuple[int, ...] = ()) -> Path:
    """Eight files of five stories each (day1.sgml ...), those numbered in `padded`
    followed by 200,000 blank lines."""
    _day_file(wire)
    (wire / "small.txt").unlink()
    day = (wire / "day.sgml").read_text()
    for n in range(1, 9):
        records = day.split("</DOC>\n")[n * 5:n * 5 + 5]
        padding = "\n" * 200_000 if n in padded else ""
        (wire / f"day{n}.sgml").write_text("".join(r + "</DOC>\n" for r in records) + padding)
    (wire / "day.sgml").unlink()
    return wire


def test_a_worker_begins_a_new_segment_rather_than_overflow_its_posting_pool(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # an overflowing pool writes sorted runs to disk and merges them back; a worker
    # whose pool is nearly full finishes its segment before the next story and begins
    # another. A file's bytes are no guide to its postings: two files here are mostly
    # blank lines, and the file after them has as many postings in far fewer bytes
    from indexer.ingest.workers import _SegmentOfBatch

    wire = _eight_files(tmp_path / "wire", padded=(3, 4))
    spilled = _counted_spills(monkeypatch)
    ix = Index.create(str(tmp_path / "ix")).whoosh_index
    batch = _SegmentOfBatch(ix, limitmb=0.25)  # each file takes about 100 kB of pool
    documents = 0
    for path in sorted(wire.iterdir()):
        job = process.FileJob(str(path), str(wire), str(path), path.stat().st_size,
                             path.stat().st_mtime_ns, None)
        outcome = batch.file(job, "auto", process.RULES)
        assert outcome.status == "parsed"
        documents += outcome.documents
    segments = batch.finish()
    assert spilled == []
    assert 3 <= len(segments) <= 8
    assert sum(segment.doc_count_all() for segment in segments) == documents


def test_without_workers_a_batch_ends_before_a_file_that_would_overflow_the_pool(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the run's own writer ends its batch between files (a file's ledger record lands in
    # the commit of its paragraphs) when the pool bytes a byte of the batch's files took
    # say the next file would leave less than an eighth of the pool free
    wire = _eight_files(tmp_path / "wire")
    roomy = Index.create(str(tmp_path / "roomy")).ingest([str(wire)])
    assert roomy.commits == 1
    spilled = _counted_spills(monkeypatch)
    made = ingest.new_writer
    # each file takes about 100 kB of pool
    monkeypatch.setattr(ingest, "new_writer", lambda ix, **_: made(ix, limitmb=0.25))
    index = Index.create(str(tmp_path / "ix"))
    report = index.ingest([str(wire)])
    assert spilled == [] and report.pool_spills == 0
    assert 3 <= report.commits <= 8
    assert roomy.added == 8 and roomy.paragraphs > 40
    assert (report.added, report.paragraphs) == (roomy.added, roomy.paragraphs)
    assert _stored(tmp_path / "ix") == _stored(tmp_path / "roomy")


def _counted_spills(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The postings of each run a posting pool saves to disk from now on, as this
    process counts them (a worker counts its own in its forked copy)."""
    from indexer.store import whoosh_ext

    spilled: list[int] = []
    save = whoosh_ext.FastPostingPool.save
    monkeypatch.setattr(whoosh_ext.FastPostingPool, "save",
                        lambda pool: spilled.append(len(pool.current)) or save(pool))
    return spilled


def _spilling_pools(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Posting pools of a few kB, which every story overflows; the spills counted."""
    from indexer.ingest.workers import _SegmentOfBatch

    spilled = _counted_spills(monkeypatch)
    made = ingest.new_writer
    monkeypatch.setattr(ingest, "new_writer", lambda ix, **_: made(ix, limitmb=0.004))
    batch_init = _SegmentOfBatch.__init__
    monkeypatch.setattr(_SegmentOfBatch, "__init__",
                        lambda self, ix, limitmb: batch_init(self, ix, 0.004))
    return spilled


@pytest.mark.parametrize("workers", [1, 2])
def test_a_run_reports_the_posting_pools_that_spilled(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int) -> None:
    # a spill writes all the pool holds to disk and reads it back: slow, and invisible
    # in a run's figures unless counted
    wire = tmp_path / "wire"
    _day_file(wire)
    index = Index.create(str(tmp_path / "quiet"))
    quiet = index.ingest([str(wire)], workers=workers)
    assert quiet.pool_spills == 0
    spilled = _spilling_pools(monkeypatch)
    index = Index.create(str(tmp_path / "ix"))
    report = index.ingest([str(wire)], workers=workers)
    assert report.pool_spills > 0
    if workers == 1:  # the run's own writers, in this process, one a commit: a pool that
        # spilled saves once more when its segment is written (what it still holds, as a
        # last run). Whether the two files share a commit turns on where the pool last
        # spilled, so on the bytes of their paths (the test's folder): not asserted.
        assert len(spilled) == report.pool_spills + report.commits
    assert report.paragraphs == quiet.paragraphs
    assert index.stats()["paragraphs"] == report.paragraphs
    assert report.to_dict()["pool_spills"] == report.pool_spills


def test_the_walk_read_ahead_knows_the_new_bytes_left_once_it_has_seen_the_end(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wire = tmp_path / "wire"
    wire.mkdir()
    for name, size in (("a", 300), ("b", 500), ("c", 700)):
        (wire / f"{name}.txt").write_bytes(b"x" * size)
    stat = (wire / "a.txt").stat()  # unchanged since its ledger record: nothing to read
    records = {os.path.realpath(wire / "a.txt"): ledger.FileRecord(stat.st_size,
                                                                   stat.st_mtime_ns, "", ())}
    walked = list(walk_module.walk_sources([str(wire)]))
    new = {"a": 0, "b": 500, "c": 700}
    left = [new[path.stem] for path, _, _ in walked]
    ahead = walk_module.Lookahead(iter(walked), records)
    assert ahead.remaining() is None  # nothing walked yet
    for number, entry in enumerate(walked):
        assert next(ahead) == entry
        assert ahead.remaining() == sum(left[number + 1:])
    assert list(ahead) == []
    # a walk longer than the read-ahead: unknown until its end is in sight
    monkeypatch.setattr(walk_module, "LOOKAHEAD_FILES", 1)
    ahead = walk_module.Lookahead(iter(walked), {})
    assert next(ahead) == walked[0] and ahead.remaining() is None
    assert next(ahead) == walked[1] and ahead.remaining() is None
    assert next(ahead) == walked[2] and ahead.remaining() is None
    assert list(ahead) == [] and ahead.remaining() == 0


class _Segment:
    def __init__(self, documents: int) -> None:
        self.documents = documents

    def doc_count(self) -> int:
        return self.documents


class _Pool:
    merging: list = []


@pytest.mark.parametrize("left_bytes, merged, waits", [
    # bytes left to read at 200 a paragraph, against documents merged at MERGE_COST 0.2
    (1_000_000, 8_000, False),  # 5,000 paragraphs outlast 1,600
    (100_000, 8_000, True),  # 500 do not
    (100_000, 2_000, False),  # but outlast 400
    (None, 800_000, False),  # the end of the walk not in sight: merged now
])
def test_a_merge_that_would_outlast_the_reading_left_waits_for_the_end_of_the_run(
        index_dir: Path, left_bytes: int | None, merged: int, waits: bool) -> None:
    index = Index.create(str(index_dir))
    run = ingest.IngestRun(index.whoosh_index, workers=2)
    run._pool = _Pool()  # type: ignore[assignment]
    run._bytes_read, run._paragraphs_read = 200_000, 1000  # 200 bytes a paragraph
    walked = [] if left_bytes is None else [(index_dir, index_dir, "f")]
    run._ahead = walk_module.Lookahead(iter(walked), {})
    if left_bytes is None:
        run._ahead._ended = False
    else:
        run._ahead._bytes, run._ahead._ended = left_bytes, True
    group = [_Segment(merged // 8) for _ in range(8)]
    assert run._outlasts_reading(group) is waits


@pytest.mark.parametrize("workers", [1, 2])
def test_a_batch_holds_its_paragraphs_for_each_writer(tmp_path: Path, workers: int) -> None:
    # with workers a batch's paragraphs are shared among them, each writing a segment of
    # its share: the batch holds batch_paragraphs for each, so that a worker's segments
    # are as large as one writer's (small ones are merged again, and sooner)
    wire = _eight_files(tmp_path / "wire")
    whole = Index.create(str(tmp_path / "whole")).ingest([str(wire)])
    index = Index.create(str(tmp_path / "ix"))
    with ledger.ingest_lock(index.path):
        run = ingest.IngestRun(index.whoosh_index, workers=workers, merge=False,
                               batch_paragraphs=whole.paragraphs * 2 // 3)
        report = run.run([str(wire)])
    assert report.paragraphs == whole.paragraphs
    # one writer: the batch ends at two thirds of the files; two: each writes a third
    assert report.commits == (2 if workers == 1 else 1)
