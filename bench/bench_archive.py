"""An archive of time shards against one index holding the same stories, same run.

    python bench/make_corpus.py /tmp/c1m12 --paragraphs 1000000 --step-minutes 3
    python bench/bench_archive.py /tmp/c1m12 --keep /tmp/arc1m [--shard-by month]
        [--workers 2] [--reuse] [--repeat 3] [--dask]
    python bench/bench_archive.py /tmp/c1m12 --keep /tmp/grow --growth 15 88 163
    python bench/bench_archive.py /tmp/c4m --measure /tmp/a100k /tmp/a1m /tmp/a4m

Ingests the folder into one index and into an archive (`--shard-by`), one after the
other with the same workers, and prints paragraphs/s for each; then, on both, the query
set of bench_query.py (median and p95 of in-process `Index.search`, limit 10, after a warm
pass), the same queries with a date filter of one month, and whether the two return the
same hits with the same scores. --reuse keeps indexes already in --keep (no ingest).
--dask: the archive's queries also as tasks of a local Dask cluster of --workers
processes that keep it open: latency one at a time, all of them submitted at once
against in-process, and whether both answer the same.

--growth K1 K2 ...: an archive that grows as a newsroom's does, month by month: the
corpus's first K1 subfolders (make_corpus writes them in date order), then the first K2,
... ingested into the same archive as incremental runs; after each, the latency of
queries restricted to the first month (always the same shard) and of unrestricted ones.
--measure A1 A2 ...: the same measurements of archives already built (a corpus folder is
still named first, and ignored).
"""

from __future__ import annotations

import argparse
import math
import random
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_query import FILTERED, QUERIES  # noqa: E402

from indexer import Index  # noqa: E402


def ingest(folder: str, path: Path, workers: int, shard_by: str | None,
           scheduler: str | None = None) -> None:
    if path.exists():
        shutil.rmtree(path)
    started = time.perf_counter()
    index = Index.create(str(path), shard_by=shard_by)
    options = {"scheduler": scheduler} if scheduler else {}
    report = index.ingest([folder], workers=workers, **options)
    seconds = time.perf_counter() - started
    label = f"archive by {shard_by}" if shard_by else "one index"
    if scheduler:
        label += f", Dask {scheduler}"
    print(f"ingest {label:18} {report.paragraphs} paragraphs in {seconds:.1f} s: "
          f"{report.paragraphs / seconds:,.0f} paragraphs/s", flush=True)


def month_of(index: Index) -> str:
    """A month in the middle of the index's dates (`--since M --until M`: that month).
    The bench had passed the month after as --until, which takes in that month too:
    its "one month" figures before this were of two months (two shards)."""
    stats = index.stats()
    first, last = stats["first_date"][:7], stats["last_date"][:7]
    year, month = int(first[:4]), int(first[5:7])
    months = (int(last[:4]) - year) * 12 + int(last[5:7]) - month
    middle = month - 1 + months // 2
    return f"{year + middle // 12:04d}-{middle % 12 + 1:02d}"


# words of business and world news, for queries never run before (no cache of any kind
# has seen them: `fresh` below)
VOCABULARY = """oil prices bank rates trade deficit wheat exports coffee gold dollar yen stock
market takeover bid shares reserve policy grain tax reform strike merger agreement profit
loss dividend earnings quarter sales company government minister talks president election
budget inflation growth interest loan debt bonds treasury crude output barrels refinery
shipping port cargo sugar cocoa rubber copper tin zinc aluminium steel car airline computer
textile farm crop harvest drought weather court ruling lawsuit fraud acquisition stake offer
unit subsidiary plant factory workers union wage jobs unemployment consumer retail futures
currency franc sterling""".split()


def fresh_queries(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    queries: list[str] = []
    while len(queries) < count:
        query = " ".join(rng.sample(VOCABULARY, rng.randint(1, 3)))
        if query not in queries:
            queries.append(query)
    return queries


def timed(index: Index, queries: list[tuple[str, dict]], repeat: int) -> list[float]:
    for query, filters in queries:  # warm: searchers, caches, the page cache
        index.search(query, **filters)
    return sorted(latency for _ in range(repeat) for latency in once(index, queries))


def once(index, queries: list[tuple[str, dict]]) -> list[float]:
    """Each query's latency, run once (`index`: an Index or a ClusterQueries)."""
    latencies = []
    for query, filters in queries:
        started = time.perf_counter()
        index.search(query, **filters)
        latencies.append(time.perf_counter() - started)
    return latencies


def line(label: str, latencies: list[float]) -> str:
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
    return (f"{label:42} median {statistics.median(latencies) * 1000:6.1f} ms, "
            f"p95 {p95 * 1000:6.1f} ms ({len(latencies)} queries)")


def growth(corpus: Path, path: Path, stages: list[int], workers: int, shard_by: str) -> None:
    folders = sorted(str(p) for p in corpus.iterdir() if p.is_dir())
    if path.exists():
        shutil.rmtree(path)
    archive = Index.create(str(path), shard_by=shard_by)
    queries = fresh_queries(150 * 2 * len(stages), seed=11)
    for number, stage in enumerate(stages):
        started = time.perf_counter()
        report = archive.ingest(folders[:stage], workers=workers)
        seconds = time.perf_counter() - started
        archive = Index.open(str(path))
        print(f"this run: {report.paragraphs} paragraphs in {seconds:.0f} s")
        growth_point(archive, queries[number * 300:(number + 1) * 300])


def growth_point(archive: Index, fresh: list[str]) -> None:
    """An archive's size and the latency of queries restricted to its first month (150
    of `fresh`, never run before, then bench_query's, repeated) and unrestricted (the
    other 150 of `fresh`)."""
    first = archive.shard_names()[0]  # type: ignore[attr-defined]
    print(f"{archive.paragraph_count():>9} paragraphs, "
          f"{len(archive.shard_names())} shards, "  # type: ignore[attr-defined]
          f"{archive.segment_count()} segments")
    month = {"since": first, "until": first}
    for label, chosen, filters in (("  one month, fresh queries", fresh[:150], month),
                                   ("  fresh queries", fresh[150:], {})):
        print(line(label, sorted(once(archive, [(query, filters) for query in chosen]))))
    plain = [(query, dict(month)) for query in QUERIES]
    print(line(f"  one month ({first})", timed(archive, plain, 3)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--keep", type=Path, default=None,
                        help="folder for the two indexes (one/ and archive/)")
    parser.add_argument("--shard-by", choices=["year", "month"], default="month")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--growth", type=int, nargs="+", default=None)
    parser.add_argument("--dask", action="store_true",
                        help="also ingest the archive on a local Dask cluster of --workers "
                             "processes (archive-dask/), same run, and query it there")
    parser.add_argument("--measure", type=Path, nargs="+", default=None,
                        help="archives already built (the points of a growth curve, "
                             "smallest first): only --growth's measurements")
    args = parser.parse_args()
    if args.measure:
        queries = fresh_queries(300 * len(args.measure), seed=11)
        for number, path in enumerate(args.measure):
            growth_point(Index.open(str(path)), queries[number * 300:(number + 1) * 300])
        return
    if args.keep is None:
        parser.error("--keep is needed (but with --measure)")
    if args.growth:
        growth(Path(args.corpus), args.keep / "growth", args.growth, args.workers,
               args.shard_by)
        return
    one_path, archive_path = args.keep / "one", args.keep / "archive"
    if not args.reuse:
        ingest(args.corpus, one_path, args.workers, None)
        ingest(args.corpus, archive_path, args.workers, args.shard_by)
        if args.dask:
            ingest(args.corpus, args.keep / "archive-dask", args.workers, args.shard_by,
                   scheduler="local")
    one, archive = Index.open(str(one_path)), Index.open(str(archive_path))
    print(f"one index: {one.paragraph_count()} paragraphs in {one.segment_count()} segments; "
          f"archive: {len(archive.shard_names())} shards, "  # type: ignore[attr-defined]
          f"{archive.segment_count()} segments")
    since = until = month_of(one)
    plain = [(query, {}) for query in QUERIES] + [(q, dict(f)) for q, f in FILTERED]
    month = [(query, {"since": since, "until": until}) for query in QUERIES]
    new = fresh_queries(300)
    fresh = {"one index": new[:150], "archive": new[150:]}
    for label, index in (("one index", one), ("archive", archive)):
        print(line(f"{label}: 1-4 words and filters", timed(index, plain, args.repeat)))
        print(line(f"{label}: one month ({since})", timed(index, month, args.repeat)))
        # each run once: never seen by any cache
        window = {"since": since, "until": until}
        print(line(f"{label}: one month, fresh queries",
                   sorted(once(index, [(query, window) for query in fresh[label]]))))
        other = fresh["archive" if label == "one index" else "one index"]
        print(line(f"{label}: fresh queries", sorted(once(index, [(q, {}) for q in other]))))
    compare(one, archive, plain + month)
    if args.dask:
        on_dask(archive, plain, month, args.workers, args.repeat)


def on_dask(archive: Index, plain: list[tuple[str, dict]], month: list[tuple[str, dict]],
            workers: int, repeat: int) -> None:
    """The archive's queries as tasks of a local Dask cluster of `workers` processes that
    keep it open (indexer.cluster_queries.ClusterQueries), against in-process Index.search: one
    query at a time, then all of them submitted at once; and whether both answer the
    same."""
    from indexer.cluster_queries import ClusterQueries

    started = time.perf_counter()
    with ClusterQueries(archive.path, "local", workers) as cluster:
        print(f"Dask: a local cluster of {workers} processes started in "
              f"{time.perf_counter() - started:.1f} s")
        first = ", ".join(f"{seconds * 1000:.1f} ms"
                          for seconds in once(cluster, plain[:workers]))
        print(f"Dask: the first queries (each worker opens the archive): {first}")
        for label, queries in (("1-4 words and filters", plain), ("one month", month)):
            print(line(f"Dask: {label}", timed(cluster, queries, repeat)))
        every = (plain + month) * repeat
        for label, run in (("in process", lambda: [archive.search(q, **f) for q, f in every]),
                           ("Dask", lambda: cluster.search_many(every))):
            started = time.perf_counter()
            run()
            seconds = time.perf_counter() - started
            print(f"{len(every)} queries at once, {label:10}: {seconds:.2f} s, "
                  f"{len(every) / seconds:.1f} queries/s")
        same = sum(
            [(h.story_id, h.paragraph, h.score) for h in ours] ==
            [(h.story_id, h.paragraph, h.score) for h in archive.search(q, **f)]
            for ours, (q, f) in zip(cluster.search_many(plain + month), plain + month,
                                    strict=True))
        print(f"Dask: same hits and scores as in process: {same} of {len(plain + month)}")


def compare(one: Index, archive: Index, queries: list[tuple[str, dict]]) -> None:
    """Whether both give the same hits with the same scores. Ties (a story sent twice
    scores the same) may come in another order, and a tie at the tenth hit may bring
    another of its documents: hits are compared as sets above the last score. Scores
    agree exactly where both merged the same documents; a merge re-sums Whoosh's
    one-byte document lengths, so two merge histories differ in the field-length totals
    by a fraction of a percent, and scores in the sixth digit."""
    same, worst = 0, 0.0
    for query, filters in queries:
        ours = [(h.story_id, h.paragraph, h.score) for h in archive.search(query, **filters)]
        theirs = [(h.story_id, h.paragraph, h.score) for h in one.search(query, **filters)]
        if len(ours) != len(theirs):
            continue
        worst = max([worst, *(abs(a[2] - b[2]) / max(abs(b[2]), 1e-12)
                              for a, b in zip(ours, theirs, strict=True))])
        last = min((score for _, _, score in theirs), default=0.0)
        above = {hit[:2] for hit in ours if hit[2] > last * (1 + 1e-5)}
        if above == {hit[:2] for hit in theirs if hit[2] > last * (1 + 1e-5)} and all(
                math.isclose(a[2], b[2], rel_tol=1e-5) for a, b in zip(ours, theirs,
                                                                       strict=True)):
            same += 1
    print(f"same hits and scores (within 1e-5): {same} of {len(queries)} queries; largest "
          f"relative score difference {worst:.1e}")


if __name__ == "__main__":
    main()
