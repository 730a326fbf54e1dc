"""Load on `indexer serve`: N concurrent clients on localhost, beside the same queries
made in-process.

    python bench/bench_serve.py INDEX [--clients 32] [--seconds 60] [--workers 2]
                                      [--think 1.0]

Starts `indexer serve --workers W` on a free port and runs `--clients` client threads
for `--seconds` (bounded in both), each on its own keep-alive connection: a mixed
request (searches of 1-4 words and TREC-title length, filtered ones, a second page,
facets, a story the last search found), then `--think` seconds of a reader's pause
(0: back to back).
Prints failed requests, the median and p95 latency and the throughput; then the same
mixed searches made in-process by W processes for the same time, and the ratio of
the two throughputs. Also how long the server takes to answer its first request after
start, and how long `indexer serve --help` takes.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_query import FILTERED, QUERIES, TITLES  # noqa: E402

from indexer import Index  # noqa: E402


def mixed(rng: random.Random) -> tuple[str, dict]:
    """One request of the mix: (path, query parameters)."""
    roll = rng.random()
    if roll < 0.45:
        return "/api/search", {"q": rng.choice(QUERIES)}
    if roll < 0.60:
        return "/api/search", {"q": rng.choice(TITLES)}
    if roll < 0.75:
        query, filters = rng.choice(FILTERED)
        return "/api/search", {"q": query, **filters}
    if roll < 0.85:
        return "/api/search", {"q": rng.choice(QUERIES), "offset": "10"}
    if roll < 0.95:
        return "/api/search", {"q": rng.choice(QUERIES), "facets": "people,tags,place,date"}
    return "/api/stories/", {}  # the story the last search found first


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(index: str, workers: int) -> tuple[subprocess.Popen, int, float]:
    """The server, its port, and seconds from start to its first answered search."""
    port = free_port()
    started = time.perf_counter()
    server = subprocess.Popen([sys.executable, "-m", "indexer", "serve", "--index", index,
                               "--port", str(port), "--workers", str(workers)], cwd=ROOT,
                              env={**os.environ, "PYTHONPATH": str(ROOT)},
                              stderr=subprocess.DEVNULL)
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            connection.request("GET", "/api/search?q=oil")
            if connection.getresponse().status == 200:
                return server, port, time.perf_counter() - started
        except OSError:
            time.sleep(0.02)
        if time.perf_counter() - started > 60:
            server.kill()
            raise SystemExit("the server did not answer within 60 s")


failures: list[str] = []  # what each failed request answered


def client(port: int, until: float, think: float, seed: int, out: list) -> None:
    rng = random.Random(seed)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    story = None
    while time.perf_counter() < until:
        path, params = mixed(rng)
        if path == "/api/stories/":
            if story is None:
                continue  # no search yet has found a story to open
            path += urllib.parse.quote(story)
        started = time.perf_counter()
        try:
            connection.request("GET", path + ("?" + urllib.parse.urlencode(params)
                                              if params else ""))
            response = connection.getresponse()
            body = response.read()
            ok = response.status == 200 and body.startswith(b"{")
            if not ok:
                failures.append(f"{response.status} {path} {params}: {body[:200]!r}")
            if ok and path == "/api/search":
                hits = json.loads(body)["hits"]
                story = hits[0]["story_id"] if hits else story
        except (OSError, http.client.HTTPException) as exc:
            ok = False
            failures.append(f"{type(exc).__name__} {path} {params}: {exc}")
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        out.append((time.perf_counter() - started, ok))
        if think:
            time.sleep(rng.uniform(0.5, 1.5) * think)


def in_process(index_path: str, seconds: float, seed: int, queue) -> None:
    """Searches of the same mix, back to back, in this process: how many in `seconds`."""
    rng = random.Random(seed)
    index = Index.open(index_path)
    for query in QUERIES:
        index.search(query)
    done = 0
    story = None
    until = time.perf_counter() + seconds
    while time.perf_counter() < until:
        path, params = mixed(rng)
        if path == "/api/stories/":
            if story is None:
                continue
            index.story(story)
        else:
            params = dict(params)
            query = params.pop("q")
            facets = params.pop("facets", None)
            offset = int(params.pop("offset", 0))
            hits = index.search(query, offset=offset, **params)
            story = hits[0].story_id if hits else story
            if facets:
                index.facets(query, tuple(facets.split(",")), **params)
        done += 1
    queue.put(done)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--think", type=float, default=1.0,
                        help="seconds a client pauses between requests, on average")
    parser.add_argument("--no-compare", action="store_true")
    args = parser.parse_args()
    clients = max(1, min(args.clients, 256))
    seconds = max(1.0, min(args.seconds, 600.0))

    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "indexer", "serve", "--help"], cwd=ROOT,
                   env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL,
                   check=True)
    print(f"indexer serve --help: {time.perf_counter() - started:.2f} s")
    server, port, first = start(args.index, args.workers)
    print(f"first answer {first:.2f} s after start ({args.workers} server processes)")
    try:
        results: list[tuple[float, bool]] = []
        until = time.perf_counter() + seconds
        threads = [threading.Thread(target=client, args=(port, until, args.think, n, results))
                   for n in range(clients)]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
    finally:
        server.terminate()
        server.wait(timeout=30)
    latencies = sorted(seconds for seconds, _ in results)
    failed = sum(1 for _, ok in results if not ok)
    median = statistics.median(latencies)
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)]
    served = len(results) / elapsed
    print(json.dumps({"clients": clients, "seconds": round(elapsed, 1), "think": args.think,
                      "requests": len(results), "failed": failed}))
    print(f"served: {served:.1f} requests/s, median {median * 1000:.1f} ms, "
          f"p95 {p95 * 1000:.1f} ms, {failed} failed")
    for failure in sorted(set(failures))[:10]:
        print(f"  failed: {failure}")
    if args.no_compare:
        return
    queue: multiprocessing.Queue = multiprocessing.Queue()
    processes = [multiprocessing.Process(target=in_process,
                                         args=(args.index, seconds, n, queue))
                 for n in range(args.workers)]
    for process in processes:
        process.start()
    done = sum(queue.get() for _ in processes)
    for process in processes:
        process.join()
    local = done / seconds
    print(f"in-process, {args.workers} processes back to back: {local:.1f} searches/s; "
          f"served / in-process: {served / local:.2f}")


if __name__ == "__main__":
    main()
