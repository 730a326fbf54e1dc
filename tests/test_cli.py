"""The `indexer` command: output formats, exit codes, quiet cron behaviour."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CORPUS, story_text

from indexer import Index, cli, errors
from indexer.ingest.ledger import ingest_lock

JSON_KEYS = {"rank", "score", "story_id", "paragraph", "paragraphs", "text", "headline",
             "byline", "dateline", "date", "people", "tags", "source"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("cli") / "index")
    result = CliRunner().invoke(cli.main, ["ingest", str(CORPUS), "--index", path])
    assert result.exit_code == 0, result.output
    return path


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(cli.main, list(args), env=env)


def test_ingest_is_silent_when_not_on_a_terminal(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "indexer", "ingest", str(CORPUS),
                             "--index", str(tmp_path / "ix")], capture_output=True, text=True)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_ingest_reports_rejections_on_stderr_with_exit_3(tmp_path: Path) -> None:
    folder = tmp_path / "wire"
    folder.mkdir()
    (folder / "ok.txt").write_text(story_text())
    (folder / "bad.txt").write_text("no dateline at all\n")
    report_file = tmp_path / "report.json"
    log_file = tmp_path / "ingest.log"
    result = subprocess.run([sys.executable, "-m", "indexer", "ingest", str(folder), "--index",
                             str(tmp_path / "ix"), "--json-report", str(report_file),
                             "--log-file", str(log_file)], capture_output=True, text=True)
    assert result.returncode == errors.EXIT_REJECTED
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rejected ")
    assert "bad.txt: no dateline" in lines[0]
    report = json.loads(report_file.read_text())
    assert (report["added"], report["rejected"]) == (1, 1)
    assert report["errors"][0]["path"].endswith("bad.txt")
    logged = log_file.read_text()
    assert "bad.txt: no dateline" in logged and "1 added" in logged


def test_ingest_refused_while_another_holds_the_lock(tmp_path: Path) -> None:
    with ingest_lock(str(tmp_path / "ix")):
        result = run("ingest", str(CORPUS), "--index", str(tmp_path / "ix"))
    assert result.exit_code == errors.EXIT_LOCKED
    assert "another ingest" in result.output


def test_index_path_from_environment(tmp_path: Path) -> None:
    env = {"INDEXER_INDEX": str(tmp_path / "envix")}
    assert run("ingest", str(CORPUS / "world"), env=env).exit_code == 0
    result = run("query", "truce", "--format", "jsonl", env=env)
    assert result.exit_code == 0  # story ids are relative to the ingested folder
    assert '"story_id": "aleppo-truce"' in result.output


def test_query_text_format(built: str) -> None:
    result = run("query", "drought farmers", "--index", built, "--limit", "2")
    assert result.exit_code == 0
    first = result.output.split("\n\n")[0]
    assert "world/canberra-drought" in first and "CANBERRA, Australia (AP) —" in first
    assert "Australia pledges farm aid" in first and "¶" in first
    assert "\x1b[" not in result.output  # no colour when not a terminal


def test_query_text_highlights_in_bold_when_asked(built: str) -> None:
    result = run("query", "drought", "--index", built, "--limit", "1", "--color", "always")
    assert "\x1b[1mdrought\x1b[0m" in result.output


def test_query_json_has_exactly_the_documented_keys(built: str) -> None:
    result = run("query", "cease-fire", "--index", built, "--format", "json", "--limit", "3")
    hits = json.loads(result.output)
    assert len(hits) == 3
    for hit in hits:
        assert set(hit) == JSON_KEYS
        assert set(hit["dateline"]) == {"raw", "city", "region", "country", "agency"}
    assert hits[0]["date"].startswith("2026-")


def test_query_jsonl_one_object_a_line(built: str) -> None:
    result = run("query", "said", "--index", built, "--format", "jsonl", "--limit", "4")
    lines = result.output.strip().splitlines()
    assert len(lines) == 4
    assert [json.loads(line)["rank"] for line in lines] == [1, 2, 3, 4]


def test_query_trec_format(built: str) -> None:
    result = run("query", "inflation", "--index", built, "--format", "trec", "--qid", "q7")
    rows = [line.split() for line in result.output.strip().splitlines()]
    assert rows and all(len(r) == 6 and r[0] == "q7" and r[1] == "Q0" for r in rows)
    hits = Index.open(built).search("inflation")
    assert [r[2] for r in rows] == [f"{h.story_id}#{h.paragraph}" for h in hits]
    assert [int(r[3]) for r in rows] == list(range(1, len(rows) + 1))
    assert all(r[5] == "indexer" for r in rows)


def test_query_filters_from_the_command_line(built: str) -> None:
    result = run("query", "said", "--index", built, "--format", "jsonl", "--limit", "50",
                 "--place", "Illinois", "--since", "2026-07-02", "--until", "2026-07-20")
    stories = {json.loads(line)["story_id"] for line in result.output.splitlines()}
    assert stories == {"us/chicago-heat"}
    result = run("query", "said", "--index", built, "--format", "jsonl", "--person",
                 "Amelia Hart", "--tag", "strikes", "--per-story", "1")
    assert [json.loads(line)["story_id"] for line in result.output.splitlines()] == [
        "world/london-rail-strike"]


def test_no_hits_exits_1_with_a_clear_line(built: str) -> None:
    result = run("query", "zeppelin", "--index", built)
    assert result.exit_code == errors.EXIT_NO_HITS
    assert "no paragraphs match 'zeppelin'" in result.output


def test_malformed_query_or_date_exits_2_without_traceback(built: str) -> None:
    for args in (["   "], ["said", "--since", "someday"]):
        result = run("query", *args, "--index", built)
        assert result.exit_code == errors.EXIT_USAGE
        assert "Traceback" not in result.output and result.output.startswith("indexer: ")


def test_missing_index_exits_5(tmp_path: Path) -> None:
    result = run("query", "said", "--index", str(tmp_path / "nowhere"))
    assert result.exit_code == errors.EXIT_INDEX
    assert "no index at" in result.output


def test_story_command(built: str) -> None:
    result = run("story", "us/senate-cyber", "--index", built)
    assert result.exit_code == 0
    assert result.output.startswith("Senate passes bill")
    assert "WASHINGTON (AP) — The Senate voted 71-27" in result.output
    data = json.loads(run("story", "us/senate-cyber", "--index", built, "--json").output)
    assert data["byline"] == "David Klein" and len(data["paragraphs"]) == 5
    assert run("story", "nope", "--index", built).exit_code == errors.EXIT_NO_HITS


def test_python_dash_m_and_version() -> None:
    result = subprocess.run([sys.executable, "-m", "indexer", "--version"],
                            capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("indexer, version ")


def test_people_command_plain_and_json(tmp_path: Path) -> None:
    text = ("BEIRUT (AP) — Syrian President Bashar Assad met U.S. Secretary of State John "
            "Kerry. Kerry said little.\n")
    source = tmp_path / "story.txt"
    source.write_text(text)
    result = run("people", str(source))
    assert result.output.splitlines() == ["Bashar Assad", "John Kerry"]
    data = json.loads(CliRunner().invoke(cli.main, ["people", "--json", "-"], input=text).output)
    kerry = next(item for item in data if item["name"] == "John Kerry")
    assert [text[s:e] for s, e in kerry["mentions"]] == ["John Kerry", "Kerry"]


def test_stats_and_check(tmp_path: Path) -> None:
    import shutil

    wire = tmp_path / "wire"
    shutil.copytree(CORPUS, wire)
    index = str(tmp_path / "ix")
    assert run("ingest", str(wire), "--index", index).exit_code == 0
    stats = json.loads(run("stats", "--index", index, "--json").output)
    assert (stats["stories"], stats["paragraphs"], stats["files"]) == (14, 68, 14)
    assert stats["first_date"].startswith("2026-07-01") and stats["last_run"]["outcome"] == "ok"
    assert "paragraphs  68" in run("stats", "--index", index).output
    ok = run("check", "--index", index)
    assert ok.exit_code == 0 and ok.output.startswith("ok: 68 paragraphs")
    (wire / "us" / "senate-cyber.txt").unlink()
    (wire / "world" / "tokyo-quake.txt").write_text(story_text(city="TOKYO"))
    broken = run("check", "--index", index)
    assert broken.exit_code == errors.EXIT_INDEX
    assert "senate-cyber.txt: file is gone" in broken.output
    assert "tokyo-quake.txt: changed since it was ingested" in broken.output
    assert "Repair:" in broken.output
    assert run("ingest", str(wire), "--index", index, "--prune").exit_code == 0
    assert run("check", "--index", index).exit_code == 0


def test_ingest_of_a_missing_path_is_a_usage_error_and_creates_nothing(tmp_path: Path) -> None:
    result = run("ingest", str(tmp_path / "no-such-folder"), "--index", str(tmp_path / "ix"))
    assert result.exit_code == 2
    missing = tmp_path / "no-such-folder"
    assert result.output.strip() == f"indexer: no such file or folder: {missing}"
    assert not (tmp_path / "ix").exists()


def test_json_report_says_when_and_how_the_run_ended(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(story_text())
    (tmp_path / "b.txt").write_text("")
    result = run("ingest", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "--index",
                 str(tmp_path / "ix"), "--json-report", str(tmp_path / "r.json"))
    assert result.exit_code == 3
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["outcome"] == "rejected"
    assert report["started"] <= report["finished"]
    assert report["finished"].endswith("Z")


def test_people_train_refuses_data_it_cannot_learn_from(tmp_path: Path) -> None:
    one_column = tmp_path / "words.txt"
    one_column.write_text("Hello\nworld\n")
    no_people = tmp_path / "no-per.conll"
    no_people.write_text("Paris NNP B-NP I-LOC\nis VBZ B-VP O\n\n")
    for data, message in ((one_column, "is not CoNLL data"), (no_people, "no PER labels")):
        result = run("people", "train", str(data), "--model", str(tmp_path / "m.json.gz"))
        assert result.exit_code == 2
        assert message in result.output
    assert not (tmp_path / "m.json.gz").exists()


def test_similar_says_1_for_what_is_not_there_and_scores_from_0_to_1(built: str) -> None:
    assert run("similar", "no/such-story", "--index", built).exit_code == 1
    missing = run("similar", "world/aleppo-truce#99", "--index", built)
    assert (missing.exit_code, missing.output.strip()) == (
        1, "indexer: story 'world/aleppo-truce' has no paragraph 99")
    hits = json.loads(run("similar", "world/aleppo-truce", "--index", built, "--format",
                          "json").output)
    assert hits[0]["score"] == 1.0
    assert all(0 < hit["score"] <= 1 for hit in hits)


def test_facets_with_trec_output_are_not_dropped_silently(built: str) -> None:
    result = CliRunner().invoke(cli.main, [
        "query", "said", "--index", built, "--format", "trec", "--facets", "tags"])
    assert result.exit_code == 0
    assert result.stderr.strip() == ("indexer: --facets is not shown with --format trec "
                                     "(use text, json or jsonl)")


def test_the_date_facet_is_a_timeline(built: str) -> None:
    from indexer import Index

    months = Index.open(built).facets("said", ("date",))["date"]
    assert len(months) > 1
    assert [month for month, _ in months] == sorted(month for month, _ in months)
    assert [count for _, count in months] != sorted((c for _, c in months), reverse=True)


def test_when_nothing_matches_the_filters_are_named_and_bad_values_shown(built: str) -> None:
    result = CliRunner().invoke(cli.main, ["query", "aid", "--index", built, "--tag",
                                           "cease-fir", "--place", "Atlantis"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "indexer: no paragraphs match 'aid' with --tag 'cease-fir' --place 'Atlantis'",
        "indexer: no story in the index has tag 'cease-fir'; the closest it holds: cease-fire",
        "indexer: no story in the index has place 'Atlantis'; the closest it holds: atlanta"]


def test_the_cli_knows_every_reader_and_the_package_exports_what_it_lists() -> None:
    import indexer
    from indexer.formats import READERS

    assert cli.FORMATS == tuple(READERS)
    assert sorted(indexer.__all__) == sorted(indexer._EXPORTS)
    for name in indexer.__all__:
        assert getattr(indexer, name).__name__ == name


def test_help_loads_neither_whoosh_nor_the_readers() -> None:
    # a fresh interpreter: the test session has imported everything already
    program = ("import sys\nfrom click.testing import CliRunner\nfrom indexer.cli import main\n"
               "assert CliRunner().invoke(main, ['--help']).exit_code == 0\n"
               "print(sorted(m for m in sys.modules if m.startswith(('whoosh', "
               "'indexer.formats', 'indexer.index'))))")
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


def test_a_query_loads_no_reader(tmp_path: Path) -> None:
    # a one-shot query pays for the modules it imports; the wire readers are ingest's
    wire = tmp_path / "wire"
    wire.mkdir()
    (wire / "a.txt").write_text(story_text())
    index = str(tmp_path / "ix")
    assert CliRunner().invoke(cli.main, ["ingest", str(wire), "--index", index]).exit_code == 0
    program = ("import sys\nfrom click.testing import CliRunner\nfrom indexer.cli import main\n"
               f"result = CliRunner().invoke(main, ['query', '--index', {index!r}, 'lead'])\n"
               "assert result.exit_code == 0, result.output\n"
               "print(sorted(m for m in sys.modules if m.startswith('indexer.formats')))")
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


def test_a_rejected_file_is_not_read_or_reported_again_until_it_changes(tmp_path: Path) -> None:
    wire = tmp_path / "wire"
    wire.mkdir()
    (wire / "good.txt").write_text(story_text())
    (wire / "bad.txt").write_text("no dateline here\n")
    index = str(tmp_path / "ix")
    first = CliRunner().invoke(cli.main, ["ingest", str(wire), "--index", index])
    assert first.exit_code == 3
    assert "bad.txt: no dateline" in first.stderr
    second = CliRunner().invoke(cli.main, ["ingest", str(wire), "--index", index,
                                           "--json-report", str(tmp_path / "r.json")])
    assert (second.exit_code, second.stderr) == (0, "")
    report = json.loads((tmp_path / "r.json").read_text())
    assert (report["rejected"], report["still_rejected"]) == (0, 1)
    listed = run("check", "--index", index).output.splitlines()
    assert listed[0].startswith("rejected    1 files, unchanged since")
    assert listed[1].startswith(f"  {(wire / 'bad.txt').resolve()}: no dateline")
    # fixed: read again, indexed, forgotten as rejected
    (wire / "bad.txt").write_text(story_text(city="OSLO"))
    third = CliRunner().invoke(cli.main, ["ingest", str(wire), "--index", index])
    assert third.exit_code == 0
    assert run("check", "--index", index).output.startswith("ok:")
    assert json.loads(run("stats", "--index", index, "--json").output)["still_rejected"] == []


def test_group_shows_each_story_once_with_its_best_paragraphs(built: str) -> None:
    flat = json.loads(run("query", "aid trucks", "--index", built, "--format", "json",
                          "--per-story", "2", "--limit", "40").output)
    grouped = json.loads(run("query", "aid trucks", "--index", built, "--format", "json",
                             "--group", "--per-story", "2", "--limit", "3").output)
    order = list(dict.fromkeys(hit["story_id"] for hit in flat))
    assert [story["story_id"] for story in grouped] == order[:3]
    assert [story["rank"] for story in grouped] == [1, 2, 3]
    for story in grouped:
        assert 1 <= len(story["hits"]) <= 2
        assert story["score"] == story["hits"][0]["score"]
        assert [hit["paragraph"] for hit in story["hits"]] == [
            hit["paragraph"] for hit in flat if hit["story_id"] == story["story_id"]]
    page = json.loads(run("query", "aid trucks", "--index", built, "--format", "json",
                          "--group", "--per-story", "2", "--limit", "1", "--offset",
                          "2").output)
    assert [(s["rank"], s["story_id"]) for s in page] == [(3, grouped[2]["story_id"])]
    text = run("query", "aid trucks", "--index", built, "--group", "--limit", "2").output
    assert text.count(" ¶") >= 2 and text.splitlines()[0].startswith(
        f"  1.   1.00  {order[0]}")


def test_the_readme_examples_do_what_it_says(built: str) -> None:
    import re

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    # the quick start's query and the first hit it shows
    command = re.search(r'indexer query "([^"]+)" --limit (\d+)', readme)
    assert command is not None
    shown = re.search(r"prints, first.*?```\n(.*?)\n```", readme, re.S)
    assert shown is not None
    printed = run("query", command.group(1), "--limit", command.group(2), "--index", built)
    assert printed.output.splitlines()[:3] == shown.group(1).splitlines()
    # each field:value example of the query section finds something in the corpus
    examples = re.search(r"`field:value` \((.*?)\)", readme)
    assert examples is not None
    for example in re.findall(r"`([^`]+)`", examples.group(1)):
        assert run("query", example, "--index", built, "--format", "trec").exit_code == 0, \
            example


def test_count_totals_every_match_and_the_footer_says_what_was_shown(built: str) -> None:
    from indexer import Index

    index = Index.open(built)
    paragraphs = index.matching_docnums("cease-fire")
    stories = {index.whoosh_index.searcher().stored_fields(n)["story_id"] for n in paragraphs}
    result = run("query", "cease-fire", "--index", built, "--limit", "2", "--count")
    footer = result.output.splitlines()[-1]
    assert footer.startswith(f"{len(paragraphs)} paragraphs in {len(stories)} stories "
                             "match; 2 paragraphs shown in ")
    data = json.loads(run("query", "cease-fire", "--index", built, "--limit", "2", "--count",
                          "--format", "json").output)
    assert data["total"] == {"paragraphs": len(paragraphs), "stories": len(stories)}
    assert len(data["hits"]) == 2 and set(data["hits"][0]) == JSON_KEYS
    plain = json.loads(run("query", "cease-fire", "--index", built, "--limit", "2",
                           "--format", "json").output)
    assert isinstance(plain, list)  # without --count the JSON is the list of hits, as before


def test_explain_shows_the_feedback_words_in_every_format(built: str) -> None:
    from indexer import Index

    expected = Index.open(built).feedback_words("drought farmers")
    assert expected
    data = json.loads(run("query", "drought farmers", "--index", built, "--explain",
                          "--format", "json").output)
    assert [(item["word"], item["weight"]) for item in data["feedback"]] == \
        [(word, round(weight, 6)) for word, weight in expected]
    assert data["hits"] and all(set(hit) >= {"rank", "story_id"} for hit in data["hits"])
    last = json.loads(run("query", "drought farmers", "--index", built, "--explain",
                          "--format", "jsonl").output.splitlines()[-1])
    assert last == {"feedback": data["feedback"]}
    text = run("query", "drought farmers", "--index", built, "--explain").output
    (line,) = [line for line in text.splitlines() if line.startswith("feedback added")]
    assert line.split(": ", 1)[1].split(", ")[:2] == [f"{w} {x:.3f}" for w, x in expected[:2]]
    quoted = run("query", '"rebel commanders"', "--index", built, "--explain").output
    assert "feedback: no words added" in quoted
    trec = run("query", "drought farmers", "--index", built, "--explain", "--format", "trec")
    assert "--explain is not shown with --format trec" in trec.output
