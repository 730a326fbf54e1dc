"""The index folder: which files in it are ours, and the only code that deletes any.

A folder becomes an index folder when this tool creates it, or finds it empty, and writes
its marker (OWNER_NAME). A folder that holds anything else is never written to: a user
who points --index at their documents gets a refusal, not a clean-up (as `git init` will
not clobber). Inside an index folder, clean-up removes only:

- segment files whose segment id is in the folder's journal (JOURNAL_NAME): every
  segment a writer of this index begins is journaled before its first file is created,
  so a killed writer's files are known to be ours, and a file a user put in the folder is
  not, whatever its name;
- tables of contents of older generations, and the temporary files this tool and Whoosh
  name (TEMPORARY_NAMES).

An index written before markers existed is adopted when its table of contents names a
schema of ours; segment files without a table of contents are a damaged index
(IndexDamagedError), never an empty one to start over in.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import time

from ..errors import IndexDamagedError, NotAnIndexFolderError

# the name Whoosh gives an index by default, which ours keep: it names the table of
# contents, the segments and the lock (tests/test_index_folder.py checks it is Whoosh's)
INDEX_NAME = "MAIN"
OWNER_NAME = "wire-index.json"
JOURNAL_NAME = "segments.journal"
# the bookkeeping files of ingest (indexer.ingest.run) beside the index
BOOKKEEPING_NAMES = ("ingest.lock", "last_run.json", "rejected.json")
OWN_NAMES = (OWNER_NAME, JOURNAL_NAME, f"{INDEX_NAME}_WRITELOCK", *BOOKKEEPING_NAMES)
# Whoosh's posting pools share <indexname>.tmp; our JSON files are written as name.tmp
TEMPORARY_NAMES = (f"{INDEX_NAME}.tmp", *(f"{name}.tmp" for name in
                                               (*BOOKKEEPING_NAMES, OWNER_NAME,
                                                JOURNAL_NAME, "archive.json")))
# what Whoosh names a segment, its files and its tables of contents (whoosh.index.TOC)
SEGMENT_ID = re.compile(rf"{INDEX_NAME}_[0-9a-z]+")
SEGMENT_FILE = re.compile(rf"({SEGMENT_ID.pattern})\.[A-Za-z0-9_.]+")
TOC_FILE = re.compile(rf"_{INDEX_NAME}_([0-9]+)\.toc")


def is_marked(path: str) -> bool:
    return os.path.isfile(os.path.join(path, OWNER_NAME))


def toc_present(names: list[str]) -> bool:
    return any(TOC_FILE.fullmatch(name) for name in names)


def segment_files(names: list[str]) -> list[str]:
    return [name for name in names if SEGMENT_FILE.fullmatch(name)]


def _listing(path: str) -> list[str] | None:
    """The folder's entries; None when there is no such folder."""
    try:
        return os.listdir(path)
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        raise NotAnIndexFolderError(f"{path} is a file, not a folder: give --index a "
                                    "new or empty folder") from None


def _shown(names: list[str], most: int = 3) -> str:
    shown = ", ".join(sorted(names)[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


def check_not_damaged(path: str) -> None:
    """IndexDamagedError when the folder holds segment files of an index of ours but no
    table of contents: its commits are lost, and starting over in it would hide that."""
    names = _listing(path) or []
    if toc_present(names):
        return
    segments = segment_files(names)
    if segments and (is_marked(path) or not set(names) - set(segments) - set(OWN_NAMES)):
        raise IndexDamagedError(
            f"the index at {path} holds segment files ({_shown(segments)}) but no table of "
            f"contents (_{INDEX_NAME}_N.toc): it is damaged and was left untouched; "
            "restore it from a backup, or ingest into a new --index folder")


def claim(path: str, is_ours_schema=None) -> None:
    """Make `path` an index folder of this tool, creating it when missing; refuse
    (NotAnIndexFolderError) a folder that holds anything but an index of ours.
    `is_ours_schema(path)`: whether an unmarked folder's Whoosh index is one of ours (an
    index written before markers), which is then adopted."""
    names = _listing(path)
    if names is None:
        os.makedirs(path, exist_ok=True)
        names = []
    check_not_damaged(path)
    if OWNER_NAME in names:
        return
    if toc_present(names):
        if not (is_ours_schema is not None and is_ours_schema(path)):
            raise NotAnIndexFolderError(
                f"{path} holds another program's Whoosh index, not an indexer index: "
                "nothing was changed; give --index a new or empty folder")
    else:
        refuse_unless_empty(path, names)
    write_marker(path)


def refuse_unless_empty(path: str, names: list[str] | None = None) -> None:
    """NotAnIndexFolderError when the folder holds anything but our own bookkeeping
    files (`names`: its listing, when already read); a missing folder is empty."""
    if names is None:
        names = _listing(path) or []
    foreign = [name for name in names if name not in OWN_NAMES]
    if foreign:
        raise NotAnIndexFolderError(
            f"{path} is not empty and is not an index of this tool (it holds "
            f"{_shown(foreign)}): nothing was changed; give --index a new or empty folder")


def write_marker(path: str) -> None:
    """The marker, made once: two runs starting at once on a new folder both claim it,
    and the second finds it made (only its presence counts)."""
    text = json.dumps({"tool": "wire-indexer", "kind": "index",
                       "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())})
    try:
        with open(os.path.join(path, OWNER_NAME), "x", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
    except FileExistsError:
        return


def write_atomic(target: str, text: str) -> None:
    """Replace `target` with `text`, on disk before it counts (written to target.tmp,
    synced, renamed); a write that fails leaves no temporary file behind."""
    temporary = target + ".tmp"
    try:
        with open(temporary, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, target)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


# -- the journal of segments begun in this folder


def journal_segment(folder: str, segment_id: str) -> None:
    """Record that a writer of this index begins segment `segment_id`, before its first
    file exists (appended and synced: a line of a few bytes is written whole, whichever
    process writes it)."""
    fd = os.open(os.path.join(folder, JOURNAL_NAME), os.O_WRONLY | os.O_APPEND | os.O_CREAT,
                 0o644)
    try:
        os.write(fd, f"{segment_id}\n".encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def journaled(folder: str) -> set[str]:
    """The segment ids the journal holds (an unreadable journal holds none: then nothing
    unlisted is ever removed)."""
    try:
        with open(os.path.join(folder, JOURNAL_NAME), encoding="ascii",
                  errors="replace") as f:
            return {line.strip() for line in f if SEGMENT_ID.fullmatch(line.strip())}
    except OSError:
        return set()



def remove_unlisted(folder: str, generation: int, listed: set[str],
                    dropped: set[str] | None = None) -> None:
    """Delete what a commit of `generation` listing segments `listed` leaves behind:
    older tables of contents, and the files of journaled segments it does not list (of
    only the segments in `dropped`, when given: other writers may be at work beside it).
    Files of segments not in the journal are never touched."""
    if not is_marked(folder):
        return
    ours = journaled(folder)
    removable = (ours & dropped if dropped is not None else ours) - listed
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        toc, segment = TOC_FILE.fullmatch(name), SEGMENT_FILE.fullmatch(name)
        if (toc and int(toc.group(1)) < generation) or \
                (segment and segment.group(1) in removable):
            try:
                os.unlink(os.path.join(folder, name))
            except OSError:  # still open elsewhere, or gone: a later clean-up's
                pass


def compact_journal(folder: str, listed: set[str]) -> None:
    """Rewrite the journal to the segments still on disk (no writer at work: under the
    ingest lock)."""
    if not is_marked(folder):
        return
    try:
        names = os.listdir(folder)
    except OSError:
        return
    present = {m.group(1) for m in map(SEGMENT_FILE.fullmatch, names) if m}
    keep = (journaled(folder) & present) | listed
    write_atomic(os.path.join(folder, JOURNAL_NAME), "".join(f"{s}\n" for s in sorted(keep)))


def remove_temporary(folder: str) -> None:
    """Remove the temporary files and folders a failed or killed run left (only those
    named in TEMPORARY_NAMES, only in an index folder of ours)."""
    if not is_marked(folder):
        return
    for name in TEMPORARY_NAMES:
        path = os.path.join(folder, name)
        try:
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            elif os.path.lexists(path):
                os.unlink(path)
        except OSError:
            pass
