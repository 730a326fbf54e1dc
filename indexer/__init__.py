"""wire indexer: ingest agency wire copy into a Whoosh index, search it as ranked paragraphs.

The public API:

    from indexer import Index, extract_people, parse_dateline

Its names are imported when first used (PEP 562), so that `indexer --help`, or a program
that needs only the dateline parser, does not load Whoosh and every reader.
"""

import importlib as _importlib
import typing as _typing

__version__ = "0.1.0"

# each public name and the module that defines it
_EXPORTS = {
    "Dateline": "model", "Story": "model",
    "DatelineInfo": "store.results", "Hit": "store.results",
    "Index": "index",
    "IngestReport": "ingest.ledger", "Rejection": "ingest.ledger",
    "PeopleFinder": "enrich.people", "extract_people": "enrich.people",
    "find_mentions": "enrich.people",
    "parse_dateline": "enrich.dateline",
    # every exception a caller may catch
    **{name: "errors" for name in (
        "WireFormatError", "QueryError", "NoSuchStoryError", "QueryTooSlowError",
        "IndexNotFoundError", "SchemaVersionError", "IndexDamagedError",
        "NotAnIndexFolderError", "IndexIntegrityError", "IndexLockedError")},
}

__all__ = [
    "Dateline",
    "DatelineInfo",
    "Hit",
    "Index",
    "IndexDamagedError",
    "IndexIntegrityError",
    "IndexLockedError",
    "IndexNotFoundError",
    "IngestReport",
    "NoSuchStoryError",
    "NotAnIndexFolderError",
    "PeopleFinder",
    "QueryError",
    "QueryTooSlowError",
    "Rejection",
    "SchemaVersionError",
    "Story",
    "WireFormatError",
    "extract_people",
    "find_mentions",
    "parse_dateline",
]


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'indexer' has no attribute {name!r}")
    value = getattr(_importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later lookups find it directly
    return value


def __dir__() -> list[str]:
    return sorted([*__all__, "__version__"])  # the API, not the helpers that load it


if _typing.TYPE_CHECKING:
    from .enrich.dateline import parse_dateline
    from .enrich.people import PeopleFinder, extract_people, find_mentions
    from .errors import (
        IndexDamagedError,
        IndexIntegrityError,
        IndexLockedError,
        IndexNotFoundError,
        NoSuchStoryError,
        NotAnIndexFolderError,
        QueryError,
        QueryTooSlowError,
        SchemaVersionError,
        WireFormatError,
    )
    from .index import Index
    from .ingest.ledger import IngestReport, Rejection
    from .model import Dateline, Story
    from .store.results import DatelineInfo, Hit
