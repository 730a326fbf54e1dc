"""Small, contained fixes to Whoosh internals, applied when indexer is imported.

W3PerDocReader._cached_reader remembers a field's length column once found, but not its
absence: for every posting of a field without lengths (ID and keyword fields), a commit
asks the file system again whether the column file exists (os.path.exists per posting,
about an eighth of a commit's time here). This version remembers the absence too, for the
reader's lifetime, during which the segment's files do not change.
"""

from __future__ import annotations

from whoosh.codec import whoosh3

_original = whoosh3.W3PerDocReader._cached_reader
_MISSING = object()


def _cached_reader(self, fieldname, column):
    found = self._readers.get(fieldname, _MISSING)
    if found is not _MISSING:
        return found
    reader = _original(self, fieldname, column)
    self._readers[fieldname] = reader  # None too: the column file will not appear
    return reader


def apply() -> None:
    if whoosh3.W3PerDocReader._cached_reader is not _cached_reader:
        whoosh3.W3PerDocReader._cached_reader = _cached_reader
