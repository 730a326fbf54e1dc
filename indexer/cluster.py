"""An archive on dask.distributed: the optional extra `pip install 'wire-indexer[cluster]'`.

Ingest: each shard is one task (run_shards). `scheduler="local"` starts a local cluster of
`workers` processes for the run; an address (`tcp://HOST:PORT`) uses a running scheduler,
whose workers must reach the archive's folder at the same path (shared storage) and have
this package installed. A task is the same ingest as without Dask
(archive.ingest_shard), so every guarantee of a shard holds. When a worker dies mid-task,
the scheduler hands the task to another worker: the shard's last commit stands and the
new attempt redoes the rest. A task that keeps losing its workers ends the run with
ClusterError.

Queries on Dask workers: indexer.cluster_queries.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

from .errors import ClusterError
from .ingest.ledger import IngestReport


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


