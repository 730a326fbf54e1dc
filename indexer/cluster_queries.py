"""Queries answered on dask.distributed workers (the optional extra `cluster`).

ClusterQueries: each query is one task, answered by a worker that keeps the
index open between tasks (its shards' searchers, caches and memory maps), so a query pays
no open cost; several queries at once spread over the workers. A query reads only what
it reads in-process (a date window: the shards it overlaps), on one worker: the ranking
needs the archive's best stories in one place (each query's scores are scaled by its
best story and paragraph, and feedback reads the best stories' words), so the shards of
one query are not split among workers. A query is read-only, so when its worker dies the
scheduler runs it again on another; one that keeps failing or finds no worker in time is
a ClusterError, never a partial answer.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from .cluster import connect
from .errors import ClusterError
from .index import Index
from .store.results import Hit
from .store.storage import crash_point

QUERY_TIMEOUT = 120.0  # seconds a query may wait for a worker and its answer

# the Index methods a worker runs for ClusterQueries: those that read, and never write
READS = frozenset({"search", "search_stories", "count", "facets", "suggest", "unmatched_filters",
                   "matching_docnums", "similar", "story", "story_versions", "stats",
                   "feedback_words", "paragraph_count", "segment_count"})


class ClusterQueries:
    """The read side of Index (search, count, facets, suggest, unmatched_filters) for an
    index or archive at `path`, each call a task of dask.distributed. `scheduler`: "local"
    (a cluster of `workers` processes, started here and stopped by close()) or the
    address of a running scheduler, whose workers reach `path` at the same place."""

    def __init__(self, path: str, scheduler: str = "local", workers: int = 2,
                 timeout: float = QUERY_TIMEOUT) -> None:
        self.path = os.path.abspath(path)
        self.timeout = timeout
        self._client, self._cluster = connect(scheduler, workers)

    def close(self) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()

    def __enter__(self) -> ClusterQueries:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def search(self, query: str, **options: Any) -> list[Hit]:
        """Index.search on a worker (the same keywords)."""
        return self.call("search", query, **options)

    def search_stories(self, query: str, **options: Any) -> list[list[Hit]]:
        """Index.search_stories on a worker (the same keywords)."""
        return self.call("search_stories", query, **options)

    def search_many(self, queries: list[tuple[str, dict]]) -> list[list[Hit]]:
        """Several searches at once, spread over the workers; the answers in order."""
        futures = [self._submit("search", (query, ), options) for query, options in queries]
        return [self._result(future, query) for future, (query, _) in
                zip(futures, queries, strict=True)]

    def count(self, query: str, **filters: Any) -> tuple[int, int]:
        return self.call("count", query, **filters)

    def facets(self, query: str, names: tuple[str, ...], top: int = 10, **filters: Any
               ) -> dict[str, list[tuple[str, int]]]:
        return self.call("facets", query, names, top, **filters)

    def suggest(self, query: str) -> str | None:
        return self.call("suggest", query)

    def unmatched_filters(self, **filters: str | None) -> dict[str, list[str]]:
        return self.call("unmatched_filters", **filters)

    def feedback_words(self, query: str, **options: Any) -> list[tuple[str, float]]:
        return self.call("feedback_words", query, **options)

    def story(self, story_id: str, version: int | None = None) -> Any:
        return self.call("story", story_id, version)

    def story_versions(self, story_id: str) -> list:
        return self.call("story_versions", story_id)

    def similar(self, story_id: str, paragraph: int | None = None, limit: int = 10
                ) -> list[Hit]:
        return self.call("similar", story_id, paragraph, limit)

    def stats(self) -> dict:
        return self.call("stats")

    def paragraph_count(self) -> int:
        return self.call("paragraph_count")

    def segment_count(self) -> int:
        return self.call("segment_count")

    def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """Index.<method>(*args, **kwargs) on a worker, for a method that only reads
        (READS); its exceptions (QueryError, IndexNotFoundError) come back as they are."""
        if method not in READS:
            raise ValueError(f"{method!r} is not one of the reading methods: "
                             f"{', '.join(sorted(READS))}")
        return self._result(self._submit(method, args, kwargs), args[0] if args else method)

    def _submit(self, method: str, args: tuple, kwargs: dict):
        return self._client.submit(_query_task, self.path, method, args, kwargs, pure=False)

    def _result(self, future, what: object) -> Any:
        from dask.distributed import KilledWorker

        try:
            answered, value = future.result(timeout=self.timeout)
        except KilledWorker as exc:
            raise ClusterError(f"query {what!r}: the workers running it kept dying "
                               f"({exc}); no answer") from None
        except TimeoutError:  # dask's is asyncio's, which is this one
            future.cancel()
            raise ClusterError(f"query {what!r}: no answer within {self.timeout:g} s (are "
                               "the scheduler's workers running?)") from None
        if not answered:
            raise value
        return value

# Per worker process: the indexes its queries opened, kept open for the next ones (their
# searchers follow new commits by themselves), and a lock each, as an Index's caches are
# not shared between threads (workers started with --nthreads above 1 queue on it).
_OPEN: dict[str, tuple[Index, threading.Lock]] = {}

_OPENING = threading.Lock()

_QUERIES = [0]  # this worker's queries, for the crash tests' fault injection


def _query_task(path: str, method: str, args: tuple, kwargs: dict) -> tuple[bool, Any]:
    """(True, what Index.<method> returned) or (False, the exception it raised)."""
    with _OPENING:
        _QUERIES[0] += 1
        crash_point("query", _QUERIES[0])
        try:
            if path not in _OPEN:
                _OPEN[path] = (Index.open(path), threading.Lock())
        except Exception as exc:  # no index there: the caller's to raise
            return False, exc
        index, lock = _OPEN[path]
    with lock:
        try:
            return True, getattr(index, method)(*args, **kwargs)
        except Exception as exc:  # the caller's to raise; the worker logs nothing
            return False, exc


def _opened() -> dict[str, int]:
    """On a worker (Client.run): the indexes it keeps open, each path with its object's id."""
    return {path: id(index) for path, (index, _) in _OPEN.items()}
