"""Kill an ingest at random moments and prove the index always recovers exactly.

Used by the CI test (tests/test_crash.py, 50 trials) and by bench/soak_kill.py (as many as
you like). Each trial: start `indexer ingest` on a folder, SIGKILL it after a random delay,
check that whatever was committed opens and agrees with its own file records, then run the
ingest again and compare with an uninterrupted run: same paragraph ids, none doubled.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from .index import Index
from .ingest.ledger import read_ledger


def story_file(n: int) -> str:
    paragraphs = "\n\n".join(f"Paragraph {p} of story {n} about harbor cranes and tides."
                             for p in range(2, 6))
    return (f"Story {n}\n\nLONDON (AP) — Lead of story {n}.\n\n{paragraphs}\n\n"
            f"filed under: batch, n{n % 7}\n")


def trec_record(n: int) -> str:
    """Story n as a TREC record: the same five paragraphs as story_file's."""
    paragraphs = "".join(f"   Paragraph {p} of story {n} about harbor cranes and tides.\n"
                         for p in range(2, 6))
    return (f"<DOC>\n<DOCNO> AP260101-{n:05d} </DOCNO>\n<HEAD>Story {n}</HEAD>\n"
            f"<DATELINE>LONDON (AP)</DATELINE>\n<TEXT>\n   Lead of story {n}.\n"
            f"{paragraphs}</TEXT>\n</DOC>\n")


def make_wire_folder(folder: Path, stories: int, per_file: int = 1) -> None:
    """One story a file, or TREC files of `per_file` stories (large ones are shared
    among workers)."""
    folder.mkdir(parents=True, exist_ok=True)
    if per_file > 1:
        for first in range(0, stories, per_file):
            records = (trec_record(n) for n in range(first, min(first + per_file, stories)))
            (folder / f"day-{first:05d}.sgml").write_text("".join(records), encoding="utf-8")
        return
    for n in range(stories):
        (folder / f"story-{n:04d}.txt").write_text(story_file(n), encoding="utf-8")


def ingest_command(folder: Path, index_dir: Path, batch_files: int = 5,
                   workers: int = 1) -> list[str]:
    return [sys.executable, "-m", "indexer", "ingest", str(folder), "--index", str(index_dir),
            "--batch-files", str(batch_files), "--workers", str(workers), "--quiet"]


def paragraph_ids(path: Path) -> list[str]:
    index = Index.open(str(path))
    try:
        with index.whoosh_index.searcher() as searcher:
            return sorted(d["id"] for d in searcher.documents(kind="paragraph"))
    finally:
        index.close()


def consistent(path: Path) -> str | None:
    """None when the committed index agrees with its ledger; else what is wrong."""
    index = Index.open(str(path))
    try:
        ids = paragraph_ids(path)
        if len(ids) != len(set(ids)):
            return "duplicate paragraph ids"
        ledger = read_ledger(index.whoosh_index)
        expected = 5 * sum(len(r.stories) for r in ledger.values())
        if len(ids) != expected:
            return f"{len(ids)} paragraphs for {expected} recorded"
        return None
    finally:
        index.close()


def run_trials(workdir: Path, trials: int, stories: int = 60, seed: int = 20261124,
               max_delay: float = 1.0, workers: int = 1, per_file: int = 1) -> list[str]:
    """Returns the failures (empty when every trial recovered exactly). With workers, the
    rerun right after the kill also proves that the killed run's workers did not keep its
    lock."""
    folder = workdir / "wire"
    make_wire_folder(folder, stories, per_file)
    reference = workdir / "reference"
    subprocess.run(ingest_command(folder, reference), check=True)
    expected = paragraph_ids(reference)
    rng = random.Random(seed)
    failures = []
    for trial in range(trials):
        index_dir = workdir / f"trial-{trial}"
        process = subprocess.Popen(ingest_command(folder, index_dir, workers=workers))
        time.sleep(rng.uniform(0.05, max_delay))
        process.send_signal(signal.SIGKILL)
        process.wait()
        if index_dir.is_dir() and any(n.endswith(".toc") for n in os.listdir(index_dir)):
            problem = consistent(index_dir)
            if problem:
                failures.append(f"trial {trial} after kill: {problem}")
        subprocess.run(ingest_command(folder, index_dir, workers=workers), check=True)
        if paragraph_ids(index_dir) != expected:
            failures.append(f"trial {trial}: rerun differs from an uninterrupted run")
    return failures
