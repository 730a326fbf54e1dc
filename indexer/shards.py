"""An archive's ingest, shard by shard: where each file's stories go (route, in forked
planners), and one shard's run over the files planned for it (ingest_shard), in the
archive's process or as a task on a Dask worker (indexer.cluster).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable

from .dates import shard_name
from .enrich.people import PeopleFinder
from .errors import WireFormatError
from .folder_store import FolderStore
from .ingest.ledger import (
    HELD_LOCK_FDS,
    IngestReport,
    Rejection,
    ingest_lock,
    start_run,
    write_last_run,
)
from .ingest.process import MAX_FILE_BYTES, read_wire_file, story_id_for, too_large
from .ingest.run import IngestRun

SHARDS_FOLDER = "shards"


def route(job: tuple) -> tuple[str, str, list[str]]:
    """Where a file's stories go: (kind, why, shards): "shards" with their shard names,
    "touched" when its bytes are those its records name (`known_sha`), "rejected" and why
    when it cannot be read, "failed" and why for a reader bug."""
    from .formats import parse_file  # the readers: only a run that reads files

    path, root, source, size, known_sha, fmt, shard_by = job
    try:
        if size > MAX_FILE_BYTES:
            raise WireFormatError(too_large(size))
        data = read_wire_file(str(path))
        if known_sha and hashlib.sha256(data).hexdigest() == known_sha:
            return "touched", "", []
        parsed = parse_file(data, story_id_for(path, root), source, fmt)
    except WireFormatError as exc:
        return "rejected", str(exc), []
    except Exception as exc:  # a reader bug must not end the run
        return "failed", f"could not parse: {type(exc).__name__}: {exc}", []
    return "shards", "", sorted({shard_name(story.date, shard_by) for story in parsed.stories})


_PLANNING_FOR: list[int] = []  # in a forked planner: the run's process id


def plan_worker(run: int) -> None:
    from .forked import die_with_run

    # the run's locks are the run's: a forked planner must not hold them after it
    for fd in list(HELD_LOCK_FDS):
        os.close(fd)
    _PLANNING_FOR.append(run)
    die_with_run(run)


def route_for_run(job: tuple) -> tuple[str, str, list[str]]:
    """route in a forked planner, which leaves quietly once the run is gone (killed) where
    die_with_run cannot ask the kernel: its answer could not be sent, and the pool would
    print the failure."""
    found = route(job)
    if os.getppid() != _PLANNING_FOR[0]:
        os._exit(0)
    return found


def file_progress(plan: dict[str, list], listed: list[str],
                  on_file: Callable[[str], None] | None) -> Callable[[str], None]:
    """on_file once for every path the plan walked, as a run without shards calls it: a
    file not read again at once, a file read once every shard planned for it has read
    it. Returns the on_file of the shards' runs."""
    remaining: dict[str, int] = {}
    for files in plan.values():
        for path, _, _ in files:
            remaining[str(path)] = remaining.get(str(path), 0) + 1
    held: set[str] = set()
    for path in listed:
        if path in remaining and path not in held:
            held.add(path)  # said when its shards are done
        elif on_file:
            on_file(path)  # unchanged, rejected, or named twice: said now

    def tick(path: str) -> None:
        if path in remaining:
            remaining[path] -= 1
            if remaining[path] == 0 and on_file:
                on_file(path)

    return tick


def ingest_shard(archive: str, shard_by: str, name: str, files: list,
                 walked: set[str] | None, prune: bool,
                 on_reject: Callable[[Rejection], None] | None = None,
                 on_file: Callable[[str], None] | None = None,
                 **options) -> IngestReport:
    """One shard's ingest of the files planned for it: in the archive's process, or as
    a task on a Dask worker that reaches the archive's storage (indexer.cluster)."""
    path = os.path.join(archive, SHARDS_FOLDER, name)
    shard = FolderStore.create(path)
    people = options["people"]
    finder = people if isinstance(people, PeopleFinder) else PeopleFinder.load(people)
    with ingest_lock(path):
        start_run(shard.whoosh_index)  # a killed run's leftovers go
        run = IngestRun(shard.whoosh_index, fmt=options["fmt"], batch_files=options["batch_files"],
                        workers=options["workers"] if files else 1, on_file=on_file,
                        on_reject=on_reject, people=finder, merge=options["merge"],
                        shard=(shard_by, name))
        run.walked.update(walked or ())  # --prune: the archive's files, not this shard's
        done = run.run([], prune=prune, files=files)
        write_last_run(path, done, "ok" if done.ok else "rejected")
    shard.close()
    return done


def add_up(report: IngestReport, done: IngestReport) -> None:
    """A shard's run's figures into the archive's run (its files are counted by the plan)."""
    for figure in ("stories", "paragraphs", "paragraphs_removed", "commits", "merges",
                   "merged_documents", "merged_bytes", "pool_spills"):
        setattr(report, figure, getattr(report, figure) + getattr(done, figure))


def optimize_shard(path: str) -> dict:
    return FolderStore.open(path).optimize()
