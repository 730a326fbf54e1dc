"""The evaluation harness: TREC topics and qrels, story-level runs, measures."""

from __future__ import annotations

from pathlib import Path

from indexer import Index
from indexer.evaluation import measure, read_qrels, read_topics, story_run, write_run

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def test_trec_topics_qrels_run_and_measures(corpus_index: Index, tmp_path: Path) -> None:
    topics_file = tmp_path / "topics.txt"
    topics_file.write_text(
        "<top>\n<num> Number: 101\n<title> Topic: Syria truce aid convoys\n"
        "<desc> Description:\nAid deliveries under the cease-fire.\n</top>\n"
        "<top>\n<num> Number: 102\n<title> drought farmers loans\n</top>\n")
    qrels_file = tmp_path / "qrels.txt"
    qrels_file.write_text("101 0 world/aleppo-truce 1\n101 0 world/geneva-talks 1\n"
                          "102 0 world/canberra-drought 1\n102 0 us/chicago-heat 0\n")
    topics = read_topics(topics_file)
    assert topics == {"101": "Syria truce aid convoys", "102": "drought farmers loans"}
    qrels = read_qrels(qrels_file)
    run = story_run(corpus_index, topics, depth=100)
    assert [doc for doc, _ in run["102"]][:1] == ["world/canberra-drought"]
    assert len({doc for doc, _ in run["101"]}) == len(run["101"])  # one line per story
    write_run(run, tmp_path / "run.txt")
    first = (tmp_path / "run.txt").read_text().splitlines()[0].split()
    assert first[:4] == ["101", "Q0", run["101"][0][0], "1"] and first[5] == "indexer"
    scores = measure(qrels, run)
    assert set(scores) == {"AP", "nDCG@10", "P@10", "R@1000"}
    assert scores["AP"] > 0.9 and scores["R@1000"] == 1.0


def test_eval_command(corpus_index: Index, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from indexer import cli

    (tmp_path / "topics.tsv").write_text("1\tdrought farmers\n2\tearthquake trains\n")
    (tmp_path / "qrels").write_text("1 0 world/canberra-drought 1\n2 0 world/tokyo-quake 1\n")
    result = CliRunner().invoke(cli.main, [
        "eval", "--index", corpus_index.path, "--topics", str(tmp_path / "topics.tsv"),
        "--qrels", str(tmp_path / "qrels"), "--run", str(tmp_path / "run")])
    assert result.exit_code == 0, result.output
    lines = dict(line.split() for line in result.output.splitlines()[1:])
    assert float(lines["AP"]) == 1.0 and float(lines["P@10"]) == 0.1
    assert (tmp_path / "run").read_text().startswith("1 Q0 world/canberra-drought 1 ")
