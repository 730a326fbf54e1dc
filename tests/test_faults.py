"""Faults that used to end in exit 70, a traceback or a hang: one line and the right code."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CORPUS, ROOT, file_size_limit, story_text

from indexer import Index, cli
from indexer.ingest.walk import walk


def indexer(*args: str, env: dict | None = None, preexec=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "indexer", *args], capture_output=True,
                          cwd=ROOT, env=env, timeout=300, preexec_fn=preexec)


def one_line(result: subprocess.CompletedProcess) -> str:
    assert b"Traceback" not in result.stderr + result.stdout
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


# -- 5: the people command reads no more than ingest would


def test_people_reads_at_most_what_ingest_would() -> None:
    result = indexer("people", "/dev/zero")
    assert result.returncode == 2
    assert "input too large" in one_line(result)


# -- 6: a scheduler that never answers, or answers junk


class Listener:
    """A TCP port on localhost that accepts and then stays silent, or sends junk."""

    def __init__(self, junk: bool) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.junk, self.open, self.accepted = junk, True, []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while self.open:
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            self.accepted.append(connection)
            if self.junk:
                connection.sendall(b"\xff" * 4096)

    def close(self) -> None:
        self.open = False
        self.thread.join()
        for connection in self.accepted:
            connection.close()
        self.server.close()


@pytest.mark.parametrize(("kind", "message"), [
    ("silent", "did not answer within"), ("junk", "other than Dask's protocol"),
    ("notaurl", "is not a scheduler address"), ("tcp://", "is not a scheduler address")])
def test_a_scheduler_that_is_not_one_is_exit_6(tmp_path: Path, monkeypatch, kind: str,
                                               message: str) -> None:
    pytest.importorskip("distributed")
    from indexer import cluster

    monkeypatch.setattr(cluster, "PROBE_SECONDS", 0.5)
    listener = Listener(junk=kind == "junk") if kind in ("silent", "junk") else None
    address = f"tcp://127.0.0.1:{listener.port}" if listener else kind
    try:
        archive = str(tmp_path / "archive")
        for args in (("ingest", str(CORPUS), "--shard-by", "year"), ("query", "drought")):
            started = time.monotonic()
            result = CliRunner().invoke(cli.main, [*args, "--index", archive,
                                                   "--scheduler", address])
            assert result.exit_code == 6, (args, result.output)
            (line,) = result.output.strip().splitlines()
            assert message in line
            assert time.monotonic() - started < 30  # answered, not hung (the probe: 0.5 s)
    finally:
        if listener:
            listener.close()


# -- 7: a full disk with workers is the same line and code as without


def test_a_write_failing_in_a_worker_is_one_line_exit_5_and_heals(tmp_path: Path) -> None:
    wire = tmp_path / "wire"
    wire.mkdir()
    for n in range(40):
        (wire / f"s{n}.txt").write_text(story_text(
            lead=f"Story {n} about harbor tides and the price of grain.",
            paragraphs=tuple(f"Paragraph {k} of story {n}, on cranes and tides." * 8
                             for k in range(12))))
    lines = {}
    for workers in ("1", "2"):
        index = tmp_path / f"ix{workers}"
        result = indexer("ingest", str(wire), "--index", str(index), "--workers", workers,
                         preexec=file_size_limit)
        assert result.returncode == 5, result.stderr
        lines[workers] = one_line(result).replace(f"ix{workers}", "ix")
        assert not (index / "MAIN.tmp").exists()  # a full disk must not stay full
        healed = indexer("ingest", str(wire), "--index", str(index), "--workers", workers)
        assert healed.returncode == 0, healed.stderr
        assert Index.open(str(index)).count("harbor")[1] == 40
    assert lines["1"] == lines["2"]
    assert "File too large" in lines["2"]


# -- 8: a folder nested deeper than Python's recursion limit


def _remove_deep(top: Path) -> None:
    """Remove a tree deeper than shutil.rmtree's recursion (pytest's clean-up of old
    temporary folders would fail on it), deepest folder first, by relative paths."""
    depth = 0
    fd = os.open(top, os.O_RDONLY)
    try:
        while "d" in os.listdir(fd):
            inner = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd, depth = inner, depth + 1
        while depth:
            for name in os.listdir(fd):
                os.unlink(name, dir_fd=fd)
            outer = os.open("..", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd, depth = outer, depth - 1
            os.rmdir("d", dir_fd=fd)
    finally:
        os.close(fd)


@pytest.fixture
def deep_tree(tmp_path: Path):
    top = tmp_path / "deep"
    top.mkdir()
    yield top
    _remove_deep(top)


def test_a_folder_nested_1500_deep_is_walked(tmp_path: Path, deep_tree: Path) -> None:
    top = deep_tree
    (top / "a.txt").write_text(story_text(lead="At the top of a deep tree."))
    fd = os.open(top, os.O_RDONLY)
    try:  # each level made relative to the last: the full path is past PATH_MAX
        for _ in range(1500):
            os.mkdir("d", dir_fd=fd)
            inner = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
        with open(os.open("z.txt", os.O_WRONLY | os.O_CREAT, dir_fd=fd), "w") as f:
            f.write(story_text(lead="At the bottom of a deep tree."))
    finally:
        os.close(fd)
    walked = [str(path) for path, _ in walk([str(top)])]
    assert walked[0].endswith("a.txt")
    assert len(walked) >= 2  # the bottom, or the folder too deep to list, reported
    result = indexer("ingest", str(top), "--index", str(tmp_path / "ix"))
    assert result.returncode in (0, 3), result.stderr
    assert b"Traceback" not in result.stderr and b"RecursionError" not in result.stderr
    assert Index.open(str(tmp_path / "ix")).count("top")[0] == 1


def test_the_walk_order_is_files_then_folders_by_name(tmp_path: Path) -> None:
    for name in ("b/x.txt", "a/c/y.txt", "a/z.txt", "m.txt", "a/c/d/w.txt", "c.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    order = [str(path.relative_to(tmp_path)) for path, _ in walk([str(tmp_path)])]
    assert order == ["c.txt", "m.txt", "a/z.txt", "a/c/y.txt", "a/c/d/w.txt", "b/x.txt"]


# -- 9: our own bookkeeping files, damaged


def test_damaged_bookkeeping_is_reported_and_rebuilt(tmp_path: Path) -> None:
    index = tmp_path / "ix"
    cli_run = CliRunner()
    assert cli_run.invoke(cli.main, ["ingest", str(CORPUS), "--index", str(index)]
                          ).exit_code == 0
    for garbage in (b"{not json", b"\xff\xfe\x00", b"[1, 2]", b'{"outcome": 5}',
                    b'{"a.txt": {"size": "x"}}'):
        for name in ("last_run.json", "rejected.json"):
            (index / name).write_bytes(garbage)
        stats = cli_run.invoke(cli.main, ["stats", "--index", str(index)])
        assert stats.exit_code == 0, (garbage, stats.output)
        assert "last run    unknown" in stats.output
        for args in (["stats", "--json"], ["query", "drought", "--count"], ["check"]):
            result = cli_run.invoke(cli.main, [*args, "--index", str(index)])
            assert result.exit_code == 0, (garbage, args, result.output)
        assert cli_run.invoke(cli.main, ["ingest", str(CORPUS), "--index", str(index)]
                              ).exit_code == 0
        assert json.loads((index / "last_run.json").read_text())["outcome"] == "ok"
        assert json.loads((index / "rejected.json").read_text()) == {}


# -- 10: helpers die with the run


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG: Linux")
def test_merges_of_a_killed_optimize_die_with_it(tmp_path: Path) -> None:
    index = tmp_path / "ix"
    for part in ("us", "world", "business", "sports"):
        assert indexer("ingest", str(CORPUS / part), "--index", str(index)).returncode == 0
    env = {**os.environ, "INDEXER_PAUSE_AT": "merging"}
    run = subprocess.Popen([sys.executable, "-m", "indexer", "optimize", "--workers", "2",
                            "--index", str(index)], cwd=ROOT, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while len(_children(run.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        helpers = _children(run.pid)
        assert len(helpers) >= 2
        run.kill()
        run.wait()
        deadline = time.monotonic() + 10  # they die at once; a busy machine may be slow to show it
        while any(map(_alive, helpers)) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not any(map(_alive, helpers))
    finally:
        if run.poll() is None:
            run.kill()


# -- a reader that goes away (| head)


@pytest.mark.parametrize("output", ["jsonl", "json", "text", "trec"])
def test_a_closed_pipe_stops_quietly(corpus_index: Index, output: str) -> None:
    """`indexer query ... | head -1`: the first line arrives, then the command stops
    with exit 0 and says nothing (not "Broken pipe", not exit 5: the index is fine)."""
    command = [sys.executable, "-m", "indexer", "query", "*", "--index", corpus_index.path,
               "--limit", "1000", "--context", "50", "--format", output]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()  # as head does after its line: the rest cannot be written
    error = process.stderr.read()
    assert process.wait(timeout=120) == 0
    assert first and error == b""
