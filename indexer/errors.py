"""Every exception a caller of the API may catch, in one place, with the exit code the
command line gives each (indexer.cli). Lowest of the package's modules: it imports none of
them, and every module raises from here.
"""

from __future__ import annotations

import pickle
import struct
import zlib
from functools import wraps


class WireFormatError(ValueError):
    """A file that cannot be read as a story; the message is the one-line reason."""


class QueryError(ValueError):
    """A query or filter the user wrote that cannot be run; the message says why."""


class NoSuchStoryError(QueryError):
    """A story (or a paragraph of it) that the index does not hold."""


class QueryTooSlowError(RuntimeError):
    """A query ran past its time budget."""


class IndexNotFoundError(FileNotFoundError):
    """No index at the given path."""


class SchemaVersionError(RuntimeError):
    """The index was written by a newer (or incompatible) version of this tool."""


class IndexDamagedError(RuntimeError):
    """The index on disk is damaged (a file failed its checksum, segments without a table
    of contents): nothing was changed."""


class NotAnIndexFolderError(RuntimeError):
    """--index names a folder that holds files and is not an index of this tool."""


class IndexIntegrityError(RuntimeError):
    """The index does not hold what was just committed to it."""


class MergeError(RuntimeError):
    """A merge in a process of its own failed or its process died: nothing committed."""


class IndexLockedError(RuntimeError):
    """Another ingest holds the index."""


class WorkerError(RuntimeError):
    """A worker failed other than by rejecting a file; the batch is abandoned."""


class ClusterError(RuntimeError):
    """Dask is missing, the scheduler cannot be reached, or a task failed."""


EXIT_OK = 0
EXIT_NO_HITS = 1  # query found nothing (like grep)
EXIT_USAGE = 2  # bad options or a malformed query
EXIT_REJECTED = 3  # ingest finished, but some files were rejected
EXIT_LOCKED = 4  # another ingest is writing to the index
EXIT_INDEX = 5  # index missing, unreadable, of another schema version, or failed verification
EXIT_CLUSTER = 6  # --scheduler: no Dask, no scheduler, or a task kept failing
EXIT_INTERNAL = 70  # an unexpected error: one line, its traceback in a report file
EXIT_INTERRUPTED = 130

# the exit code of each error a command may end with, the first that matches
EXIT_CODES: tuple[tuple[type[BaseException], int], ...] = (
    (NoSuchStoryError, EXIT_NO_HITS),
    (QueryError, EXIT_USAGE),
    (QueryTooSlowError, EXIT_USAGE),
    (IndexLockedError, EXIT_LOCKED),
    (ClusterError, EXIT_CLUSTER),
    (IndexNotFoundError, EXIT_INDEX),
    (SchemaVersionError, EXIT_INDEX),
    (IndexDamagedError, EXIT_INDEX),
    (NotAnIndexFolderError, EXIT_INDEX),
    (IndexIntegrityError, EXIT_INDEX),
    (MergeError, EXIT_INDEX),
)


def exit_code(error: BaseException) -> int | None:
    """The exit code a command ends with for this error; None for one not listed (an
    unexpected error: EXIT_INTERNAL, with a report)."""
    for kind, code in EXIT_CODES:
        if isinstance(error, kind):
            return code
    return None


# what Whoosh raises reading damaged segment files
CORRUPTION = (EOFError, struct.error, zlib.error, pickle.UnpicklingError, IndexDamagedError)


def damage_explained(method):
    """An unexpected error while reading an index may be damage a reader met before any
    check did (a file rewritten in place with its old time): the index's every byte is
    then verified, and damage found is reported as such (IndexDamagedError) rather than
    as the error it caused."""

    @wraps(method)
    def reading(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:
            if isinstance(exc, OSError) or exit_code(exc) is not None:
                raise  # an error a caller may catch (indexer.errors), or the system's
            try:
                self._verify_checksums()
            except IndexDamagedError as damage:
                raise damage from exc
            raise

    return reading
