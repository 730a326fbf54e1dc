"""What a run reads and how many times it shows it: symbolic links, one story in two
files; and a failed optimize leaves nothing behind."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from conftest import CORPUS, ROOT, file_size_limit, story_text

from indexer import Index, cli

FORMATS = Path(__file__).resolve().parent / "fixtures" / "formats"


def ingest(*args: str) -> int:
    return CliRunner().invoke(cli.main, ["ingest", *args]).exit_code


def test_links_out_of_the_folders_given_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(story_text(lead="The outside story on harbor tides."))
    (outside / "more").mkdir()
    (outside / "more" / "deep.txt").write_text(story_text(lead="A linked folder's story."))
    wire = tmp_path / "wire"
    wire.mkdir()
    (wire / "own.txt").write_text(story_text(lead="The wire's own story on harbor tides."))
    (wire / "inside-link.txt").symlink_to(wire / "own.txt")  # stays inside: read (once)
    (wire / "out-link.txt").symlink_to(outside / "secret.txt")
    (wire / "passwd").symlink_to("/etc/passwd")
    (wire / "folder-link").symlink_to(outside / "more")
    (wire / "loop").symlink_to(wire)
    index = tmp_path / "ix"
    assert ingest(str(wire), "--index", str(index)) == 0  # /etc/passwd never read
    found = Index.open(str(index))
    assert found.count("harbor") == (1, 1)
    assert found.count("linked") == (0, 0)
    found.close()
    followed = tmp_path / "ix2"
    assert ingest(str(wire), "--index", str(followed), "--follow-symlinks") == 3  # passwd
    found = Index.open(str(followed))
    assert found.count("outside") == (1, 1)
    assert found.count("linked") == (1, 1)  # the linked folder entered, the loop not twice
    found.close()


def test_a_link_given_on_the_command_line_is_read(tmp_path: Path) -> None:
    (tmp_path / "story.txt").write_text(story_text(lead="A story given by its link."))
    wire = tmp_path / "wire"
    wire.mkdir()
    (wire / "given.txt").symlink_to(tmp_path / "story.txt")
    assert ingest(str(wire / "given.txt"), "--index", str(tmp_path / "ix")) == 0
    assert Index.open(str(tmp_path / "ix")).count("given")[0] == 1


def test_one_story_in_two_files_is_shown_once(tmp_path: Path) -> None:
    wire = tmp_path / "wire"
    (wire / "a").mkdir(parents=True)
    (wire / "b").mkdir()
    shutil.copy(FORMATS / "nitf.xml", wire / "b" / "later.xml")
    index = tmp_path / "ix"
    assert ingest(str(wire), "--index", str(index)) == 0
    alone = [(h.story_id, h.paragraph) for h in Index.open(str(index)).search("cranes")]
    shutil.copy(FORMATS / "nitf.xml", wire / "a" / "first.xml")
    assert ingest(str(wire), "--index", str(index)) == 0
    found = Index.open(str(index))
    hits = found.search("cranes", limit=50)
    assert [(h.story_id, h.paragraph) for h in hits] == alone
    assert {h.source for h in hits} == {str((wire / "a" / "first.xml").resolve())}
    assert found.count("cranes")[1] == 1 and found.stats()["stories"] == 1
    result = CliRunner().invoke(cli.main, ["check", "--index", str(index)])
    assert result.exit_code == 0
    assert "is in 2 files" in result.output and "first.xml" in result.output
    found.close()
    (wire / "a" / "first.xml").unlink()  # the copy shown goes: the other comes back
    assert ingest(str(wire), "--index", str(index), "--prune") == 0
    found = Index.open(str(index))
    hits = found.search("cranes", limit=50)
    assert [(h.story_id, h.paragraph) for h in hits] == alone
    assert {h.source for h in hits} == {str((wire / "b" / "later.xml").resolve())}
    result = CliRunner().invoke(cli.main, ["check", "--index", str(index)])
    assert result.exit_code == 0 and "is in 2 files" not in result.output


def test_a_failed_optimize_removes_its_partial_files(tmp_path: Path) -> None:
    index = tmp_path / "ix"
    for part in ("us", "world", "business", "sports"):
        assert ingest(str(CORPUS / part), "--index", str(index)) == 0
    before = sorted(os.listdir(index))
    result = subprocess.run([sys.executable, "-m", "indexer", "optimize", "--index",
                             str(index)], cwd=ROOT, capture_output=True, timeout=300,
                            preexec_fn=file_size_limit)
    assert result.returncode == 5, result.stderr
    assert b"Traceback" not in result.stderr
    assert sorted(os.listdir(index)) == before
    assert not (index / "MAIN.tmp").exists()
    assert ingest(str(CORPUS), "--index", str(index)) == 0


def test_a_rejected_file_that_is_gone_is_no_longer_listed(tmp_path: Path) -> None:
    wire = tmp_path / "wire"
    wire.mkdir()
    (wire / "good.txt").write_text(story_text(lead="A good story on harbor tides."))
    for name in ("junk.bin", "empty.txt", "noise.txt"):
        (wire / name).write_bytes(b"\x00\x01\x02" * 50 if name != "empty.txt" else b"")
    index = tmp_path / "ix"
    assert ingest(str(wire), "--index", str(index)) == 3
    assert len(Index.open(str(index)).rejected_files()) == 3
    (wire / "junk.bin").unlink()
    for options in (("--prune",), ()):
        assert ingest(str(wire), "--index", str(index), *options) == 0
        listed = [Path(f["source"]).name for f in Index.open(str(index)).rejected_files()]
        assert sorted(listed) == ["empty.txt", "noise.txt"]
        result = CliRunner().invoke(cli.main, ["stats", "--index", str(index)])
        assert "rejected    2 files" in result.output
        assert "junk.bin" not in result.output
