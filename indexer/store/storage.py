"""Safe writing around Whoosh's pitfalls.

- Whoosh's FileStorage never fsyncs (whoosh-community/whoosh#323): a commit it reports done
  can vanish in a power cut. DurableFileStorage fsyncs every file it closes and the folder
  after every rename, so the new table of contents only becomes visible once the segment
  files it names are on disk.
- FileIndex's table of contents read while a writer commits: ConcurrentFileIndex
  (indexer.store.whoosh_ext.fileindex) retries, as Whoosh's reader() does.
- A commit() that raises leaves the write lock held: commit_verified() cancels the writer.
- The multiprocessing writer without multisegment=True silently drops documents
  (mchaput/whoosh#35): commit_verified() checks doc_count() against what was written.
- Whoosh's default merge policy (MERGE_SMALL) merges nothing until about 25 segments of
  similar size exist, then all of them at once, and each ingest commit adds a segment per
  worker, so an index left as ingest wrote it held many segments and answered several
  times slower than after `indexer optimize`. tiered_merges() is a tiered policy
  (as Lucene's TieredMergePolicy): a size tier that holds MERGE_FACTOR segments has them
  merged into one, at most one merge per worker per commit, done by the workers beside
  their batch (or by the run's writer), through whoosh_ext's copying merge.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.index import FileIndex
from whoosh.reading import SegmentReader
from whoosh.writing import IndexWriter

from ..errors import IndexIntegrityError, MergeError
from ..forked import die_with_run
from . import checksums, whoosh_ext
from . import folder as index_folder
from .whoosh_ext.fileindex import ConcurrentFileIndex, finalize_segment, segments_of


def fsync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class DurableFileStorage(FileStorage):
    """A FileStorage whose files and renames are on disk before Whoosh moves on."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._journaled: set[str] = set()

    def create_file(self, name: str, excl: bool = False, mode: str = "wb", **kwargs) -> StructFile:
        segment = index_folder.SEGMENT_FILE.fullmatch(name)
        if segment and segment.group(1) not in self._journaled:
            # journaled before its first file exists: clean-up may then remove the files of
            # a writer killed midway, and never a file of the same shape that is not ours
            index_folder.journal_segment(self.folder, segment.group(1))
            self._journaled.add(segment.group(1))
        f = super().create_file(name, excl=excl, mode=mode, **kwargs)
        raw = f.file
        previous: Callable[[StructFile], None] | None = f.onclose

        def sync_on_close(structfile: StructFile) -> None:
            raw.flush()
            os.fsync(raw.fileno())
            if previous:
                previous(structfile)

        f.onclose = sync_on_close
        return f

    def rename_file(self, oldname: str, newname: str, safe: bool = False) -> None:
        if newname.endswith(".toc"):
            # the segments are on disk, the table of contents naming them is not yet
            crash_point("inside-commit")
        super().rename_file(oldname, newname, safe=safe)
        fsync_dir(self.folder)


_COMMITS = [0]  # commit_verified calls in this process
_MERGES = [0]  # merges begun in this process (a worker counts its own)


def crash_point(name: str, count: int | None = None) -> None:
    """Fault injection for the crash tests: with INDEXER_CRASH_AT=name[:n] in the
    environment, the process SIGKILLs itself at that point of its n-th commit (default:
    the first), so a test knows where a kill landed. Points: before-commit, inside-commit
    (segments written, table of contents not yet renamed), after-commit; merging (a
    merge's segments copied, its segment not yet written), whose n counts the process's
    merges (a worker's own); and any other point whose caller passes its own `count`
    (query: a Dask worker's n-th query)."""
    wanted = os.environ.get("INDEXER_CRASH_AT")
    if not wanted:
        return
    point, _, nth = wanted.partition(":")
    if count is None:
        count = _MERGES[0] if name == "merging" else _COMMITS[0]
    if point == name and count == int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)


def pause_point(name: str) -> None:
    """Fault injection for the tests that kill a run while its helpers work: with
    INDEXER_PAUSE_AT=name in the environment, the process waits there (a minute)."""
    if os.environ.get("INDEXER_PAUSE_AT") == name:
        time.sleep(60)


def merge_into(writer, group: list) -> None:
    """Copy the live documents of the segments of `group` into the writer's segment."""
    _MERGES[0] += 1
    _merge(writer, group)
    crash_point("merging")


def open_durable(path: str) -> FileIndex:
    return DurableFileStorage(path).open_index(indexclass=ConcurrentFileIndex)


def create_durable(path: str, schema) -> FileIndex:
    index_folder.claim(path)  # a new or empty folder, or one of ours: never a user's
    storage = DurableFileStorage(path)
    storage.create()
    return storage.create_index(schema, indexclass=ConcurrentFileIndex)


def new_writer(ix: FileIndex, procs: int = 1, **options) -> IndexWriter:
    """A writer for ix. With procs > 1 always multisegment=True: without it Whoosh's
    multiprocessing writer can lose documents while merging the sub-writers' output."""
    if procs > 1:
        options["multisegment"] = True
        return ix.writer(procs=procs, **options)
    return ix.writer(**options)


TINY_SEGMENT = 2000  # documents: the smallest size tier holds everything under F times this
MERGE_FACTOR = 8  # segments of one size tier merged at once (F)
# documents: no merge during ingest makes a larger segment (a lone nightly writer merges
# that many in well under a minute), and segments over half of it are left to optimize
LARGEST_MERGE = 250_000


def _tier(documents: int) -> int:
    """A segment's size tier: 0 below TINY_SEGMENT x F documents, then one tier per
    factor F."""
    tier, bound = 0, TINY_SEGMENT * MERGE_FACTOR
    while documents >= bound:
        tier, bound = tier + 1, bound * MERGE_FACTOR
    return tier


def tiered_merges(segments: list, limit: int = 1) -> list[list]:
    """Which segments to merge now, as groups (each becomes one segment), at most `limit`:
    a size tier holding F segments or more has its F smallest merged, from the smallest
    tier up, as Lucene's TieredMergePolicy does. Each merge rewrites F segments of one
    tier, never the index, and a document is rewritten once per tier it climbs: an index
    keeps under F segments per tier (about F x log_F(N / TINY_SEGMENT) in all). Merges
    stop at LARGEST_MERGE documents, so no commit's merge grows with the archive: past
    that size, segments wait for `indexer optimize`."""
    tiers: dict[int, list] = {}
    for segment in segments:
        if segment.doc_count() <= LARGEST_MERGE // 2:
            tiers.setdefault(_tier(segment.doc_count()), []).append(segment)
    merges: list[list] = []
    for tier in sorted(tiers):
        members = sorted(tiers[tier], key=lambda segment: segment.doc_count())
        while len(members) >= MERGE_FACTOR and len(merges) < limit:
            # the smallest F, or as many of them as make a segment within LARGEST_MERGE
            group, total = [], 0
            for segment in members[:MERGE_FACTOR]:
                if total + segment.doc_count() > LARGEST_MERGE:
                    break
                group.append(segment)
                total += segment.doc_count()
            if len(group) < 2:
                break
            merges.append(group)
            members = members[len(group):]
    return merges


def _merge(writer, segments: list) -> None:
    """Copy the live documents of the segments into the writer's segment: our writer
    opens each itself (whoosh_ext's copying merge), stock Whoosh's through add_reader."""
    # every byte checked first: a merge must never copy damage into a new segment
    checksums.verify_segments(writer.storage.folder, segments, full=True)
    for segment in segments:
        if isinstance(writer, whoosh_ext.FastSegmentWriter):
            writer.add_segment(segment)
            continue
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)  # live documents only
        reader.close()


def drop_group(writer, segments: list, group: list) -> list:
    """Merge policy: the segments of `group` left out of the new table of contents (a
    worker copied them into a segment of its own, committed with the writer's)."""
    merged = {segment.segment_id() for segment in group}
    return [segment for segment in segments if segment.segment_id() not in merged]


def merge_group(writer, segments: list, group: list) -> list:
    """Merge the segments of `group` into the writer's own segment; returns the segments
    left as they are."""
    merge_into(writer, group)
    return drop_group(writer, segments, group)


def merge_tiered(writer, segments: list) -> list:
    """Merge policy for commit(mergetype=): one group of tiered_merges() joins the
    writer's own segment; returns the segments left as they are."""
    merges = tiered_merges(segments)
    return merge_group(writer, segments, merges[0]) if merges else segments


def segment_bytes(ix: FileIndex, segment) -> int:
    """A segment's size on disk (its compound file, or the files named after it)."""
    storage = ix.storage
    if segment.is_compound():
        return storage.file_length(segment.make_filename(segment.COMPOUND_EXT))
    prefix = segment.segment_id()
    return sum(storage.file_length(name) for name in storage.list() if name.startswith(prefix))


def merge_none(writer, segments: list) -> list:
    """Merge policy: every segment left as it is."""
    return segments


def merge_all(writer, segments: list) -> list:
    """Merge policy: every segment into the writer's (Whoosh's OPTIMIZE, reading the
    segments through the writer's own kind of reader)."""
    _merge(writer, segments)
    return []


def live_documents(ix: FileIndex) -> int:
    """Documents in the index, deleted ones not counted, from the table of contents alone.
    Not ix.doc_count(): that opens a reader on every segment, and Whoosh's compound files
    keep their memory maps after close (BufferError), so calling it at each commit of a
    long run grew the process by every segment's size, each time."""
    return sum(segment.doc_count() for segment in segments_of(ix))


def commit_verified(ix: FileIndex, writer: IndexWriter, expected_docs: int,
                    segments: list | tuple = (), **commit_args) -> None:
    """Commit, releasing the lock whatever happens, then prove the documents are all there.
    `segments`: finished segments written by other processes, committed with the writer's."""
    if commit_args.pop("optimize", False):
        commit_args["mergetype"] = merge_all
    commit_args.setdefault("mergetype", merge_tiered)
    _COMMITS[0] += 1
    crash_point("before-commit")
    if segments:
        # the merge policy's answer is the segments the new table of contents keeps
        # (Whoosh's multiprocessing writer adds its sub-writers' segments the same way)
        policy = commit_args["mergetype"]
        commit_args["mergetype"] = lambda w, existing: policy(w, existing) + list(segments)
    try:
        writer.commit(**commit_args)
    except BaseException:
        try:
            writer.cancel()
        except Exception:  # the writer may be half-closed; the lock is what matters
            lock = getattr(writer, "writelock", None)
            if lock is not None and getattr(lock, "fd", None) is not None:
                lock.release()
        raise
    fsync_dir(ix.storage.folder)
    crash_point("after-commit")
    actual = live_documents(ix)
    if actual != expected_docs:
        raise IndexIntegrityError(
            f"index holds {actual} documents after commit, expected {expected_docs}"
        )


def remove_orphan_segments(ix: FileIndex) -> None:
    """Delete the files of journaled segments no table of contents names (a failed or
    killed writer's) and old tables of contents (indexer.store.folder); a failed run calls it so
    a full disk does not stay full. Only under the ingest lock: no writer is at work."""
    folder = ix.storage.folder
    listed = {segment.segment_id() for segment in segments_of(ix)}
    index_folder.remove_unlisted(folder, ix.latest_generation(), listed)
    try:
        index_folder.compact_journal(folder, listed)
    except OSError:
        pass


def balanced_groups(segments: list, parts: int) -> list[list]:
    """The segments in at most `parts` groups of about equal size (documents), the
    largest placed first, each into the lightest group: one merge per group, the groups
    merged side by side."""
    groups: list[list] = [[] for _ in range(max(1, parts))]
    sizes = [0] * len(groups)
    for segment in sorted(segments, key=lambda s: s.doc_count_all(), reverse=True):
        lightest = sizes.index(min(sizes))
        groups[lightest].append(segment)
        sizes[lightest] += segment.doc_count_all()
    return [group for group in groups if group]


def needs_merge(group: list) -> bool:
    """A group of several segments, or one with deleted documents to drop."""
    return len(group) > 1 or any(segment.has_deletions() for segment in group)


# what a merging child process reads after fork: the index, and where it reports progress
_FORKED_MERGE: dict = {}


def _merge_in_child(number: int, group: list, limitmb: int, connection) -> None:
    ix, shares = _FORKED_MERGE["ix"], _FORKED_MERGE["shares"]
    die_with_run(_FORKED_MERGE["parent"])  # an optimize killed leaves no merge running
    pause_point("merging")
    try:
        writer = ix.segment_writer(_lk=False, limitmb=limitmb)
        if hasattr(writer, "report_merge_progress"):
            writer.report_merge_progress(lambda share: shares.__setitem__(number, share))
        merge_into(writer, group)
        connection.send(("merged", finalize_segment(writer)))
    except BaseException as exc:  # the parent says it, and commits nothing
        connection.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        connection.close()


def merge_in_parallel(ix: FileIndex, groups: list[list], limitmb: int,
                      on_progress: Callable[[float], None] | None = None) -> list:
    """Merge each group into a new segment, each in a forked process of its own, side by
    side; return the new segments (not yet in any table of contents: the caller commits
    them, dropping the groups). Raises MergeError, committing nothing, when a merge
    fails or its process dies."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    shares = context.Array("d", len(groups), lock=False)
    weights = [sum(segment.doc_count_all() for segment in group) for group in groups]
    total = sum(weights) or 1
    _FORKED_MERGE.update(ix=ix, shares=shares, parent=os.getpid())
    children = []
    try:
        for number, group in enumerate(groups):
            receive, send = context.Pipe(duplex=False)
            child = context.Process(target=_merge_in_child,
                                    args=(number, group, limitmb, send), daemon=True)
            child.start()
            send.close()
            children.append((child, receive))
        merged: list = [None] * len(groups)
        waiting = dict(enumerate(children))
        while waiting:
            ready = multiprocessing.connection.wait([r for _, r in waiting.values()], 0.5)
            for number, (child, receive) in list(waiting.items()):
                if receive not in ready:
                    continue
                try:
                    kind, value = receive.recv()
                except EOFError:
                    child.join(5)
                    kind, value = "error", f"its process ended (exit code {child.exitcode})"
                if kind == "error":
                    raise MergeError(f"a merge of {len(groups[number])} segments failed: "
                                     f"{value}; the index is as it was")
                merged[number] = value
                shares[number] = 1.0
                del waiting[number]
            if on_progress is not None:
                on_progress(sum(shares[i] * weights[i] for i in range(len(groups))) / total)
        return merged
    finally:
        _FORKED_MERGE.clear()
        for child, receive in children:
            receive.close()
            if child.is_alive():
                child.kill()
            child.join()
