"""SIGKILL at known points of a commit and at random moments, and queries while ingest
writes. The random trials are marked slow: `pytest -m "not slow"` skips them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from indexer import Index
from indexer.crashcheck import (
    consistent,
    ingest_command,
    make_wire_folder,
    paragraph_ids,
    run_trials,
)

TRIALS = int(os.environ.get("INDEXER_KILL_TRIALS", "50"))
POINTS = ("before-commit", "inside-commit", "after-commit")


@pytest.fixture(scope="module")
def wire(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """30 stories (6 batches of 5 files) and the paragraph ids of an uninterrupted run."""
    root = tmp_path_factory.mktemp("crash-points")
    make_wire_folder(root / "wire", 30)
    subprocess.run(ingest_command(root / "wire", root / "reference"), check=True)
    return root / "wire", paragraph_ids(root / "reference")


def _killed_at(point: str, folder: Path, index_dir: Path, workers: int) -> int:
    """Files the index records after an ingest killed at `point` (name:n); then a rerun
    must give exactly the uninterrupted run's paragraphs."""
    run = subprocess.run(ingest_command(folder, index_dir, workers=workers),
                         env={**os.environ, "INDEXER_CRASH_AT": point})
    assert run.returncode == -signal.SIGKILL, point  # the kill landed where it was sent
    assert consistent(index_dir) is None
    index = Index.open(str(index_dir))
    files = index.stats()["files"]
    index.close()
    return files


@pytest.mark.parametrize("workers", [1, 2])
def test_a_kill_before_inside_or_after_a_commit_loses_nothing(
        wire: tuple[Path, list[str]], tmp_path: Path, workers: int) -> None:
    folder, expected = wire
    files = {}
    # the create's commit is the first; the third is batch 2, the fourth batch 3
    for point, nth in [(point, 3) for point in POINTS] + [("before-commit", 4)]:
        index_dir = tmp_path / f"{point}-{nth}"
        files[point, nth] = _killed_at(f"{point}:{nth}", folder, index_dir, workers)
        subprocess.run(ingest_command(folder, index_dir, workers=workers), check=True)
        assert paragraph_ids(index_dir) == expected, (point, nth)
    # batch 1 committed; a kill before the new table of contents is renamed leaves it so
    assert 0 < files["before-commit", 3] == files["inside-commit", 3]
    # once renamed, batch 2 is in: as much as the next commit starts from
    assert files["after-commit", 3] == files["before-commit", 4] > files["before-commit", 3]
    if workers == 1:  # batches of 5 files
        assert (files["before-commit", 3], files["after-commit", 3]) == (5, 10)


# the ingest command with size tiers small enough that the test's batches merge
SMALL_TIERS = """
import sys
from indexer.store import storage
storage.TINY_SEGMENT, storage.MERGE_FACTOR = 1, 2
from indexer.cli import main
sys.argv[0] = "indexer"
main()
"""


@pytest.mark.parametrize("workers", [1, 2])
def test_a_kill_inside_a_merge_loses_nothing(wire: tuple[Path, list[str]], tmp_path: Path,
                                             workers: int) -> None:
    folder, expected = wire
    index_dir = tmp_path / "index"
    command = [sys.executable, "-c", SMALL_TIERS,
               *ingest_command(folder, index_dir, workers=workers)[3:]]
    # the run's second merge; with workers, a worker's first (each merges beside the
    # others reading, and the run's last merges are shared among them)
    point = "merging:2" if workers == 1 else "merging:1"
    run = subprocess.run(command, env={**os.environ, "INDEXER_CRASH_AT": point},
                         capture_output=True, text=True)
    if workers == 1:
        assert run.returncode == -signal.SIGKILL
    else:  # the merging worker was killed: the run stops with a plain error
        assert run.returncode not in (0, -signal.SIGKILL) and "died" in run.stderr
    assert consistent(index_dir) is None
    files = Index.open(str(index_dir)).stats()["files"]
    # one worker merges at a commit, mid-run; a worker's first merge may be one of the
    # run's last, after every file is committed
    assert 0 < files < 30 if workers == 1 else 0 < files <= 30
    rerun = subprocess.run(command, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert paragraph_ids(index_dir) == expected
    assert consistent(index_dir) is None


def test_a_kill_inside_optimize_leaves_the_index_as_it_was(
        wire: tuple[Path, list[str]], tmp_path: Path) -> None:
    folder, expected = wire
    index_dir = tmp_path / "index"
    # one segment per file: tiny segments left unmerged
    subprocess.run([sys.executable, "-c", textwrap.dedent("""
        import sys
        from indexer import Index
        Index.create(sys.argv[1]).ingest([sys.argv[2]], batch_files=1, merge=False)
    """), str(index_dir), str(folder)], check=True)
    before = Index.open(str(index_dir))
    segments = before.segment_count()
    before.close()
    assert segments > 1
    optimize = [sys.executable, "-m", "indexer", "optimize", "--index", str(index_dir)]
    run = subprocess.run(optimize, env={**os.environ, "INDEXER_CRASH_AT": "inside-commit"})
    assert run.returncode == -signal.SIGKILL
    assert consistent(index_dir) is None and paragraph_ids(index_dir) == expected
    after = Index.open(str(index_dir))
    assert after.segment_count() == segments
    after.close()
    subprocess.run(optimize, check=True)
    assert paragraph_ids(index_dir) == expected


def test_a_killed_merge_process_leaves_the_index_as_it_was(
        wire: tuple[Path, list[str]], tmp_path: Path) -> None:
    folder, expected = wire
    index_dir = tmp_path / "index"
    Index.create(str(index_dir)).ingest([str(folder)], batch_files=1, merge=False)
    before = Index.open(str(index_dir))
    segments = before.segment_count()
    before.close()
    optimize = [sys.executable, "-m", "indexer", "optimize", "--index", str(index_dir),
                "--workers", "2"]
    # each merging process kills itself in its first merge
    run = subprocess.run(optimize, env={**os.environ, "INDEXER_CRASH_AT": "merging:1"},
                         capture_output=True, text=True)
    assert run.returncode == 5
    assert run.stderr.count("\n") == 1 and "the index is as it was" in run.stderr
    assert consistent(index_dir) is None and paragraph_ids(index_dir) == expected
    after = Index.open(str(index_dir))
    assert after.segment_count() == segments
    after.close()
    subprocess.run(optimize, check=True, capture_output=True)
    assert paragraph_ids(index_dir) == expected
    assert Index.open(str(index_dir)).segment_count() == 2


@pytest.mark.slow
def test_killed_ingest_always_recovers_exactly(tmp_path: Path) -> None:
    assert run_trials(tmp_path, TRIALS) == []


QUERY_LOOP = textwrap.dedent("""
    import sys, time
    from indexer import Index
    from indexer.errors import IndexNotFoundError
    path, seconds = sys.argv[1], float(sys.argv[2])
    deadline, queries, partial = time.time() + seconds, 0, 0
    kept = None  # one long-lived index, as an embedding tool keeps it, beside fresh opens
    while time.time() < deadline:
        try:
            fresh = Index.open(path)
        except IndexNotFoundError:
            time.sleep(0.01)  # not created yet
            continue
        kept = kept or Index.open(path)
        for index in (fresh, kept):
            hits = index.search("harbor cranes", limit=50)
            for hit in hits:
                story = index.story(hit.story_id)
                if story is None or len(story.paragraphs) != hit.paragraphs:
                    partial += 1
            index.stats()
            queries += 1
        fresh.close()
    print(queries, partial)
""")


def test_queries_during_ingest_never_fail_and_see_whole_commits(tmp_path: Path) -> None:
    folder = tmp_path / "wire"
    make_wire_folder(folder, 150)
    index_dir = tmp_path / "index"
    writer = subprocess.Popen(ingest_command(folder, index_dir, batch_files=3))
    readers = [subprocess.Popen([sys.executable, "-c", QUERY_LOOP, str(index_dir), "6"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(2)]
    outputs = [reader.communicate(timeout=120) for reader in readers]
    assert writer.wait(timeout=120) == 0
    for (out, err), reader in zip(outputs, readers, strict=True):
        assert reader.returncode == 0, err
        queries, partial = (int(x) for x in out.split())
        assert queries > 5 and partial == 0


WORKER_TRIALS = int(os.environ.get("INDEXER_KILL_TRIALS_WORKERS", "12"))


@pytest.mark.slow
def test_killed_ingest_with_workers_recovers_exactly(tmp_path: Path) -> None:
    assert run_trials(tmp_path, WORKER_TRIALS, workers=2, seed=20261125) == []


@pytest.mark.slow
def test_killed_ingest_sharing_large_files_among_workers_recovers_exactly(
        tmp_path: Path) -> None:
    from indexer.crashcheck import trec_record
    from indexer.ingest.run import SPLIT_BYTES

    per_file = SPLIT_BYTES // len(trec_record(0)) + 1  # each file large enough to share
    assert run_trials(tmp_path, 6, stories=2 * per_file, workers=2, seed=20261130,
                      max_delay=2.0, per_file=per_file) == []


def test_workers_let_the_lock_go_and_exit_with_a_killed_run(tmp_path: Path) -> None:
    from indexer.ingest.ledger import ingest_lock

    folder = tmp_path / "wire"
    make_wire_folder(folder, 3000)  # seconds of work: the kill lands while it runs
    index_dir = tmp_path / "index"
    run = subprocess.Popen(ingest_command(folder, index_dir, batch_files=50, workers=2))
    children = _workers_of(run)
    run.send_signal(signal.SIGKILL)
    run.wait()
    with ingest_lock(str(index_dir)):  # at once: the workers closed their copy of the lock
        pass
    deadline = time.monotonic() + 10
    while any(os.path.exists(f"/proc/{pid}") and not _zombie(pid) for pid in children):
        assert time.monotonic() < deadline, "a worker outlived its run by 10 s"
        time.sleep(0.1)


def _workers_of(run: subprocess.Popen) -> list[int]:
    """The run's two worker processes, once both started and are reading files."""
    children: list[int] = []
    deadline = time.monotonic() + 60
    while len(children) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
        with open(f"/proc/{run.pid}/task/{run.pid}/children") as f:
            children = [int(pid) for pid in f.read().split()]
    assert len(children) == 2, "the run never started its two workers"
    time.sleep(0.2)
    return children


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def test_ctrl_c_stops_a_run_with_workers_quietly(tmp_path: Path) -> None:
    folder = tmp_path / "wire"
    make_wire_folder(folder, 3000)  # seconds of work: the signal lands while it runs
    index_dir = tmp_path / "index"
    # its own process group, as a terminal's foreground job: Ctrl-C signals all of it
    # SIGINT handled as in a terminal even when this test itself runs in the background,
    # where a shell starts it with SIGINT ignored, and ignored signals are inherited
    run = subprocess.Popen(ingest_command(folder, index_dir, batch_files=50, workers=2),
                           stderr=subprocess.PIPE, text=True, start_new_session=True,
                           preexec_fn=lambda: signal.signal(signal.SIGINT,
                                                            signal.default_int_handler))
    children = _workers_of(run)
    os.killpg(run.pid, signal.SIGINT)
    _, err = run.communicate(timeout=60)
    assert run.returncode == 130 and "Traceback" not in err, err
    assert not any(os.path.exists(f"/proc/{pid}") and not _zombie(pid) for pid in children)
    from indexer import Index

    assert Index.open(str(index_dir)).check() == []


def test_workers_exit_when_the_run_dies_halfway_through_sending_them_a_job(
        tmp_path: Path) -> None:
    # the run writes the first bytes of a job to each worker and dies: a worker that held
    # the run's end of its pipe itself would wait for the rest of the message for ever
    helper = textwrap.dedent(f"""
        import os, signal, struct, sys
        from indexer import Index
        from indexer.enrich.people import PeopleFinder
        from indexer.ingest.workers import WorkerPool
        index = Index.create({str(tmp_path / "index")!r})
        pool = WorkerPool(index.whoosh_index, "auto", PeopleFinder(), 2, 64)
        for connection in pool.connections:
            os.write(connection.fileno(), struct.pack("!i", 4096) + b"x" * 16)
        print(" ".join(str(p.pid) for p in pool.processes), flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    # not run(capture_output=...): workers that outlive the run hold its output open
    run = subprocess.Popen([sys.executable, "-c", helper], stdout=subprocess.PIPE, text=True)
    assert run.stdout is not None
    workers = [int(pid) for pid in run.stdout.readline().split()]
    assert run.wait(timeout=60) == -signal.SIGKILL
    assert len(workers) == 2
    try:
        deadline = time.monotonic() + 10
        while any(os.path.exists(f"/proc/{pid}") and not _zombie(pid) for pid in workers):
            assert time.monotonic() < deadline, "a worker outlived its run by 10 s"
            time.sleep(0.1)
    finally:
        for pid in workers:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def test_an_archive_run_killed_while_planning_leaves_no_planner_and_no_traceback(
        tmp_path: Path) -> None:
    folder = tmp_path / "wire"
    make_wire_folder(folder, 6000)  # a plan of seconds: the kill lands in it
    command = [*ingest_command(folder, tmp_path / "archive", workers=2), "--shard-by", "month"]
    with open(tmp_path / "stderr", "w") as stderr:
        run = subprocess.Popen(command, stderr=stderr)
        planners = _workers_of(run)
        run.send_signal(signal.SIGKILL)
        run.wait()
        deadline = time.monotonic() + 10
        while any(os.path.exists(f"/proc/{pid}") and not _zombie(pid) for pid in planners):
            assert time.monotonic() < deadline, "a planner outlived its run by 10 s"
            time.sleep(0.1)
    assert "Traceback" not in (tmp_path / "stderr").read_text()
