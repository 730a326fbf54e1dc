"""An archive on dask.distributed: the optional extra `pip install 'wire-indexer[cluster]'`.

Ingest: each shard is one task (run_shards). `scheduler="local"` starts a local cluster of
`workers` processes for the run; an address (`tcp://HOST:PORT`) uses a running scheduler,
whose workers must reach the archive's folder at the same path (shared storage) and have
this package installed. A task is the same ingest as without Dask
(archive.ingest_shard), so every guarantee of a shard holds. When a worker dies mid-task,
the scheduler hands the task to another worker: the shard's last commit stands and the
new attempt redoes the rest. A task that keeps losing its workers ends the run with
ClusterError.

Queries (ClusterQueries): each query is one task, answered by a worker that keeps the
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

import logging
import os
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from .errors import ClusterError
from .ledger import IngestReport

if TYPE_CHECKING:
    from .index import Index
    from .search import Hit

QUERY_TIMEOUT = 120.0  # seconds a query may wait for a worker and its answer
# the Index methods a worker runs for ClusterQueries: those that read, and never write
READS = frozenset({"search", "search_stories", "count", "facets", "suggest", "unmatched_filters",
                   "matching_docnums", "similar", "story", "stats"})


def connect(scheduler: str, workers: int) -> tuple[Any, Any]:
    """(client, the local cluster it started or None) for "local" or an address."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise ClusterError("a Dask scheduler needs the optional extra: "
                           "pip install 'wire-indexer[cluster]'") from None
    if scheduler != "local":
        probe(scheduler)
    cluster = None
    try:
        if scheduler == "local":
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=logging.ERROR)
            return Client(cluster), cluster
        return Client(scheduler, timeout="5s"), None
    except (OSError, TimeoutError, ValueError, MemoryError) as exc:
        if cluster is not None:
            cluster.close()
        raise ClusterError(f"cannot reach the Dask scheduler at {scheduler}: "
                           f"{type(exc).__name__}: {exc}") from None


PROBE_SECONDS = 5.0  # to connect to a scheduler, and for its first words
HANDSHAKE_BYTES = 1 << 20  # a scheduler's first message (its handshake) is far smaller


def probe(scheduler: str, seconds: float | None = None) -> None:
    """ClusterError unless `scheduler` is a scheduler's address (tcp://HOST:PORT, or
    tls://) that answers as Dask does, within `seconds`. Dask's client waits for a
    scheduler's handshake without a time limit, and sizes a buffer by the length it is
    sent: a port that accepts and never answers hung a run, and one that sends junk
    made it allocate gigabytes. A scheduler speaks first, so its first eight bytes (the
    length of its handshake, as Dask's TCP framing sends it) tell."""
    import socket
    import struct

    from distributed.comm import parse_address, parse_host_port

    seconds = PROBE_SECONDS if seconds is None else seconds
    try:
        scheme, location = parse_address(scheduler)
        host, port = parse_host_port(location)
    except (ValueError, TypeError) as exc:
        raise ClusterError(f"{scheduler!r} is not a scheduler address (tcp://HOST:PORT): "
                           f"{exc}") from None
    if scheme not in ("tcp", "tls") or not host:
        raise ClusterError(f"{scheduler!r} is not a scheduler address (tcp://HOST:PORT)")
    try:
        with socket.create_connection((host, port), timeout=seconds) as connection:
            if scheme != "tcp":
                return  # its first bytes are TLS's
            head = b""
            while len(head) < 8:
                chunk = connection.recv(8 - len(head))
                if not chunk:
                    raise ClusterError(f"{scheduler} closed the connection without a word: "
                                       "not a Dask scheduler")
                head += chunk
    except TimeoutError:
        raise ClusterError(f"{scheduler} did not answer within {seconds:g} s: not a Dask "
                           "scheduler, or one too busy to take a client") from None
    except OSError as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {scheduler}: "
                           f"{exc.strerror or exc}") from None
    (length,) = struct.unpack("Q", head)
    if not 0 < length <= HANDSHAKE_BYTES:
        raise ClusterError(f"{scheduler} answered with something other than Dask's "
                           "protocol: not a Dask scheduler")


def run_shards(scheduler: str, workers: int, tasks: list[tuple], options: dict,
               ingest_shard: Callable[..., IngestReport]
               ) -> Iterator[tuple[str, IngestReport]]:
    """(shard, its run's report) for each task, as each finishes: `ingest_shard(*task,
    **options)` on a worker (the archive hands its own function: the shard's name third
    of its arguments, its files fourth)."""
    from dask.distributed import as_completed

    client, cluster = connect(scheduler, workers)
    try:
        # the options travel as one argument: submit() has keywords of its own (workers=);
        # the shards with the most files first, so that a big one does not start last
        # and run alone while the other workers wait
        futures = {client.submit(_shard_task, ingest_shard, task, options, pure=False,
                                 priority=len(task[3])): task[2] for task in tasks}
        for future in as_completed(futures):
            name = futures[future]
            try:
                done = future.result()
            except Exception as exc:  # KilledWorker, or the task's own failure
                raise ClusterError(f"shard {name}: {type(exc).__name__}: {exc} (its last "
                                   "commit stands; run the ingest again)") from None
            yield name, done
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _shard_task(ingest_shard: Callable[..., IngestReport], task: tuple, options: dict
                ) -> IngestReport:
    """A shard's ingest on a Dask worker."""
    return ingest_shard(*task, **options)


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
    from .index import Index
    from .storage import crash_point

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
