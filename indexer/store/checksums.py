"""Checksums of segment files: written with each segment, verified before it is trusted.

Whoosh keeps no checksum, so a few flipped bytes in a segment were read as postings or
stored fields and answered from. As Lucene's checksum footer does, each segment a writer
of ours finishes gets a sidecar, MAIN_<id>.sums (stock Whoosh ignores it, and deletes it
with the segment), naming each of the segment's files with its size, CRC-32 and the
modification time it had when written. It is verified:

- in full (every byte) by `indexer check` and before a merge or optimize reads a segment,
  so a merge never copies damage into a new segment;
- cheaply when a reader opens a segment: sizes always, and every byte of a file whose
  modification time is not the one recorded (a file rewritten in place), once per
  process; and the first OPEN_CHECK_BYTES of files in full, once per process, so that
  a small index is checked byte for byte whatever its files' times say.

A mismatch raises IndexDamagedError naming the file. Segments written before checksums
have no sidecar and are read as before (`check` says how many).
"""

from __future__ import annotations

import json
import os
import zlib

from ..errors import IndexDamagedError
from .folder import write_atomic

try:  # ISA-L's CRC-32 is about five times zlib's (already a dependency, for deflate)
    from isal.isal_zlib import crc32 as _crc32
except ImportError:  # pragma: no cover - isal is a dependency; zlib gives the same values
    _crc32 = zlib.crc32

SUMS_EXT = "sums"
_CHUNK = 4 * 1024 * 1024
# path -> (size, mtime_ns, inode) of a file this process verified in full
_VERIFIED: dict[str, tuple[int, int, int]] = {}


def file_crc(path: str) -> int:
    crc = 0
    with open(path, "rb", buffering=0) as f:
        while chunk := f.read(_CHUNK):
            crc = _crc32(chunk, crc)
    return crc


def sums_name(segment_id: str) -> str:
    return f"{segment_id}.{SUMS_EXT}"


def segment_file_names(folder: str, segment_id: str) -> list[str]:
    prefix = segment_id + "."
    return sorted(name for name in os.listdir(folder)
                  if name.startswith(prefix) and name != sums_name(segment_id))


def write_sums(folder: str, segment_id: str) -> None:
    """Record the checksums of a finished segment's files (before a table of contents
    lists it: a segment is never listed without them)."""
    files = {}
    for name in segment_file_names(folder, segment_id):
        path = os.path.join(folder, name)
        stat = os.stat(path)
        files[name] = [stat.st_size, file_crc(path), stat.st_mtime_ns]
        _VERIFIED[path] = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
    body = json.dumps({"files": files}, sort_keys=True)
    # the sidecar's own checksum on its last line: a damaged sidecar is damage too
    write_atomic(os.path.join(folder, sums_name(segment_id)),
                 f"{body}\n{_crc32(body.encode()):08x}\n")


def read_sums(folder: str, segment_id: str) -> dict[str, list[int]] | None:
    """The recorded checksums of a segment's files; None for a segment written without
    them. IndexDamagedError for a sidecar that is itself damaged."""
    path = os.path.join(folder, sums_name(segment_id))
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError:
        return None
    try:
        body, crc, _ = raw.decode("ascii").split("\n")
        if int(crc, 16) != _crc32(body.encode()):
            raise ValueError("checksum")
        files = json.loads(body)["files"]
        return {str(name): [int(v) for v in values] for name, values in files.items()}
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        raise IndexDamagedError(f"{path}: the segment's checksum file is damaged "
                                f"{_REPAIR}") from None


_REPAIR = ("(the index is damaged: restore it from a backup, or ingest into a new --index "
           "folder)")


def verify_segment(folder: str, segment_id: str, full: bool = False,
                   allowance: list[int] | None = None) -> bool:
    """Check a segment's files against its checksums: every byte when `full`, else the
    sizes, and the bytes of a file rewritten since (or not verified by this process).
    `allowance`, when given, is a byte budget (a one-item list, spent in place) within
    which the bytes of files this process has not verified are read too. False for a
    segment without checksums; IndexDamagedError naming the first damaged file."""
    sums = read_sums(folder, segment_id)
    if sums is None:
        return False
    allowance = allowance if allowance is not None else [0]
    for name, (size, crc, mtime_ns) in sorted(sums.items()):
        path = os.path.join(folder, name)
        try:
            stat = os.stat(path)
        except FileNotFoundError:
            raise IndexDamagedError(f"{path}: a file of the index is missing "
                                    f"{_REPAIR}") from None
        if stat.st_size != size:
            raise IndexDamagedError(f"{path}: {stat.st_size} bytes, {size} written "
                                    f"{_REPAIR}")
        known = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
        if _VERIFIED.get(path) == known and not full:
            continue
        affordable = allowance[0] >= size
        if not full and stat.st_mtime_ns == mtime_ns and not affordable:
            continue
        if affordable:
            allowance[0] -= size
        if file_crc(path) != crc:
            _VERIFIED.pop(path, None)
            raise IndexDamagedError(f"{path}: checksum mismatch, the file's bytes are not "
                                    f"the ones written {_REPAIR}")
        _VERIFIED[path] = known
    return True


# bytes of segment files an opening process reads in full, once, besides those rewritten
# since they were written: a small index (the bundled corpus, a few days of wire) is
# then checked byte for byte by every process that opens it, for a few milliseconds
OPEN_CHECK_BYTES = 64 * 1024 * 1024


def verify_segments(folder: str, segments, full: bool = False,
                    allowance: int = 0) -> int:
    """verify_segment for each segment (Whoosh segment objects), the smallest first,
    with `allowance` bytes to read in full besides; how many had no checksums."""
    unchecked = 0
    budget = [allowance]
    for segment in sorted(segments, key=lambda s: s.doc_count_all()):
        if not verify_segment(folder, segment.segment_id(), full=full, allowance=budget):
            unchecked += 1
    return unchecked
