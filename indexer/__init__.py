"""wire indexer: ingest agency wire copy into a Whoosh index, search it as ranked paragraphs.

The public API:

    from indexer import Index, extract_people, parse_dateline
"""

from .dateline import parse_dateline
from .index import Index, IndexNotFoundError, SchemaVersionError
from .ingest import IndexLockedError, IngestReport, Rejection
from .model import Dateline, Story, WireFormatError
from .people import PeopleFinder, extract_people, find_mentions
from .search import DatelineInfo, Hit, NoSuchStoryError, QueryError
from .storage import IndexIntegrityError

__version__ = "0.1.0"

__all__ = [
    "Dateline",
    "DatelineInfo",
    "Hit",
    "Index",
    "IndexIntegrityError",
    "IndexLockedError",
    "IndexNotFoundError",
    "IngestReport",
    "NoSuchStoryError",
    "PeopleFinder",
    "QueryError",
    "Rejection",
    "SchemaVersionError",
    "Story",
    "WireFormatError",
    "extract_people",
    "find_mentions",
    "parse_dateline",
]
