"""The newest version of a story wins, whatever order its files arrive in; kills hide it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import story_text

from indexer import Index

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
QUAKE = "urn:newsml:example.org:20260920:quake-lima"


def copy(names: list[str], folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(FIXTURES / name, folder / name)


@pytest.mark.parametrize("order", [["newsml-g2-v1.xml", "newsml-g2-v2.xml"],
                                   ["newsml-g2-v2.xml", "newsml-g2-v1.xml"]])
def test_newest_version_wins_within_a_run(tmp_path: Path, order: list[str]) -> None:
    copy(order, tmp_path / "wire")
    index = Index.create(str(tmp_path / "index"))
    index.ingest([str(tmp_path / "wire")])
    hits = index.search("debris OR damage", limit=20)
    assert {h.version for h in hits} == {2}
    assert any("falling debris" in h.text for h in hits)
    assert index.story(QUAKE).version == 2


def test_newest_version_wins_across_runs_in_either_order(tmp_path: Path) -> None:
    index = Index.create(str(tmp_path / "index"))
    copy(["newsml-g2-v2.xml"], tmp_path / "a")
    index.ingest([str(tmp_path / "a")])
    copy(["newsml-g2-v1.xml"], tmp_path / "b")  # the older version arrives later
    index.ingest([str(tmp_path / "b")])
    assert {h.version for h in index.search("quake earthquake Lima", limit=20)} == {2}


def test_all_versions_finds_superseded_ones_marked(tmp_path: Path) -> None:
    copy(["newsml-g2-v1.xml", "newsml-g2-v2.xml"], tmp_path / "wire")
    index = Index.create(str(tmp_path / "index"))
    index.ingest([str(tmp_path / "wire")])
    assert index.search('"no damage had been reported"') == []
    old = index.search('"no damage had been reported"', all_versions=True)
    assert [(h.version, h.superseded) for h in old] == [(1, True)]
    assert old[0].to_dict(with_version=True)["superseded"] is True
    current = index.search('body:"falling debris"', all_versions=True)
    assert [(h.version, h.superseded) for h in current] == [(2, False)]
    assert index.story(QUAKE, version=1).paragraphs[1].endswith("no damage had been reported.")


def test_kill_removes_the_story_and_deleting_the_kill_restores_it(tmp_path: Path) -> None:
    copy(["newsml-g2-v1.xml", "newsml-g2-v2.xml", "newsml-g2-v3-kill.xml"], tmp_path / "wire")
    index = Index.create(str(tmp_path / "index"))
    index.ingest([str(tmp_path / "wire")])
    assert index.search("earthquake Lima") == []
    assert index.search("earthquake Lima", all_versions=True)
    (tmp_path / "wire" / "newsml-g2-v3-kill.xml").unlink()
    index.ingest([str(tmp_path / "wire")], prune=True)
    assert {h.version for h in index.search("earthquake Lima")} == {2}


def test_ap_writethrus_in_one_stream(tmp_path: Path) -> None:
    copy(["anpa.tst"], tmp_path / "wire")
    index = Index.create(str(tmp_path / "index"))
    index.ingest([str(tmp_path / "wire")])
    hits = index.search("avalanche Zermatt", limit=10)
    assert hits and {h.story_id for h in hits} == {"BC-EU--Alps-Avalanche/01-15/v2"}


def test_ninjs_versions_from_different_files(tmp_path: Path) -> None:
    copy(["ninjs-v1.json", "ninjs-v3.json"], tmp_path / "wire")
    index = Index.create(str(tmp_path / "index"))
    index.ingest([str(tmp_path / "wire")])
    assert {h.headline for h in index.search("painting museum")} == {
        "Vienna museum returns painting to heirs"}


def test_plain_stories_are_their_own_current_version(tmp_path: Path) -> None:
    (tmp_path / "wire").mkdir()
    (tmp_path / "wire" / "a.txt").write_text(story_text(lead="Glaciers retreat."))
    index = Index.create(str(tmp_path / "index"))
    index.ingest([str(tmp_path / "wire")])
    assert [h.superseded for h in index.search("glaciers")] == [False]


def test_story_of_a_killed_or_superseded_version_is_marked(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from indexer.cli import main

    copy(["newsml-g2-v1.xml", "newsml-g2-v2.xml"], tmp_path / "wire")
    index = Index.create(str(tmp_path / "index"))
    index.ingest([str(tmp_path / "wire")])
    current, old = index.story(QUAKE), index.story(QUAKE, version=1)
    assert (current.version, current.superseded) == (2, False)
    assert (old.version, old.superseded) == (1, True)
    copy(["newsml-g2-v3-kill.xml"], tmp_path / "wire")
    index.ingest([str(tmp_path / "wire")])
    killed = index.story(QUAKE)
    assert (killed.version, killed.status, killed.superseded) == (3, "canceled", True)
    assert index.story(QUAKE, version=2).superseded  # search hides it, and so says story
    runner = CliRunner()
    shown = runner.invoke(main, ["story", QUAKE, "--index", str(tmp_path / "index")])
    assert shown.exit_code == 0
    assert shown.output.splitlines()[0] == "[KILLED: version 3 withdraws this story]"
    as_json = json.loads(runner.invoke(main, ["story", QUAKE, "--json", "--index",
                                              str(tmp_path / "index")]).output)
    assert (as_json["version"], as_json["status"], as_json["superseded"]) == (
        3, "canceled", True)


# -- the same answer for programs that read the index with stock Whoosh


def stock_view(path: Path) -> set[tuple[str, int, int]]:
    """The paragraphs stock Whoosh shows when it masks `superseded:yes`, as the README says."""
    from whoosh import index as whoosh_index
    from whoosh.query import Term

    ix = whoosh_index.open_dir(str(path))
    assert type(ix) is whoosh_index.FileIndex  # stock Whoosh's own index class
    with ix.searcher() as searcher:
        hits = searcher.search(Term("kind", "paragraph"), mask=Term("superseded", "yes"),
                               limit=None)
        return {(hit["story_id"], hit["version"], hit["paragraph"]) for hit in hits}


def our_view(path: Path) -> tuple[set, int]:
    """The paragraphs of current versions as queries decide it (indexer.store.versions), and how
    many paragraphs the index holds in all."""
    from whoosh.query import Term

    from indexer.store.versions import CurrentVersions

    with Index.open(str(path)).whoosh_index.searcher() as searcher:
        current = CurrentVersions(searcher)
        every = [(docnum, searcher.stored_fields(docnum))
                 for docnum in searcher.docs_for_query(Term("kind", "paragraph"))]
        # queries read the marks (is_current_paragraph) where the index has them
        decided = [current.is_current_record(r) for _, r in every]
        if "superseded" in searcher.schema:
            assert [current.is_current_paragraph(n, r) for n, r in every] == decided
        return ({(r["story_id"], r["version"], r["paragraph"])
                 for (_, r), shown in zip(every, decided, strict=True) if shown}, len(every))


@pytest.mark.parametrize("workers", [1, 2])
def test_stock_whoosh_masking_superseded_sees_what_queries_show(tmp_path: Path,
                                                                workers: int) -> None:
    wire, path = tmp_path / "wire", tmp_path / "index"
    index = Index.create(str(path))
    wire.mkdir()
    (wire / "plain.txt").write_text(story_text(lead="Glaciers retreat."))
    steps = [  # (files added, files removed, the quake's current version afterwards)
        (["newsml-g2-v2.xml"], [], 2),
        (["newsml-g2-v1.xml"], [], 2),  # the older version arrives later
        (["newsml-g2-v3-kill.xml"], [], None),
        ([], ["newsml-g2-v3-kill.xml"], 2),  # deleting the kill restores the story
        ([], ["newsml-g2-v2.xml"], 1),
        (["newsml-g2-v2.xml", "newsml-g2-v3-kill.xml"], [], None),  # both in one batch
        ([], ["newsml-g2-v3-kill.xml"], 2),
    ]
    for added, removed, current in steps:
        copy(added, wire)
        for name in removed:
            (wire / name).unlink()
        index.ingest([str(wire)], prune=True, workers=workers)
        ours, _ = our_view(path)
        assert stock_view(path) == ours
        shown = {version for story_id, version, _ in ours if story_id == QUAKE}
        assert shown == ({current} if current else set())


def test_an_index_made_before_the_field_gets_it_at_the_next_run(tmp_path: Path) -> None:
    wire, path = tmp_path / "wire", tmp_path / "index"
    copy(["newsml-g2-v1.xml", "newsml-g2-v2.xml"], wire)
    index = Index.create(str(path))
    index.ingest([str(wire)])
    writer = index.whoosh_index.writer()
    writer.remove_field("superseded")  # as the index was before the field existed
    writer.commit()
    ours, paragraphs = our_view(path)
    assert "superseded" not in Index.open(str(path)).whoosh_index.schema
    assert paragraphs > len(ours)
    report = Index.open(str(path)).ingest([str(wire)])
    assert report.added == 0
    assert stock_view(path) == ours


def test_the_readme_stock_whoosh_snippet_shows_current_versions_only(tmp_path: Path) -> None:
    import re
    import subprocess
    import sys

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    snippet = re.search(r"Stock Whoosh reads it directly:\n\n```python\n(.*?)```", readme, re.S)
    assert snippet is not None
    copy(["newsml-g2-v1.xml", "newsml-g2-v2.xml"], tmp_path / "wire")
    Index.create(str(tmp_path / "index")).ingest([str(tmp_path / "wire")])
    program = snippet.group(1).replace('parse("drought")', 'parse("earthquake OR Valdivia")')
    printed = subprocess.run([sys.executable, "-c", program], cwd=tmp_path, check=True,
                             capture_output=True, text=True).stdout.splitlines()
    assert sorted(line.split()[1:3] for line in printed) == [["2", "1"], ["2", "2"]]


def test_check_finds_superseded_marks_that_disagree_with_the_versions(tmp_path: Path) -> None:
    from whoosh.query import Term

    copy(["newsml-g2-v1.xml", "newsml-g2-v2.xml"], tmp_path / "wire")
    index = Index.create(str(tmp_path / "index"))
    index.ingest([str(tmp_path / "wire")])
    assert index.check() == []
    ix = index.whoosh_index
    with ix.searcher() as searcher:
        (docnum, *_) = searcher.docs_for_query(Term("superseded", "yes"))
        fields = searcher.stored_fields(docnum)
    writer = ix.writer()  # a program re-writes a superseded paragraph without its mark
    writer.delete_document(docnum)
    writer.add_document(**fields)
    writer.commit()
    assert Index.open(str(tmp_path / "index")).check() == [
        "1 paragraphs carry the wrong `superseded` mark, which programs reading the index "
        "with stock Whoosh rely on (indexer query decides versions itself; to repair the "
        "marks, ingest into a fresh --index folder)"]
