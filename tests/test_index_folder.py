"""The index folder is ours only when we made it: a user's files are never removed, a
damaged index is reported, never started over in; segment files carry checksums."""

from __future__ import annotations

import json
import os
import random
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CORPUS, story_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer import Index, cli
from indexer.errors import IndexDamagedError
from indexer.store.checksums import verify_segment
from indexer.store.folder import OWNER_NAME, journaled


def run(*args: str):
    return CliRunner().invoke(cli.main, list(args))


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def user_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "mine"
    (folder / "important.tmp").mkdir(parents=True)
    (folder / "important.tmp" / "thesis.docx").write_bytes(b"years of work")
    (folder / "notes.tmp").write_text("notes")
    (folder / "MAIN_mine.seg").write_text("not a segment")
    (folder / "readme.txt").write_text("readme")
    return folder


def test_ingest_refuses_a_users_folder_and_removes_nothing(tmp_path: Path) -> None:
    folder = user_folder(tmp_path)
    before = tree(folder)
    result = run("ingest", str(CORPUS), "--index", str(folder))
    assert result.exit_code == 5
    assert "not an index of this tool" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert tree(folder) == before
    assert not (folder / OWNER_NAME).exists()


def test_an_archive_is_not_made_over_a_users_folder(tmp_path: Path) -> None:
    folder = user_folder(tmp_path)
    before = tree(folder)
    result = run("ingest", str(CORPUS), "--index", str(folder), "--shard-by", "year")
    assert result.exit_code == 5
    assert tree(folder) == before


def test_ingest_into_a_file_is_one_line(tmp_path: Path) -> None:
    target = tmp_path / "afile"
    target.write_text("x")
    result = run("ingest", str(CORPUS), "--index", str(target))
    assert result.exit_code == 5
    assert "is a file, not a folder" in result.output
    assert "Errno" not in result.output
    assert target.read_text() == "x"


def test_an_empty_folder_becomes_an_index(tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    assert run("ingest", str(CORPUS), "--index", str(folder)).exit_code == 0
    assert (folder / OWNER_NAME).is_file()


def test_a_users_file_in_an_index_folder_survives_commits_and_clean_up(tmp_path: Path) -> None:
    wire = tmp_path / "wire"
    wire.mkdir()
    (wire / "a.txt").write_text(story_text(lead="First story about grain."))
    index = tmp_path / "index"
    assert run("ingest", str(wire), "--index", str(index)).exit_code == 0
    # files shaped like Whoosh's own, that no writer of the index began
    foreign = {"MAIN_mine.seg": b"mine", "MAIN_zz.trm": b"mine too", "MAIN.tmpx": b"x"}
    for name, data in foreign.items():
        (index / name).write_bytes(data)
    for n in range(3):  # commits, merges, and a run's start-up clean-up
        (wire / f"b{n}.txt").write_text(story_text(lead=f"Story {n} about grain."))
        assert run("ingest", str(wire), "--index", str(index)).exit_code == 0
    assert run("optimize", "--index", str(index)).exit_code == 0
    for name, data in foreign.items():
        assert (index / name).read_bytes() == data


def test_a_killed_writers_segment_files_are_removed(tmp_path: Path) -> None:
    """The journal names the segments writers of the index began: those, and only those,
    are removed when no table of contents lists them."""
    index = Index.create(str(tmp_path / "index"))
    index.ingest([str(CORPUS / "us")])
    folder = Path(index.path)
    orphan = "MAIN_0123456789abcdef"
    (folder / "segments.journal").open("a").write(orphan + "\n")
    (folder / f"{orphan}.seg").write_bytes(b"half-written")
    (folder / "MAIN_fedcba9876543210.seg").write_bytes(b"never journaled")
    index.ingest([str(CORPUS / "us")])
    assert not (folder / f"{orphan}.seg").exists()
    assert (folder / "MAIN_fedcba9876543210.seg").exists()
    assert orphan not in journaled(str(folder))
    index.close()


def test_an_index_without_its_table_of_contents_is_damaged_not_replaced(tmp_path: Path) -> None:
    index = tmp_path / "index"
    assert run("ingest", str(CORPUS), "--index", str(index)).exit_code == 0
    for toc in index.glob("_MAIN_*.toc"):
        toc.unlink()
    before = tree(index)
    for args in (("ingest", str(CORPUS)), ("query", "oil"), ("stats",), ("check",)):
        result = run(*args, "--index", str(index))
        assert result.exit_code == 5, args
        assert "damaged" in result.output and "table of contents" in result.output
        assert tree(index) == before, args
    with pytest.raises(IndexDamagedError):
        Index.create(str(index))


def test_an_index_written_before_markers_is_adopted(tmp_path: Path) -> None:
    index = tmp_path / "index"
    assert run("ingest", str(CORPUS / "us"), "--index", str(index)).exit_code == 0
    (index / OWNER_NAME).unlink()  # as an index of an earlier release has no marker
    (index / "segments.journal").unlink()
    assert run("ingest", str(CORPUS), "--index", str(index)).exit_code == 0
    assert (index / OWNER_NAME).is_file()
    assert run("query", "drought", "--index", str(index), "--count").exit_code == 0


names = st.text(alphabet="abcdefghijklmnopqrstuvwxyzMAIN_.0123456789", min_size=1,
                max_size=24).filter(lambda n: n not in (".", "..") and not n.startswith("."))


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=st.dictionaries(names, st.binary(max_size=64), min_size=1, max_size=6),
       folders=st.lists(names, max_size=2))
def test_fuzz_foreign_files_are_never_removed(tmp_path_factory, files, folders) -> None:
    folder = tmp_path_factory.mktemp("foreign") / "given"
    folder.mkdir()
    for name in folders:
        (folder / (name + ".d")).mkdir(exist_ok=True)
        (folder / (name + ".d") / "inside.txt").write_text("keep")
    for name, data in files.items():
        if not (folder / name).exists():
            (folder / name).write_bytes(data)
    before = tree(folder)
    result = run("ingest", str(CORPUS / "us"), "--index", str(folder))
    assert result.exit_code == 5
    assert tree(folder) == before


# -- checksums


@pytest.fixture(scope="module")
def clean_index(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("clean") / "index"
    index = Index.create(str(folder))
    index.ingest([str(CORPUS)])
    index.close()
    return folder


def answers(folder: Path) -> dict:
    """What query, story and stats answer, through the CLI."""
    found = {}
    for args in (("query", "drought", "--format", "json"), ("query", "farmers", "--count"),
                 ("story", "world/canberra-drought", "--json")):
        result = run(*args, "--index", str(folder))
        found[args] = (result.exit_code, result.output)
    return found


def flip(folder: Path, rng: random.Random, keep_time: bool) -> str:
    files = sorted(p for p in folder.iterdir() if p.name.startswith("MAIN_")
                   and p.suffix in (".seg", ".sums"))
    target = rng.choice(files)
    stat = target.stat()
    data = bytearray(target.read_bytes())
    start = rng.randrange(max(1, len(data) - 64))
    for i in range(start, min(len(data), start + 64)):
        data[i] ^= rng.randrange(1, 256)  # every byte of the 64 changed
    target.write_bytes(bytes(data))
    if keep_time:
        os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    return target.name


def test_check_finds_every_flipped_64_bytes(clean_index: Path, tmp_path: Path) -> None:
    """100 random trials: 64 bytes flipped in any segment file (its time kept, so only
    the bytes tell) are reported by check, with exit 5, naming the file."""
    rng = random.Random(40)
    for trial in range(100):
        folder = tmp_path / f"t{trial}"
        shutil.copytree(clean_index, folder)
        name = flip(folder, rng, keep_time=True)
        result = run("check", "--index", str(folder))
        assert result.exit_code == 5, (trial, name, result.output)
        assert name in result.output, (trial, name, result.output)
        shutil.rmtree(folder)


def test_damaged_index_answers_correctly_or_exits_5(clean_index: Path, tmp_path: Path) -> None:
    """query, story and optimize on an index with flipped bytes: the clean index's answer
    or exit 5, never 70, never another answer (each copy is a folder of its own, so this
    process's memory of the files it verified does not carry over)."""
    expected = answers(clean_index)
    rng = random.Random(41)
    for trial in range(24):
        folder = tmp_path / f"t{trial}"
        shutil.copytree(clean_index, folder)
        # half of the trials keep the file's time: a small index is read in full when a
        # process opens it (checksums.OPEN_CHECK_BYTES), so its bytes tell even then
        flip(folder, rng, keep_time=trial % 2 == 1)
        for args, (code, output) in answers(folder).items():
            assert code == 5 or (code, output) == expected[args], (trial, args, output)
        result = run("optimize", "--index", str(folder))
        assert result.exit_code == 5, (trial, result.output)
        assert "Traceback" not in result.output
        shutil.rmtree(folder)


def test_a_merge_never_copies_a_damaged_segment(tmp_path: Path) -> None:
    wire = tmp_path / "wire"
    shutil.copytree(CORPUS, wire)
    folder = tmp_path / "index"
    index = Index.create(str(folder))
    index.ingest([str(wire / "us")])
    index.ingest([str(wire / "world")])
    index.close()
    segments = sorted(folder.glob("MAIN_*.seg"))
    assert len(segments) >= 2
    flip(folder, random.Random(7), keep_time=True)
    before = sorted(p.name for p in folder.iterdir())
    result = run("optimize", "--index", str(folder))
    assert result.exit_code == 5
    assert "checksum mismatch" in result.output
    assert sorted(p.name for p in folder.iterdir()) == before


def test_every_segment_written_has_checksums(clean_index: Path) -> None:
    toc_segments = Index.open(str(clean_index)).whoosh_index._segments()
    for segment in toc_segments:
        assert verify_segment(str(clean_index), segment.segment_id(), full=True)
        sums = (clean_index / f"{segment.segment_id()}.sums").read_text().splitlines()
        assert list(json.loads(sums[0])["files"])


def test_an_archive_shard_without_its_table_of_contents_is_damage(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    assert run("ingest", str(CORPUS), "--index", str(archive), "--shard-by", "month"
               ).exit_code == 0
    shard = sorted((archive / "shards").iterdir())[0]
    for toc in shard.glob("_MAIN_*.toc"):
        toc.unlink()
    before = tree(archive)
    for args in (("query", "drought"), ("stats",), ("ingest", str(CORPUS))):
        result = run(*args, "--index", str(archive))
        assert result.exit_code == 5, (args, result.output)
        assert "table of contents" in result.output
    after = tree(archive)
    # the run's own record says it failed, and why; nothing else changed
    assert json.loads(after.pop("last_run.json"))["outcome"] == "failed"
    before.pop("last_run.json")
    assert after == before


def test_our_index_name_is_the_one_whoosh_gives_by_default() -> None:
    # folder.py spells the name itself (a private Whoosh constant stays in whoosh_ext):
    # the table of contents, segments and lock it recognises are the ones Whoosh writes
    from whoosh import index as whoosh_index

    from indexer.store import folder

    assert folder.INDEX_NAME == whoosh_index._DEF_INDEX_NAME
