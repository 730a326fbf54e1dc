"""Compression of what ingest compresses: zlib against ISA-L (whoosh_ext.blocks.compress).

    python bench/bench_compress.py [FOLDER] [--repeat 9]

Ingests FOLDER (default: the shared Reuters files when present, else corpus/) into a
temporary index, then compresses again what that index holds compressed: each document's
stored fields (pickled as the stored column pickles them) and each posting block large
enough to be compressed (its data pickled as the block writer pickles it). Each is
compressed by zlib.compress at the level Whoosh asks for, by zlib with the small state fix
12 used before isal, and by whoosh_ext.compress (ISA-L where isal is installed); the
median over the repeats of microseconds a call and the mean size are printed, and every
stream is checked to decompress with zlib to its input.
"""

from __future__ import annotations

import argparse
import pickle
import random
import statistics
import sys
import tempfile
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from indexer import Index
from indexer.store import whoosh_ext  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHARED_REUTERS = ROOT.parent / "shared" / "data" / "reuters21578"
LEVEL = 3  # what Whoosh asks for, for stored fields and posting blocks alike


def payloads(folder: Path, limit: int = 20_000) -> dict[str, list[bytes]]:
    """The bytes an ingest of `folder` compresses, by kind (at most `limit` of each)."""
    with tempfile.TemporaryDirectory() as path:
        index = Index.create(path)
        index.ingest([str(folder)])
        ix = index.whoosh_index
        stored: list[bytes] = []
        blocks: list[bytes] = []
        with ix.reader() as reader:
            for subreader, _ in reader.leaf_readers():
                for fields in subreader.all_stored_fields():
                    if len(stored) < limit:
                        stored.append(pickle.dumps(fields, whoosh_ext.STORED_PICKLE_PROTOCOL))
                terms = subreader._terms
                for _, info in terms.items():
                    if info.is_inlined() or len(blocks) >= limit:
                        continue
                    length = info._length[0] if isinstance(info._length, tuple) \
                        else info._length
                    raw = bytes(terms._postfile.get(info._offset, length))
                    for _, data, _ in whoosh_ext.blocks.iter_blocks(raw):
                        data = pickle.dumps(data, whoosh_ext.BLOCK_PICKLE_PROTOCOL)
                        if len(data) >= whoosh_ext.SMALL_BLOCK:  # smaller ones stay raw
                            blocks.append(data)
        index.close()
    return {"stored fields": stored, "posting blocks": blocks}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path,
                        default=SHARED_REUTERS if SHARED_REUTERS.is_dir() else ROOT / "corpus")
    parser.add_argument("--repeat", type=int, default=9)
    options = parser.parse_args()
    ways = {"zlib.compress": lambda data: zlib.compress(data, LEVEL),
            "zlib, small state": lambda data: whoosh_ext.zlib_compress(data, LEVEL),
            "compress()": lambda data: whoosh_ext.compress(data, LEVEL)}
    engine = "ISA-L" if whoosh_ext.isal_zlib is not None else "zlib (isal not installed)"
    print(f"input: {options.folder}; compress() uses {engine}")
    for kind, inputs in payloads(options.folder).items():
        mean = sum(map(len, inputs)) / max(1, len(inputs))
        print(f"{kind}: {len(inputs)} inputs, {mean:.0f} bytes on average")
        times: dict[str, list[float]] = {name: [] for name in ways}
        for _ in range(options.repeat):
            order = list(ways)
            random.shuffle(order)  # the machine's drift spread over all of them
            for name in order:
                way = ways[name]
                started = time.perf_counter()
                for data in inputs:
                    way(data)
                times[name].append((time.perf_counter() - started) / len(inputs) * 1e6)
        for name, way in ways.items():
            out = [way(data) for data in inputs]
            if [zlib.decompress(stream) for stream in out] != inputs:
                raise SystemExit(f"{name}: a stream zlib does not read back")
            size = sum(map(len, out)) / len(out)
            print(f"  {name:18s} {statistics.median(times[name]):7.2f} us a call  "
                  f"{size:7.0f} bytes ({size / mean:.1%})")


if __name__ == "__main__":
    main()
