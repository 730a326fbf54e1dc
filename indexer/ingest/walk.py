"""Which files an ingest reads, in what order, within which limits.

The walk is sorted and skips hidden entries; it does not follow symbolic links out of the
given folders unless asked (as ripgrep and rsync); a path that cannot be read is yielded
for the run to report. Lookahead reads the walk a bounded way ahead, so a run knows how
much reading remains when it plans merges.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from stat import S_ISDIR, S_ISREG

from ..textio import printable
from .ledger import FileRecord


def walk(paths: list[str], follow_symlinks: bool = False) -> Iterator[tuple[Path, Path]]:
    """(file, root) for every file under the given paths, sorted, hidden entries skipped.
    A missing path is yielded as-is so that the run reports it."""
    for path, root, _ in walk_sources(paths, follow_symlinks=follow_symlinks):
        yield path, root


def walk_sources(paths: list[str], skip: str | None = None, follow_symlinks: bool = False
                 ) -> Iterator[tuple[Path, Path, str]]:
    """walk(), with each file's resolved path (the ledger's key). The root is resolved
    once; a file's resolved path is then the resolved folder and its name, but for a
    symbolic link (Path.resolve() for every file did a system call per path component:
    3.4 s of a 100k-paragraph run). Not `skip` (the resolved path of the index itself,
    when it lies inside a given folder). A folder that cannot be listed is yielded itself,
    for the run to report.

    Symbolic links, as ripgrep and rsync treat them: a link to a file inside the folders
    given is read; one that leads out of them is not, and a linked folder is not entered
    (a path given itself is always read). With `follow_symlinks`, every link is followed,
    each folder entered once whatever the links that lead to it."""
    roots = tuple(os.path.realpath(given) for given in paths if os.path.isdir(given))
    entered: set[str] | None = set() if follow_symlinks else None
    for given in paths:
        path = Path(given)
        if path.is_dir():
            yield from _walk_folder(path, path, os.path.realpath(path), skip, roots, entered)
        else:
            yield path, path.parent, os.path.realpath(path)


def _inside(resolved: str, roots: tuple[str, ...]) -> bool:
    return any(resolved == root or resolved.startswith(root.rstrip(os.sep) + os.sep)
               for root in roots)


def _walk_folder(folder: Path, root: Path, resolved: str, skip: str | None = None,
                 roots: tuple[str, ...] = (), entered: set[str] | None = None
                 ) -> Iterator[tuple[Path, Path, str]]:
    """A folder's files, then each of its folders in turn, in name order: depth first
    with a stack of its own, not recursion (a folder nested 1,500 deep is no error).
    `entered`: the resolved folders walked so far, when links are followed (None: they
    are not)."""
    pending = [(folder, resolved)]
    while pending:
        folder, resolved = pending.pop()
        if resolved == skip:
            continue
        if entered is not None:
            real = os.path.realpath(folder)
            if real in entered:  # a link back up, or a second link to one folder
                continue
            entered.add(real)
        try:
            with os.scandir(folder) as scan:
                entries = sorted((e for e in scan if not e.name.startswith(".")),
                                 key=lambda e: e.name)
        except OSError:
            yield folder, root, resolved  # reported as an unreadable folder
            continue
        folders = []
        for entry in entries:
            try:
                is_folder = entry.is_dir()
            except OSError:
                is_folder = False
            link = entry.is_symlink()
            if is_folder:
                if not link:
                    folders.append((Path(entry.path), os.path.join(resolved, entry.name)))
                elif entered is not None:
                    folders.append((Path(entry.path), os.path.realpath(entry.path)))
                continue
            if link:
                source = os.path.realpath(entry.path)
                if entered is None and not _inside(source, roots):
                    continue  # a link out of the folders given: not followed unless asked
            else:
                source = os.path.join(resolved, entry.name)
            yield Path(entry.path), root, source
        # the first folder on top: walked whole before the next
        pending.extend(reversed(folders))

# how far the walk is read ahead of the files handed out: once the whole input is in
# sight, the run knows how much reading is left (Lookahead.remaining)
LOOKAHEAD_BYTES = 64 * 1024 * 1024

LOOKAHEAD_FILES = 100_000


class Lookahead:
    """The walked files, read ahead by up to LOOKAHEAD_BYTES of new or changed files (by
    size and mtime against the ledger) or LOOKAHEAD_FILES files."""

    def __init__(self, walked: Iterator[tuple[Path, Path, str]] | list,
                 ledger: dict[str, FileRecord]) -> None:
        self._walked = iter(walked)
        self._ledger = ledger
        self._buffer: deque[tuple[tuple[Path, Path, str], int]] = deque()
        self._bytes = 0
        self._ended = False

    def __iter__(self) -> Lookahead:
        return self

    def __next__(self) -> tuple[Path, Path, str]:
        while not self._ended and (not self._buffer or (
                self._bytes < LOOKAHEAD_BYTES and len(self._buffer) < LOOKAHEAD_FILES)):
            entry = next(self._walked, None)
            if entry is None:
                self._ended = True
                break
            size = self._new_bytes(entry)
            self._buffer.append((entry, size))
            self._bytes += size
        if not self._buffer:
            raise StopIteration
        entry, size = self._buffer.popleft()
        self._bytes -= size
        return entry

    def remaining(self) -> int | None:
        """The bytes of new or changed files not handed out yet, once the walk is read to
        its end (None before)."""
        return self._bytes if self._ended else None

    def _new_bytes(self, entry: tuple[Path, Path, str]) -> int:
        try:
            stat = os.stat(entry[0])
        except OSError:  # reported when its turn comes
            return 0
        record = self._ledger.get(printable(entry[2]))
        if record and record.unchanged(stat):
            return 0
        return stat.st_size


def stat_walked(path: Path) -> tuple[os.stat_result | None, str]:
    """A walked path's stat, or None and why it cannot be ingested (unreadable, a folder
    that could not be listed, not a regular file)."""
    try:
        stat = os.stat(path)
    except OSError as exc:
        return None, f"unreadable: {exc.strerror or exc}"
    if S_ISDIR(stat.st_mode):
        try:
            os.listdir(path)
            return None, "a folder it could not read"
        except OSError as exc:
            return None, f"unreadable folder: {exc.strerror or exc}"
    if not S_ISREG(stat.st_mode):
        return None, "not a regular file"
    return stat, ""
