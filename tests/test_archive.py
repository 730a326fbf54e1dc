"""An archive of time shards (`indexer ingest --shard-by`): each shard a plain index,
all of them searched as one index holding the same stories would be."""

from __future__ import annotations

import gzip
import json
import math
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CORPUS
from whoosh.query import Term

from indexer import Index
from indexer import archive as archive_module
from indexer.cli import main
from indexer.errors import IndexNotFoundError
from indexer.index import ArchiveIndex

FORMATS = Path(__file__).parent / "fixtures" / "formats"
QUAKE = "urn:newsml:example.org:20260920:quake-lima"


def quake(folder: Path, version: str, date: str | None = None) -> Path:
    """A NewsML-G2 version of the quake story, moved to another date if asked (another
    month: another shard)."""
    name = {"1": "newsml-g2-v1.xml", "2": "newsml-g2-v2.xml", "3": "newsml-g2-v3-kill.xml"}
    text = (FORMATS / name[version]).read_text()
    if date:
        text = text.replace("2026-09-20", date)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name[version]
    target.write_text(text)
    return target


def two_month_trec(folder: Path) -> Path:
    """A TREC file of four AP records, two in March 1990 and two in April (the date of
    a record without a date element is its DOCNO's)."""
    text = gzip.decompress((FORMATS / "trec-ap.gz").read_bytes()).decode()
    record = text[text.index("<DOC>"):text.index("</DOC>") + len("</DOC>")]
    records = [record.replace("AP900312-0001", docno).replace("Ferry", f"Ferry{n}")
               for n, docno in enumerate(["AP900312-0101", "AP900415-0102",
                                          "AP900313-0103", "AP900416-0104"])]
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "two-months.sgml"
    target.write_text("\n".join(records) + "\n")
    return target


@pytest.fixture
def wire(tmp_path: Path) -> Path:
    """The bundled corpus (four months), a story in two versions a month apart, and a
    file whose stories fall in two months."""
    folder = tmp_path / "wire"
    shutil.copytree(CORPUS, folder / "corpus")
    quake(folder / "quake", "1")
    quake(folder / "quake", "2", "2026-10-02")
    two_month_trec(folder / "trec")
    shutil.copy(FORMATS / "reuters.sgm", folder / "reuters.sgm")
    return folder


def ranked(index: Index, query: str, **options) -> list[tuple]:
    """(story, version, paragraph, score) down the ranking; hits of exactly equal score
    (two stories of the same text) in story order, as ties fall to the document order,
    which an archive's shards and one index do not share."""
    hits = [(h.story_id, h.version, h.paragraph, h.score)
            for h in index.search(query, limit=50, **options)]
    if options.get("sort", "relevance") != "relevance":
        return hits
    tied: dict[float, list[tuple]] = {}
    for hit in hits:
        tied.setdefault(hit[3], []).append(hit)
    return [hit for score in tied for hit in sorted(tied[score])]


def same(ours: list[tuple], theirs: list[tuple], rel_tol: float = 1e-12) -> bool:
    return len(ours) == len(theirs) and all(
        a[:3] == b[:3] and math.isclose(a[3], b[3], rel_tol=rel_tol)
        for a, b in zip(ours, theirs, strict=True))


@pytest.mark.parametrize("versions", [False, True])
def test_an_archive_ranks_as_one_index_holding_the_same_stories(tmp_path: Path, wire: Path,
                                                                 versions: bool) -> None:
    if not versions:
        (wire / "quake" / "newsml-g2-v1.xml").unlink()
    one = Index.create(str(tmp_path / "one"))
    single = one.ingest([str(wire)])
    archive = Index.create(str(tmp_path / "archive"), shard_by="month")
    report = archive.ingest([str(wire)], workers=2)
    # the Reuters sample's record without text, said once though two shards read the file
    assert [str(r) for r in report.errors] == [str(r) for r in single.errors] and \
        len(single.errors) == 1
    assert (report.added, report.stories, report.paragraphs) == (
        single.added, single.stories, single.paragraphs)
    archive = Index.open(str(tmp_path / "archive"))
    assert isinstance(archive, ArchiveIndex)
    # Without versions: exactly the same scores, though only the archive is merged
    # (merges keep the exact field-length totals: whoosh_ext.merge.copy_documents). With
    # versions, the single index deleted the older version's paragraphs to add them again
    # marked superseded (each shard holds one version: it did not), and Whoosh counts
    # deleted documents until a merge drops them: both merged, the totals then differ by
    # the deleted paragraphs' lengths, known only from their one-byte encoding.
    archive.optimize()
    if versions:
        one.optimize()
    tolerance = 1e-4 if versions else 1e-12  # here: one body token in 1,560
    shards = archive.shard_names()
    assert {"1990-03", "1990-04", "2026-09", "2026-10"} <= set(shards) and len(shards) >= 6
    cases = [("earthquake Lima", {}), ("ferry OR sank", {}), ("minister talks", {}),
             ("ferry1 OR ferry2", {"since": "1990-04-01"}), ("quake", {"all_versions": True}),
             ("talks", {"sort": "newest"}), ("government", {"feedback": True}),
             ("police", {"tag": "test"}), ("election", {"per_story": 1}),
             ("ferry1 OR ferry3 OR quake", {"since": "1990-03", "until": "1990-03"}),
             ("quake OR government", {"since": "2026-09", "until": "2026-09"}),
             ("quake", {"since": "2026-09-15", "until": "2026-10-31", "all_versions": True})]
    found = 0
    for query, options in cases:
        ours, theirs = ranked(archive, query, **options), ranked(one, query, **options)
        assert same(ours, theirs, tolerance), (query, options, ours[:3], theirs[:3])
        found += len(ours)
    assert found > 30  # the queries find things: the comparison is not of empty lists
    # a date window reads the shards it overlaps only, with the archive's statistics
    from indexer.search.filters import date_window

    assert archive.search("ferry OR quake", since="2031-01") == []  # no shard that late
    assert archive.count("ferry OR quake", until="1980-12") == (0, 0)
    windowed = archive._store.searcher_for(date_window("1990-03", "1990-03"))
    assert len(windowed.reader().leaf_readers()) == 1  # 1990-03, optimized
    assert windowed.doc_frequency("kind", "paragraph") == \
        archive.searcher().doc_frequency("kind", "paragraph")
    either = "earthquake OR ferry0 OR ferry1"
    assert archive.count(either) == one.count(either) and one.count(either)[1] == 4
    stats, single = archive.stats(), one.stats()
    for figure in ("stories", "paragraphs", "files", "people", "tags", "first_date",
                   "last_date"):
        assert stats[figure] == single[figure], figure
    assert sum(s["stories"] for s in stats["shards"].values()) == stats["stories"] + versions
    assert archive.check() == [] and one.check() == []


def test_a_newer_version_in_another_shard_wins_and_a_kill_hides_it_everywhere(
        tmp_path: Path) -> None:
    wire = tmp_path / "wire"
    quake(wire, "1")  # September
    archive = Index.create(str(tmp_path / "archive"), shard_by="month")
    archive.ingest([str(wire)])
    assert archive.story(QUAKE).version == 1
    quake(wire, "2", "2026-10-02")
    archive.ingest([str(wire)])
    assert archive.shard_names() == ["2026-09", "2026-10"]
    assert {h.version for h in archive.search("quake OR earthquake", limit=20)} == {2}
    assert archive.story(QUAKE).version == 2
    # a window of September alone: the October version still wins
    assert archive.search("quake OR earthquake", since="2026-09", until="2026-09") == []
    older = archive.search("quake", since="2026-09", until="2026-09", all_versions=True)
    assert {(h.version, h.superseded) for h in older} == {(1, True)}
    kill = quake(wire, "3", "2026-11-05")
    archive.ingest([str(wire)])
    assert archive.search("quake OR earthquake") == []
    assert archive.story(QUAKE).superseded
    kill.unlink()
    report = archive.ingest([str(wire)], prune=True)
    assert report.pruned == 1
    assert {h.version for h in archive.search("quake OR earthquake", limit=20)} == {2}
    assert archive.check() == []


def test_each_shard_is_a_plain_index_that_stock_whoosh_opens(tmp_path: Path,
                                                             wire: Path) -> None:
    from whoosh.index import open_dir

    from indexer.store import whoosh_ext
    from indexer.store.schema import build_schema

    archive = Index.create(str(tmp_path / "archive"), shard_by="year")
    archive.ingest([str(wire)])
    assert isinstance(archive, ArchiveIndex)
    assert archive.shard_names() == ["1987", "1990", "2026"]
    manifest = json.loads((tmp_path / "archive" / "archive.json").read_text())
    assert manifest["shard_by"] == "year" and list(manifest["shards"]) == ["1987", "1990",
                                                                          "2026"]
    Index.create(str(tmp_path / "archive" / "shards" / "notes"))  # someone else's index
    assert archive.shard_names() == ["1987", "1990", "2026"]
    paragraphs = 0
    with whoosh_ext.stock_whoosh():
        for name in archive.shard_names():
            ix = open_dir(str(tmp_path / "archive" / "shards" / name))
            assert ix.schema.names() == build_schema().names()
            with ix.searcher() as searcher:
                dates = {d["date"].year for d in searcher.documents(kind="paragraph")}
                assert dates == {int(name)}
                found = len(searcher.search(Term("kind", "paragraph"), limit=None))
            assert manifest["shards"][name]["paragraphs"] == found
            paragraphs += found
    assert paragraphs == archive.paragraph_count()


def test_a_second_run_writes_nothing_and_a_changed_story_moves_shard(tmp_path: Path,
                                                                     wire: Path) -> None:
    archive = Index.create(str(tmp_path / "archive"), shard_by="month")
    first = archive.ingest([str(wire)])
    generations = {name: archive.shard(name).whoosh_index.latest_generation()
                   for name in archive.shard_names()}
    again = archive.ingest([str(wire)])
    assert (again.added, again.updated, again.commits, again.paragraphs) == (0, 0, 0, 0)
    assert again.unchanged == first.added
    assert {name: archive.shard(name).whoosh_index.latest_generation()
            for name in archive.shard_names()} == generations
    # touched, not changed: unchanged, its records refreshed so the next run skips it
    trec = wire / "trec" / "two-months.sgml"
    os.utime(trec, ns=(trec.stat().st_atime_ns, trec.stat().st_mtime_ns + 10**9))
    touched = archive.ingest([str(wire)])
    assert (touched.unchanged, touched.updated, touched.paragraphs) == (first.added, 0, 0)
    assert archive.ingest([str(wire)]).commits == 0
    # the October version of the quake moves to December: out of one shard, into another
    quake(wire / "quake", "2", "2026-12-01")
    moved = archive.ingest([str(wire)])
    assert (moved.updated, moved.added) == (1, 0)

    def live(name: str) -> int:  # documents of the story in a shard, deleted ones not
        return len(list(archive.shard(name).searcher().docs_for_query(Term("story_key",
                                                                           QUAKE))))

    # each version: its paragraphs and its story record
    assert (live("2026-09"), live("2026-10"), live("2026-12")) == (3, 0, 3)
    assert archive.story(QUAKE).version == 2
    hits = [h for h in archive.search("quake OR earthquake", limit=50) if h.story_id == QUAKE]
    assert {h.version for h in hits} == {2} and len(hits) == len({h.paragraph for h in hits})
    assert {h.date.month for h in hits} == {12}
    assert archive.check() == []


def test_a_run_stopped_between_two_shards_is_completed_by_the_next(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wire = tmp_path / "wire"
    two_month_trec(wire)
    clean = Index.create(str(tmp_path / "clean"), shard_by="month")
    clean.ingest([str(wire)])
    archive = Index.create(str(tmp_path / "archive"), shard_by="month")
    assert isinstance(archive, ArchiveIndex)
    real = archive_module.ingest_shard

    def stopped_at_april(path, shard_by, name, *args, **kwargs):
        if name == "1990-04":
            raise KeyboardInterrupt  # March is committed, April never starts
        return real(path, shard_by, name, *args, **kwargs)

    monkeypatch.setattr(archive_module, "ingest_shard", stopped_at_april)
    with pytest.raises(KeyboardInterrupt):
        archive.ingest([str(wire)])
    problems = archive.check()
    assert len(problems) == 1 and "not complete in the archive" in problems[0] \
        and "missing 1990-04" in problems[0]
    last_run = json.loads((tmp_path / "archive" / "last_run.json").read_text())
    assert last_run["outcome"] == "interrupted"
    monkeypatch.setattr(archive_module, "ingest_shard", real)
    report = Index.open(str(tmp_path / "archive")).ingest([str(wire)])
    assert (report.updated, report.paragraphs) == (1, 6)  # April's two stories only
    assert archive.check() == []

    def stored(index: Index) -> list:
        return sorted((d["story_id"], d["body"]) for d in
                      index.searcher().documents(kind="paragraph"))

    assert stored(archive) == stored(clean)
    assert same(ranked(archive, "ferry"), ranked(clean, "ferry"))


def test_the_cli_makes_an_archive_and_refuses_a_shard_it_cannot_take(tmp_path: Path,
                                                                     wire: Path) -> None:
    runner = CliRunner()
    archive = str(tmp_path / "archive")
    result = runner.invoke(main, ["ingest", "--shard-by", "month", "--index", archive,
                                  str(wire)])
    # the Reuters sample's record without text: exit 3, said once for two shards
    assert result.exit_code == 3, result.output
    assert result.output.count("rejected ") == 1 and "NEWID=90003" in result.output
    result = runner.invoke(main, ["ingest", "--index", archive, str(wire)])  # follows it
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "archive" / "last_run.json").read_text())["unchanged"] > 0
    result = runner.invoke(main, ["ingest", "--shard-by", "year", "--index", archive,
                                  str(wire)])
    assert result.exit_code == 2
    assert "an archive sharded by month, not by year" in result.output
    plain = str(tmp_path / "plain")
    assert runner.invoke(main, ["ingest", "--index", plain, str(wire)]).exit_code == 3
    result = runner.invoke(main, ["ingest", "--shard-by", "month", "--index", plain,
                                  str(wire)])
    assert result.exit_code == 2 and "not sharded" in result.output
    result = runner.invoke(main, ["query", "--index", archive, "--format", "json",
                                  "earthquake"])
    assert result.exit_code == 0
    assert QUAKE in {hit["story_id"] for hit in json.loads(result.output)}
    result = runner.invoke(main, ["stats", "--index", archive])
    assert result.exit_code == 0
    assert "shards      7 by month: 1987-03 .. 2026-10" in result.output
    result = runner.invoke(main, ["optimize", "--index", archive])
    assert result.exit_code == 0
    assert re.fullmatch(r"\d+ segments -> 7 in [\d.]+s\n", result.output)  # one a shard
    assert runner.invoke(main, ["check", "--index", archive]).exit_code == 0


@pytest.mark.slow  # a local Dask cluster started and stopped: CI's slow step
def test_shard_ingests_as_tasks_of_a_local_dask_cluster(tmp_path: Path, wire: Path) -> None:
    pytest.importorskip("dask.distributed")
    from indexer.ingest.walk import walk

    plain = Index.create(str(tmp_path / "plain"), shard_by="month")
    expected = plain.ingest([str(wire)])
    archive = Index.create(str(tmp_path / "archive"), shard_by="month")
    assert isinstance(archive, ArchiveIndex)
    rejected: list = []
    seen: list[str] = []
    report = archive.ingest([str(wire)], workers=2, scheduler="local",
                            on_reject=rejected.append, on_file=seen.append)
    assert sorted(seen) == sorted(str(p) for p, _ in walk([str(wire)]))
    assert [str(r) for r in rejected] == [str(r) for r in expected.errors]
    assert (report.added, report.stories, report.paragraphs) == (
        expected.added, expected.stories, expected.paragraphs)
    assert archive.shard_names() == plain.shard_names()

    def stored(index: Index) -> list:
        return sorted((d["story_id"], d["version"], d["body"]) for d in
                      index.searcher().documents(kind="paragraph"))

    assert stored(archive) == stored(plain)
    assert archive.check() == []
    again = archive.ingest([str(wire)], workers=2, scheduler="local")
    assert (again.unchanged, again.commits) == (expected.added, 0)


def test_an_unreachable_scheduler_is_one_clear_error(tmp_path: Path, wire: Path) -> None:
    pytest.importorskip("dask.distributed")
    archive = str(tmp_path / "archive")
    runner = CliRunner()
    result = runner.invoke(main, ["ingest", "--index", archive, "--shard-by", "year",
                                  "--scheduler", "tcp://127.0.0.1:9", str(wire)])  # no one
    assert result.exit_code == 6, result.output
    assert result.output.startswith("indexer: cannot reach the Dask scheduler at "
                                    "tcp://127.0.0.1:9")
    assert Index.open(archive).shard_names() == []  # nothing was written
    result = runner.invoke(main, ["query", "--index", archive, "--scheduler",
                                  "tcp://127.0.0.1:9", "aid"])
    assert result.exit_code == 6, result.output
    assert re.fullmatch(r"indexer: cannot reach the Dask scheduler at tcp://127\.0\.0\.1:9"
                        r"[^\n]*\n", result.output)
    result = runner.invoke(main, ["ingest", "--index", str(tmp_path / "plain"),
                                  "--scheduler", "local", str(wire)])
    assert result.exit_code == 2 and "make one with --shard-by" in result.output
    assert not (tmp_path / "plain").exists()  # refused before anything was made


def answers(hits: list) -> list[tuple]:
    return [(h.story_id, h.version, h.paragraph, h.score, h.superseded, h.text) for h in hits]


# with filters, versions, feedback off and on, paging, another sort
DASK_QUERIES = [("aid convoys cease-fire", {}), ("drought farmers", {"since": "2026-08"}),
                ("quake", {"all_versions": True}), ("talks", {"person": "Karim Nasrallah"}),
                ("rates inflation", {"feedback": False, "per_story": 1}),
                ("strike", {"sort": "newest", "limit": 3, "offset": 1})]


@pytest.mark.slow  # a local Dask cluster started and stopped: CI's slow step
def test_queries_on_dask_workers_answer_as_in_process_and_keep_the_index_open(
        tmp_path: Path, wire: Path) -> None:
    pytest.importorskip("dask.distributed")
    from indexer import cluster_queries as cluster_module
    from indexer.cluster_queries import ClusterQueries
    from indexer.errors import QueryError

    path = tmp_path / "archive"
    archive = Index.create(str(path), shard_by="month")
    archive.ingest([str(wire / "corpus")])
    with ClusterQueries(str(path), "local", workers=2) as cluster:
        for query, options in DASK_QUERIES:
            expected = answers(archive.search(query, **options))
            assert expected, query
            assert answers(cluster.search(query, **options)) == expected, query
        assert [answers(hits) for hits in cluster.search_many(DASK_QUERIES)] == \
            [answers(archive.search(query, **options)) for query, options in DASK_QUERIES]
        assert cluster.count("drought", since="2026-08") == \
            archive.count("drought", since="2026-08")
        assert cluster.facets("drought", ("people", "tags")) == \
            archive.facets("drought", ("people", "tags"))
        assert cluster.suggest("drougth farmrs") == archive.suggest("drougth farmrs")
        assert cluster.unmatched_filters(person="Nobody Atall") == \
            archive.unmatched_filters(person="Nobody Atall")
        # each worker keeps the index it opened: the same object answers the next queries
        opened = cluster._client.run(cluster_module._opened)
        assert {str(path)} == {p for kept in opened.values() for p in kept}
        cluster.search_many(DASK_QUERIES * 3)
        assert cluster._client.run(cluster_module._opened) == opened
        # and follows the index's new commits: a story ingested since is found
        archive.ingest([str(wire)])
        assert archive.shard_names() != []
        expected = answers(archive.search("quake", all_versions=True))
        assert answers(cluster.search("quake", all_versions=True)) == expected
        # an error of the query comes back as itself, from the worker
        with pytest.raises(QueryError, match="empty query"):
            cluster.search("  ")
        story = cluster.call("story", QUAKE)
        assert story is not None and story == archive.story(QUAKE)
        with pytest.raises(ValueError, match="'ingest' is not one of the reading methods"):
            cluster.call("ingest", [str(wire)])
    with ClusterQueries(str(tmp_path / "missing"), "local", workers=1) as cluster, \
            pytest.raises(IndexNotFoundError):
        cluster.search("aid")


@pytest.mark.slow  # a local Dask cluster started and stopped: CI's slow step
def test_indexer_query_answers_on_a_dask_scheduler_as_in_process(tmp_path: Path,
                                                                 wire: Path) -> None:
    pytest.importorskip("dask.distributed")
    archive = str(tmp_path / "archive")
    Index.create(archive, shard_by="month").ingest([str(wire)])
    runner = CliRunner()
    options = ["--index", archive, "--format", "json", "--facets", "people,tags", "--count",
               "--since", "2026-08"]
    here = runner.invoke(main, ["query", "drought farmers", *options])
    there = runner.invoke(main, ["query", "drought farmers", "--scheduler", "local", *options])
    assert here.exit_code == there.exit_code == 0, there.output
    drop_seconds = re.compile(r'"seconds": [\d.]+')
    assert drop_seconds.sub("", there.stdout) == drop_seconds.sub("", here.stdout)
    assert json.loads(here.stdout)["hits"]
    missing = runner.invoke(main, ["query", "aid", "--index", str(tmp_path / "none"),
                                   "--scheduler", "local"])
    assert missing.exit_code == 5, missing.output
    assert missing.output.startswith("indexer: no index at ")


@pytest.mark.slow  # a local Dask cluster started and stopped: CI's slow step
def test_a_query_whose_dask_worker_dies_is_answered_by_another_or_fails_clearly(
        tmp_path: Path, wire: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("dask.distributed")
    import dask
    import dask.distributed

    from indexer.cluster_queries import ClusterQueries
    from indexer.errors import ClusterError

    path = tmp_path / "archive"
    archive = Index.create(str(path), shard_by="month")
    archive.ingest([str(wire)])
    expected = answers(archive.search("aid convoys"))
    # every worker process SIGKILLs itself at its second query (in its own environment,
    # as in the ingest test above); the nanny starts a fresh worker
    real = dask.distributed.LocalCluster
    monkeypatch.setattr(dask.distributed, "LocalCluster", lambda *args, **kwargs: real(
        *args, env={"INDEXER_CRASH_AT": "query:2"}, **kwargs))
    with ClusterQueries(str(path), "local", workers=1) as cluster:
        assert answers(cluster.search("aid convoys")) == expected
        # the second query kills its worker; the scheduler runs it again on the fresh one
        assert answers(cluster.search("aid convoys")) == expected
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), \
            ClusterQueries(str(path), "local", workers=1) as cluster:
        cluster.search("aid convoys")
        with pytest.raises(ClusterError, match=r"query 'aid convoys': the workers running "
                                               r"it kept dying .*; no answer"):
            cluster.search("aid convoys")


def three_month_wire(folder: Path) -> None:
    """Six TREC files of six stories, each file's stories in two months of three."""
    from indexer.crashcheck import trec_record

    folder.mkdir(parents=True)
    months = ["01", "02", "03"]
    for number in range(6):
        records = []
        for n in range(6):
            month = months[(number + n % 2) % 3]
            records.append(trec_record(number * 6 + n).replace("AP260101-",
                                                               f"AP26{month}01-"))
        (folder / f"day-{number}.sgml").write_text("".join(records))


def archive_paragraphs(path: Path) -> list[str]:
    index = Index.open(str(path))
    try:
        return sorted(d["id"] for d in index.searcher().documents(kind="paragraph"))
    finally:
        index.close()


# each shard: the commit creating it, then two batches of two files; the files are
# day-0 (January and February), day-1 (February, March), day-2 (March, January), ...
@pytest.mark.parametrize(("point", "incomplete"), [
    ("before-commit:3", 2),  # January's first batch in: day-0 and day-2 lack their others
    ("inside-commit:4", 4),  # January whole, February not yet made
    ("after-commit:4", 4),
    ("after-commit:6", 4),  # January and February whole: day-0 and day-3 are complete
    ("inside-commit:8", 4)])  # March's first batch lost
def test_a_kill_at_any_commit_of_any_shard_leaves_every_shard_whole(
        tmp_path: Path, point: str, incomplete: int) -> None:
    import signal
    import subprocess
    import sys

    from indexer.crashcheck import consistent

    wire = tmp_path / "wire"
    three_month_wire(wire)

    def ingest(path: Path, env: dict | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "indexer", "ingest", str(wire),
                               "--index", str(path), "--shard-by", "month",
                               "--batch-files", "2", "--quiet"],
                              env={**os.environ, **(env or {})}, capture_output=True)

    clean = tmp_path / "clean"
    assert ingest(clean).returncode == 0
    expected = archive_paragraphs(clean)
    assert len(expected) == 6 * 6 * 5 and Index.open(str(clean)).shard_names() == [
        "2026-01", "2026-02", "2026-03"]
    killed = tmp_path / "killed"
    assert ingest(killed, {"INDEXER_CRASH_AT": point}).returncode == -signal.SIGKILL
    archive = Index.open(str(killed))  # the manifest reads
    for name in archive.shard_names():  # every shard as its last commit left it
        assert consistent(killed / "shards" / name) is None, name
    problems = archive.check()
    assert len(problems) == incomplete
    assert all("not complete in the archive" in problem for problem in problems)
    assert ingest(killed).returncode == 0
    assert archive_paragraphs(killed) == expected
    assert Index.open(str(killed)).check() == []


def test_a_plan_shared_among_workers_routes_as_one_process_does(tmp_path: Path) -> None:
    from indexer.crashcheck import trec_record

    wire = tmp_path / "wire"
    wire.mkdir()
    for n in range(90):  # more files than the plan keeps to itself
        month = f"{n % 3 + 4:02d}"
        (wire / f"story-{n:03d}.sgml").write_text(
            trec_record(n).replace("AP260101-", f"AP26{month}01-"))
    (wire / "broken.sgml").write_text("<DOC>\n<TEXT>no docno</TEXT>\n</DOC>\n")
    from collections import Counter

    from indexer.ingest.walk import walk

    results = []
    for workers in (1, 2):
        path = tmp_path / f"archive{workers}"
        archive = Index.create(str(path), shard_by="month")
        seen: list[str] = []
        report = archive.ingest([str(wire)], workers=workers, on_file=seen.append)
        # a progress bar's ticks: each path walked, once, as a run without shards says it
        assert Counter(seen) == Counter(str(p) for p, _ in walk([str(wire)]))
        results.append((archive.shard_names(), archive_paragraphs(path),
                        [str(r) for r in report.errors], report.added))
    assert results[0] == results[1]
    assert results[0][0] == ["2026-04", "2026-05", "2026-06"] and results[0][3] == 90
    assert len(results[0][2]) == 1 and "no readable story" not in results[0][2][0]


@pytest.mark.slow  # a local Dask cluster started and stopped: CI's slow step
def test_a_shard_whose_dask_workers_keep_dying_ends_the_run_and_loses_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("dask.distributed")
    from indexer.crashcheck import consistent
    from indexer.errors import ClusterError

    wire = tmp_path / "wire"
    three_month_wire(wire)
    clean = tmp_path / "clean"
    Index.create(str(clean), shard_by="month").ingest([str(wire)], batch_files=2)
    archive = Index.create(str(tmp_path / "archive"), shard_by="month")
    # every worker process SIGKILLs itself after its second commit (each shard's task
    # commits three times in a fresh process), and the scheduler gives a task up at its
    # first lost worker (by default it retries a task up to three times, and a retry
    # may well finish: which attempt fails first depends on timing). The crash point is
    # set in the workers' own environment (Nanny's env=): a process Dask starts may come
    # from a server process started before this test, with the environment of then
    import dask
    import dask.distributed

    real = dask.distributed.LocalCluster
    monkeypatch.setattr(dask.distributed, "LocalCluster", lambda *args, **kwargs: real(
        *args, env={"INDEXER_CRASH_AT": "after-commit:2"}, **kwargs))
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), \
            pytest.raises(ClusterError, match=r"shard 2026-0\d: KilledWorker"):
        archive.ingest([str(wire)], workers=2, batch_files=2, scheduler="local")
    monkeypatch.undo()
    for name in Index.open(str(tmp_path / "archive")).shard_names():
        assert consistent(tmp_path / "archive" / "shards" / name) is None, name
    report = Index.open(str(tmp_path / "archive")).ingest([str(wire)], batch_files=2)
    assert report.ok
    assert archive_paragraphs(tmp_path / "archive") == archive_paragraphs(clean)
    assert Index.open(str(tmp_path / "archive")).check() == []


def test_a_run_merges_each_shard_it_closes_into_one_segment(tmp_path: Path) -> None:
    # one commit per file: each month's shard gets a segment per file
    archive = Index.create(str(tmp_path / "archive"), shard_by="month")
    report = archive.ingest([str(CORPUS)], batch_files=1)
    segments = {name: archive.shard(name).segment_count() for name in archive.shard_names()}
    # the months before the newest are closed: one segment each; the newest as written
    assert segments == {"2026-07": 1, "2026-08": 1, "2026-09": 1, "2026-10": 4}
    assert report.merges == 3
    assert archive.search("cooling centers")[0].story_id == "us/chicago-heat"
    # --no-merge merges nothing
    loose = Index.create(str(tmp_path / "loose"), shard_by="month")
    loose.ingest([str(CORPUS)], batch_files=1, merge=False)
    assert loose.shard("2026-07").segment_count() == 4

    def story(name: str, date: str) -> Path:
        text = (CORPUS / "us" / "chicago-heat.txt").read_text()
        target = tmp_path / "late" / f"{name}.txt"
        target.parent.mkdir(exist_ok=True)
        target.write_text(text.replace("July 18, 2026", date).replace("Chicago opens",
                                                                      f"{name} opens"))
        return target

    # a late story for a month closed before the run: tiered merging's, left as it is
    archive.ingest([str(story("late-july", "July 20, 2026"))])
    assert archive.shard("2026-07").segment_count() == 2
    # a story of a new month closes October, which is merged
    archive.ingest([str(story("november", "November 2, 2026"))])
    assert archive.shard("2026-10").segment_count() == 1
    assert archive.shard("2026-07").segment_count() == 2
    assert archive.check() == []
