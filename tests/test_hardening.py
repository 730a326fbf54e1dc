"""Hostile and unlucky input: odd file names, files that are not files, failed and killed
runs, runaway queries and readers. Each ends in one line and a documented exit code, the
rest of the batch goes in, and nothing grows without bound."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import story_text
from samples import FORMATS, STREAMS, grown

from indexer import Index, cli, errors
from indexer.errors import QueryError, WireFormatError
from indexer.formats import read_stories
from indexer.ingest.ledger import LAST_RUN_NAME
from indexer.ingest.process import read_limited

ROOT = Path(__file__).resolve().parent.parent


def wire_of(tmp_path: Path, count: int) -> Path:
    """A folder `wire` of `count` small AP-style stories, s0.txt, s1.txt..."""
    wire = tmp_path / "wire"
    wire.mkdir()
    for n in range(count):
        (wire / f"s{n}.txt").write_text(story_text(lead=f"Story {n} about harbor tides."))
    return wire


def indexer(*args: str | bytes, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "indexer", *args], capture_output=True,
                          cwd=ROOT, env=env, timeout=300)


def no_traceback(result: subprocess.CompletedProcess) -> None:
    assert b"Traceback" not in result.stderr and b"Traceback" not in result.stdout


@pytest.mark.parametrize("workers", ["1", "2"])
def test_file_names_that_are_not_utf8_or_hold_a_newline_are_indexed(
        tmp_path: Path, workers: str) -> None:
    wire = tmp_path / "wire"
    wire.mkdir()
    (wire / "good.txt").write_text(story_text(lead="Harbor cranes stood idle."))
    odd = os.fsencode(wire) + b"/bad\xff\xfename.txt"
    with open(odd, "w") as f:
        f.write(story_text(city="OSLO", lead="Harbor cranes moved again."))
    (wire / "new\nline.txt").write_text(story_text(city="BERGEN", lead="Harbor cranes rusted."))
    result = indexer("ingest", str(wire), "--index", str(tmp_path / "ix"), "--workers", workers)
    no_traceback(result)
    assert result.returncode == 0, result.stderr
    index = Index.open(str(tmp_path / "ix"))
    ids = sorted(hit.story_id for hit in index.search("harbor cranes", limit=10))
    assert ids == ["bad\\xff\\xfename", "good", "new\\nline"]
    # each hit is one line of TREC output, whatever the file was called
    trec = indexer("query", "harbor cranes", "--index", str(tmp_path / "ix"), "--format", "trec")
    assert len(trec.stdout.decode().splitlines()) == 3
    # and a second run over the same files writes nothing
    again = indexer("ingest", str(wire), "--index", str(tmp_path / "ix"), "--json-report",
                    str(tmp_path / "report.json"))
    assert again.returncode == 0
    assert json.loads((tmp_path / "report.json").read_text())["unchanged"] == 3


def test_a_fifo_is_rejected_on_its_own_line_and_never_waited_on(tmp_path: Path) -> None:
    wire = tmp_path / "wire"
    wire.mkdir()
    (wire / "good.txt").write_text(story_text())
    os.mkfifo(wire / "pipe.txt")
    with pytest.raises(WireFormatError, match="not a regular file"):
        read_limited(str(wire / "pipe.txt"), 1000)  # returns at once: nothing opened it
    result = indexer("ingest", str(wire), "--index", str(tmp_path / "ix"))
    no_traceback(result)
    assert result.returncode == 3
    assert result.stderr.decode().strip().splitlines() == [
        f"rejected {wire / 'pipe.txt'}: not a regular file"]


def test_a_file_larger_than_the_limit_when_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "grown.txt"
    path.write_bytes(b"x" * 5000)
    with pytest.raises(WireFormatError, match="file too large"):
        read_limited(str(path), 4096)
    assert read_limited(str(path), 5000) == b"x" * 5000


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file and folder")
def test_unreadable_files_and_folders_are_named_and_the_rest_goes_in(tmp_path: Path) -> None:
    wire = tmp_path / "wire"
    (wire / "locked").mkdir(parents=True)
    (wire / "good.txt").write_text(story_text())
    (wire / "secret.txt").write_text(story_text())
    (wire / "secret.txt").chmod(0)
    (wire / "locked").chmod(0)
    try:
        result = indexer("ingest", str(wire), str(wire / "secret.txt"), "--index",
                         str(tmp_path / "ix"))
    finally:
        (wire / "locked").chmod(0o755)
    no_traceback(result)
    assert result.returncode == 3
    lines = result.stderr.decode().splitlines()
    assert any("locked: unreadable folder" in line for line in lines)
    assert any("secret.txt: unreadable" in line for line in lines)
    assert Index.open(str(tmp_path / "ix")).stats()["stories"] == 1


def test_the_index_folder_inside_the_ingested_folder_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(story_text())
    index = Index.create(str(tmp_path / "index"))
    index.ingest([str(tmp_path)])
    report = index.ingest([str(tmp_path)])
    assert (report.files_seen, report.rejected) == (1, 0)


def test_a_failed_run_removes_its_temporary_files_and_says_why(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    wire = tmp_path / "wire"
    wire.mkdir()
    (wire / "a.txt").write_text(story_text())
    index = Index.create(str(tmp_path / "ix"))
    leftover = tmp_path / "ix" / "MAIN.tmp"  # Whoosh's posting pools' folder
    leftover.mkdir()
    (leftover / "pool.ctmp").write_bytes(b"x" * 1000)
    # a run killed while it ran: its record still says running
    (tmp_path / "ix" / LAST_RUN_NAME).write_text(json.dumps({"outcome": "running"}))
    from indexer.ingest import run as ingest

    def disk_full(ix, writer, *args, **kwargs):
        os.makedirs(tmp_path / "ix" / "MAIN.tmp", exist_ok=True)
        (tmp_path / "ix" / "rejected.json.tmp").write_text("{")
        writer.cancel()  # as commit_verified does when a commit fails
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ingest, "commit_verified", disk_full)
    with pytest.raises(OSError):
        index.ingest([str(wire)])
    assert not [name for name in os.listdir(tmp_path / "ix") if name.endswith(".tmp")]
    last = json.loads((tmp_path / "ix" / LAST_RUN_NAME).read_text())
    assert last["outcome"] == "failed"
    assert last["reason"] == "OSError: [Errno 28] No space left on device"
    assert last["previous_run"] == "killed"
    assert last["seconds"] > 0
    monkeypatch.undo()
    report = index.ingest([str(wire)])
    assert report.added == 1
    assert json.loads((tmp_path / "ix" / LAST_RUN_NAME).read_text())["outcome"] == "ok"


def test_an_unexpected_error_is_one_line_and_a_report(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, corpus_index: Index) -> None:
    def broken(self):
        raise RuntimeError("a bug we have not met yet")

    monkeypatch.setattr(Index, "stats", broken)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile
    monkeypatch.setattr(tempfile, "tempdir", None)
    result = CliRunner().invoke(cli.main, ["stats", "--index", corpus_index.path])
    assert result.exit_code == errors.EXIT_INTERNAL
    (line,) = result.output.splitlines()
    assert line.startswith("indexer: unexpected error: RuntimeError: a bug we have not met yet")
    report = Path(line.rsplit("full report: ", 1)[1].rstrip(")"))
    assert report.parent == tmp_path
    assert "Traceback" in report.read_text() and "a bug we have not met yet" in report.read_text()


@pytest.mark.parametrize("args", [
    ["drought", "--since", "99999999999d"],
    ["drought", "--since", "999999y"],
    ["drought", "--context", "1000000000"],
    ['"' + " ".join(["word"] * 5000) + '"'],
    [" ".join(f"a{i}*" for i in range(300))],
])
def test_runaway_queries_are_refused_with_exit_2(corpus_index: Index, args: list[str]) -> None:
    result = CliRunner().invoke(cli.main, ["query", *args, "--index", corpus_index.path])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert len(result.output.strip().splitlines()) == 1


def test_a_query_argument_with_an_undecodable_byte_is_searched(corpus_index: Index) -> None:
    result = indexer("query", b"drought \xff", "--index", corpus_index.path.encode())
    no_traceback(result)
    assert result.returncode == 0
    assert b"drought" in result.stdout.lower()


def test_quoted_numbers_are_phrases_in_the_text(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(story_text(lead="The plant cut 1,268 jobs on Monday."))
    index = Index.create(str(tmp_path / "ix"))
    index.ingest([str(tmp_path / "a.txt")])
    assert [hit.paragraph for hit in index.search('"1,268"')] == [1]
    assert [hit.paragraph for hit in index.search('"cut 1,268 jobs"')] == [1]


def test_text_without_a_dateline_is_refused() -> None:
    # no blank lines and no dateline: refused (bench/bench_linear_time.py times it, linear
    # in the text: each line was once tried as a dateline with the rest of the block)
    line = "Lorem ipsum dolor sit amet, consectetur adipiscing elit sed do eiusmod.\n"
    with pytest.raises(WireFormatError):
        read_stories((line * 4000).encode(), "s")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_text_is_read_as_text(encoding: str) -> None:
    text = story_text(city="SÃO PAULO", region="Brazil", lead="Coffee rose; São Paulo cheered.")
    (utf16,) = read_stories(text.encode(encoding), "s")
    (utf8,) = read_stories(text.encode("utf-8"), "s")
    assert utf16 == utf8
    assert utf16.dateline.city == "São Paulo"


def test_a_bad_byte_on_the_dateline_line_keeps_the_dateline() -> None:
    # UTF-8 everywhere but two cp1252 quotes on the dateline's line
    data = ("Coffee rises\n\nSÃO PAULO (AP) — Coffee prices rose, Q said Monday.\n"
            ).encode().replace(b"Q", b"\x93the best\x94")
    (story,) = read_stories(data, "s")
    assert story.dateline.city == "São Paulo"
    assert "“the best”" in story.paragraphs[0]  # the stray bytes read as cp1252


def test_a_story_past_the_paragraph_cap_is_rejected_with_the_reason(tmp_path: Path) -> None:
    (tmp_path / "huge.txt").write_text(story_text(paragraphs=tuple(
        f"Row {n} of the table." for n in range(6000))))
    (tmp_path / "fine.txt").write_text(story_text())
    index = Index.create(str(tmp_path / "ix"))
    report = index.ingest([str(tmp_path / "huge.txt"), str(tmp_path / "fine.txt")])
    assert report.added == 1
    (rejection,) = report.errors
    assert "paragraphs (limit 5000)" in rejection.reason
    (tmp_path / "long.txt").write_text(story_text(paragraphs=tuple(
        "word " * 12_000 for _ in range(20))))  # 20 paragraphs of 60,000 characters
    report = index.ingest([str(tmp_path / "long.txt")])
    (rejection,) = report.errors
    assert "characters (limit 1000000)" in rejection.reason


def test_two_ingests_starting_at_once_on_no_index(tmp_path: Path) -> None:
    wire = wire_of(tmp_path, 20)
    for trial in range(4):
        target = tmp_path / f"ix{trial}"
        runs = [subprocess.Popen([sys.executable, "-m", "indexer", "ingest", str(wire),
                                  "--index", str(target)], cwd=ROOT,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                for _ in range(2)]
        results = [(run.wait(timeout=120), run.stderr.read()) for run in runs]
        for code, stderr in results:
            assert b"Traceback" not in stderr
            assert code in (0, 4), stderr  # done, or told the index is busy
        assert 0 in [code for code, _ in results]
        assert Index.open(str(target)).stats()["stories"] == 20


def test_check_reports_a_damaged_segment_as_corruption(tmp_path: Path) -> None:
    wire = wire_of(tmp_path, 30)
    index = Index.create(str(tmp_path / "ix"))
    index.ingest([str(wire)])
    index.close()
    segment = max((p for p in (tmp_path / "ix").iterdir() if p.suffix == ".seg"),
                  key=lambda p: p.stat().st_size)
    data = bytearray(segment.read_bytes())
    for at in range(len(data) // 20, len(data) * 19 // 20, 101):  # bits flipped all over
        data[at] ^= 0xFF
    segment.write_bytes(bytes(data))
    result = indexer("check", "--index", str(tmp_path / "ix"))
    no_traceback(result)
    assert result.returncode == 5
    assert b"damaged" in result.stdout + result.stderr
    assert segment.name.encode() in result.stdout + result.stderr


def test_another_programs_whoosh_index_is_refused_not_written(tmp_path: Path) -> None:
    from whoosh import fields
    from whoosh import index as whoosh_index

    target = tmp_path / "theirs"
    target.mkdir()
    theirs = whoosh_index.create_in(str(target), fields.Schema(title=fields.TEXT(stored=True)))
    writer = theirs.writer()
    writer.add_document(title="their document")
    writer.commit()
    before = sorted(os.listdir(target))
    (tmp_path / "a.txt").write_text(story_text())
    result = indexer("ingest", str(tmp_path / "a.txt"), "--index", str(target))
    no_traceback(result)
    assert result.returncode == 5
    assert b"not an indexer index" in result.stderr
    assert sorted(name for name in os.listdir(target) if not name.startswith(".")) == [
        name for name in before if not name.startswith(".")]
    from indexer import NotAnIndexFolderError

    with pytest.raises(NotAnIndexFolderError):  # the API refuses it as the CLI does
        Index.create(str(target))
    assert sorted(os.listdir(target)) == before


@pytest.mark.parametrize(("query", "message"), [
    ("drought AND (", "unbalanced parenthesis"),
    ('"told reporters', "unbalanced quote"),
    ("date:[2026-13 to 2027]", "cannot read date '2026-13'"),
    ("date:[garbage to 2026]", "cannot read date 'garbage'"),
    ("date:notadate", "cannot read date 'notadate'"),
    ("nosuchfield:foo", "unknown field 'nosuchfield'"),
])
def test_malformed_queries_exit_2_with_a_plain_message(corpus_index: Index, query: str,
                                                       message: str) -> None:
    result = CliRunner().invoke(cli.main, ["query", query, "--index", corpus_index.path])
    assert result.exit_code == 2
    (line,) = result.output.splitlines()
    assert message in line


def test_well_formed_dates_and_fields_still_search(corpus_index: Index) -> None:
    for query in ("drought date:2026-09", "date:[2026-09-01 to 2026-09-18] drought",
                  "date:[20260901 to 20260918] drought", "headline:drought",
                  'body:"told reporters"'):
        assert corpus_index.search(query), query


def test_pages_of_hits_follow_each_other(corpus_index: Index) -> None:
    everything = corpus_index.search("said", limit=12)
    pages = corpus_index.search("said", limit=5) + corpus_index.search("said", limit=5,
                                                                        offset=5)
    assert len(everything) == 12
    assert [(h.rank, h.story_id, h.paragraph) for h in pages] == [
        (h.rank, h.story_id, h.paragraph) for h in everything[:10]]
    result = CliRunner().invoke(cli.main, ["query", "said", "--index", corpus_index.path,
                                           "--limit", "2", "--offset", "3", "--format",
                                           "trec"])
    assert [line.split()[2:4] for line in result.output.splitlines()] == [
        [f"{h.story_id}#{h.paragraph}", str(h.rank)] for h in everything[3:5]]


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 3 MB filesystem of its own (tmpfs), where the test may mount one."""
    mount = tmp_path / "small"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)],
            capture_output=True).returncode:
        pytest.skip("cannot mount a small filesystem here (needs root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_fails_the_run_cleanly_and_the_next_run_heals(
        small_disk: Path, tmp_path: Path) -> None:
    wire = tmp_path / "wire"
    wire.mkdir()
    for n in range(400):
        (wire / f"s{n:03d}.txt").write_text(story_text(
            lead=f"Story {n} about harbor cranes.",
            paragraphs=tuple(f"Paragraph {p} of story {n}: " + "tides and cranes " * 40
                             for p in range(10))))
    index_dir = small_disk / "ix"
    result = indexer("ingest", str(wire), "--index", str(index_dir), "--batch-files", "50")
    no_traceback(result)
    assert result.returncode == 5
    assert b"No space left on device" in result.stderr
    assert len(result.stderr.decode().strip().splitlines()) == 1
    assert not [n for n in os.listdir(index_dir) if n.endswith(".tmp")]
    last = json.loads((index_dir / LAST_RUN_NAME).read_text())
    assert (last["outcome"], last["reason"].split(":")[0]) == ("failed", "OSError")
    committed = Index.open(str(index_dir))
    assert committed.check() == []  # what was committed agrees with its file records
    stories = committed.stats()["stories"]
    committed.close()
    subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)
    healed = indexer("ingest", str(wire), "--index", str(index_dir))
    assert healed.returncode == 0, healed.stderr
    index = Index.open(str(index_dir))
    assert stories < index.stats()["stories"] == 400


def test_numeric_entities_past_unicode_are_spaces_not_errors() -> None:
    # found by bench/fuzz_readers.py: &#99999999; raised OverflowError, &#1114112; ValueError
    record = ('<REUTERS NEWID="7"><TEXT><TITLE>T</TITLE><BODY>Prices &#99999999;rose '
              "&#1114112;and &#55296;fell &#233;t&#233;.</BODY></TEXT></REUTERS>")
    (story,) = read_stories(record.encode(), "r")
    assert story.paragraphs == ["Prices rose and fell été."]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_reader_reads_a_sample_grown_tenfold(fmt: str) -> None:
    # each copy's stories (a stream) or paragraphs (a document) all come out; the time it
    # takes, linear in the input, is printed by bench/bench_linear_time.py
    small, large = read_stories(grown(fmt, 2), "s"), read_stories(grown(fmt, 20), "s")
    if fmt in STREAMS:
        assert len(large) == 10 * len(small)
    else:
        assert len(large) == len(small) == 1
        assert len(large[0].paragraphs) - len(small[0].paragraphs) == 18 * 20


def test_an_interrupted_run_is_recorded_as_interrupted_with_its_duration(tmp_path: Path) -> None:
    wire = wire_of(tmp_path, 5)
    index = Index.create(str(tmp_path / "ix"))
    seen = []

    def interrupt(path: str) -> None:
        seen.append(path)
        time.sleep(0.01)
        if len(seen) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        index.ingest([str(wire)], on_file=interrupt)
    last = json.loads((tmp_path / "ix" / LAST_RUN_NAME).read_text())
    assert last["outcome"] == "interrupted"
    assert last["seconds"] >= 0.02


def test_a_version_written_in_other_digits_is_no_version_not_an_error() -> None:
    # found by bench/fuzz_readers.py: '³' passes str.isdigit() and fails int()
    import re

    data = (Path(__file__).parent / "fixtures" / "formats" / "newsml12.xml").read_bytes()
    data = re.sub(rb"(<RevisionId[^>]*>)[^<]*", "\\1³".encode(), data)
    (story,) = read_stories(data, "n")
    assert story.paragraphs


@pytest.mark.parametrize("query", ['date:""', "date:()", "date:>", "date:<="])
def test_an_empty_date_is_a_plain_error(corpus_index: Index, query: str) -> None:
    # found by bench/fuzz_readers.py --queries: date:"" raised Whoosh's bare Exception
    with pytest.raises(QueryError, match="empty date"):
        corpus_index.search(query)


@pytest.mark.parametrize("query", ["date:[2026-10 to]", "date:[to 2026-09-14]",
                                   "date:(2026-09 OR 2026-10)", 'date:"2026-10"'])
def test_open_ranges_and_grouped_dates_search(corpus_index: Index, query: str) -> None:
    assert corpus_index.search(query + " said")


@pytest.mark.parametrize("query", ["kind:file", "kind:meta", "id:file*"])
def test_queries_matching_no_story_or_paragraph_find_nothing(corpus_index: Index,
                                                             query: str) -> None:
    # found by bench/fuzz_readers.py --queries: the story pass's candidates had no
    # paragraph, and Whoosh reads an empty filter as none (KeyError)
    for weight in (None, 0.0):
        assert corpus_index.search(query, story_weight=weight) == []


def test_a_stored_only_field_is_not_a_query_field(corpus_index: Index) -> None:
    with pytest.raises(QueryError, match="unknown field 'sha256'"):
        corpus_index.search("sha256:*")
