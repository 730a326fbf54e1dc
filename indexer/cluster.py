"""An archive's shard ingests as tasks of dask.distributed: the optional extra
`pip install 'wire-indexer[cluster]'`.

`scheduler="local"` starts a local cluster of `workers` processes for the run; an address
(`tcp://HOST:PORT`) uses a running scheduler, whose workers must reach the archive's
folder at the same path (shared storage) and have this package installed. Each shard is
one task; a task is the same ingest as without Dask (archive.ingest_shard), so every
guarantee of a shard holds. When a worker dies mid-task, the scheduler hands the task to
another worker: the shard's last commit stands and the new attempt redoes the rest. A
task that keeps losing its workers ends the run with ClusterError.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from .ingest import IngestReport


class ClusterError(RuntimeError):
    """Dask is missing, the scheduler cannot be reached, or a shard's task failed."""


def run_shards(scheduler: str, workers: int, tasks: list[tuple], options: dict
               ) -> Iterator[tuple[str, IngestReport]]:
    """(shard, its run's report) for each task (archive.ingest_shard's positional
    arguments, the shard's name third), as each finishes."""
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise ClusterError("a Dask scheduler needs the optional extra: "
                           "pip install 'wire-indexer[cluster]'") from None
    cluster = None
    try:
        if scheduler == "local":
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=logging.ERROR)
            client = Client(cluster)
        else:
            client = Client(scheduler, timeout="5s")
    except (OSError, TimeoutError) as exc:
        if cluster is not None:
            cluster.close()
        raise ClusterError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    try:
        # the options travel as one argument: submit() has keywords of its own (workers=)
        futures = {client.submit(_shard_task, task, options, pure=False): task[2]
                   for task in tasks}
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


def _shard_task(task: tuple, options: dict) -> IngestReport:
    """A shard's ingest on a Dask worker."""
    from .archive import ingest_shard

    return ingest_shard(*task, **options)
