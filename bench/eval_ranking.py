"""Ranking quality on every test collection, ours against a single-field BM25 baseline.

    python bench/eval_ranking.py [--data ../shared/data] [--cache DIR] [--collections A,B]
                                 [--depth 1000] [--run-out DIR]

Each collection of ../shared/data/testcollections (TIME, CISI, CRAN, LISA, ADI, MED, NPL,
and Reuters-21578 with its category names as queries) goes through the ordinary ingest
path, titles as headlines (bench/testcollections.py). For every collection, in one run:

  (a) baseline  stock Whoosh BM25 over whole stories, one field holding headline + text,
                the query's words OR-ed (what a user would build first)
  (b) default   ours as shipped (Index.search, a story ranked by its best paragraph)
  (c) fb-100    ours with the feedback of the version before: the first pass's best
                100 stories rescored with the feedback words, no second retrieval
  (d) no-fb     ours without pseudo-relevance feedback

with MAP, nDCG@10, P@10 and R@1000 (trec_eval's definitions, through ir-measures), the
ratio (b)/(a), and `answers`: the share of relevant stories retrieved whose shown
paragraph holds a query word.

`--sizes 2000,4000,8000,16000` adds the size study: the first N Reuters stories (the
largest news collection here) with their judgments, and how the MAP of each feedback
depth (the first 100, 300, 1,000 stories rescored) and of re-retrieval (the default)
moves as the collection grows.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import testcollections as tc  # noqa: E402
from whoosh import index as whoosh_index  # noqa: E402
from whoosh.analysis import StemmingAnalyzer  # noqa: E402
from whoosh.fields import ID, TEXT, Schema  # noqa: E402
from whoosh.qparser import OrGroup, QueryParser  # noqa: E402

from indexer import Index  # noqa: E402
from indexer.evaluation import MEASURES, measure, write_run  # noqa: E402
from indexer.search.ranking import DEFAULT  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
DEFAULT_CACHE = Path("/tmp/indexer-eval-ranking")
Run = dict[str, list[tuple[str, float]]]


def _fingerprint(collection: tc.Collection) -> str:
    """What an index was built from: the documents, and the code that reads and writes."""
    digest = hashlib.sha256()
    for doc in collection.documents:
        digest.update(f"{doc.doc_id}\t{doc.title}\t{len(doc.paragraphs)}\n".encode())
    root = Path(__file__).resolve().parent.parent / "indexer"
    # what decides an index's records: the schema, the records, the readers, what ingest
    # adds to a story and how it runs (a file moved since is still read)
    for path in sorted([root / "store" / "schema.py", root / "store" / "documents.py",
                        *root.glob("formats/*.py"), *root.glob("enrich/**/*.py"),
                        *root.glob("ingest/*.py")]):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def ours_index(collection: tc.Collection, cache: Path) -> Index:
    """The collection ingested through the ordinary path (reused while nothing changed)."""
    folder = cache / collection.name
    stamp = folder / "fingerprint"
    fingerprint = _fingerprint(collection)
    if stamp.exists() and stamp.read_text() == fingerprint:
        return Index.open(str(folder / "index"))
    if folder.exists():
        import shutil

        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    if collection.sgml_files:
        sources, fmt = [str(p) for p in collection.sgml_files], "reuters"
    else:
        sources, fmt = [str(folder / "collection.sgml")], "trec"
        tc.write_trec(collection, Path(sources[0]))
    index = Index.create(str(folder / "index"))
    report = index.ingest(sources, fmt=fmt, workers=2)
    if report.stories < len(collection.documents):
        print(f"  {collection.name}: {report.stories} stories of {len(collection.documents)} "
              "ingested", file=sys.stderr)
    stamp.write_text(fingerprint)
    return index


def baseline_run(collection: tc.Collection, cache: Path, depth: int) -> Run:
    """Stock Whoosh BM25 over one field holding headline + text, the words OR-ed."""
    folder = cache / collection.name / "baseline"
    schema = Schema(id=ID(stored=True, unique=True), text=TEXT(analyzer=StemmingAnalyzer()))
    if not whoosh_index.exists_in(str(folder)):
        folder.mkdir(parents=True, exist_ok=True)
        ix = whoosh_index.create_in(str(folder), schema)
        writer = ix.writer()
        for doc in collection.documents:
            writer.add_document(id=doc.doc_id, text="\n\n".join([doc.title, *doc.paragraphs]))
        writer.commit()
    ix = whoosh_index.open_dir(str(folder))
    parser = QueryParser("text", ix.schema, group=OrGroup)
    run: Run = {}
    with ix.searcher() as searcher:
        for qid, query in collection.topics.items():
            hits = searcher.search(parser.parse(query), limit=depth)
            run[qid] = [(hit["id"], hit.score) for hit in hits]
    return run


def ours_run(index: Index, collection: tc.Collection, depth: int, **options
             ) -> tuple[Run, float]:
    """Stories ranked by their best paragraph, and the share of the relevant stories
    retrieved whose shown paragraph holds one of the query's words."""
    run: Run = {}
    shown = answered = 0
    for qid, query in collection.topics.items():
        hits = index.search(query, limit=depth, per_story=1, **options)
        run[qid] = [(hit.story_id, hit.score) for hit in hits]
        relevant = collection.qrels.get(qid, {})
        for hit in hits:
            if relevant.get(hit.story_id):
                shown += 1
                answered += bool(hit.highlights)
    return run, (answered / shown if shown else 1.0)


def evaluate(names: list[str], data: Path, cache: Path, depth: int = 1000,
             run_out: Path | None = None, configs: dict[str, dict] | None = None
             ) -> dict[str, dict]:
    """{collection: {config: measures}}; configs default to (b) and (c) above."""
    configs = configs or CONFIGS
    results: dict[str, dict] = {}
    for name in names:
        started = time.monotonic()
        base, _, size = name.partition("-")
        collection = tc.load(base, data, cache)
        if size:
            collection = tc.sample(collection, int(size))
        judged = {q: d for q, d in collection.qrels.items() if q in collection.topics}
        index = ours_index(collection, cache)
        row = {"baseline": measure(judged, baseline_run(collection, cache, depth))}
        for label, options in configs.items():
            run, answers = ours_run(index, collection, depth, **options)
            row[label] = {**measure(judged, run), "answers": answers}
            if run_out:
                run_out.mkdir(parents=True, exist_ok=True)
                write_run(run, run_out / f"{name.lower()}.{label}.run")
        index.close()
        row["queries"] = len(judged)
        row["seconds"] = round(time.monotonic() - started, 1)
        results[name] = row
    return results


CONFIGS = {"default": {}, "fb-100": {"ranking": DEFAULT.with_(feedback_depth=100)},
           "no-fb": {"feedback": False}}
SIZE_CONFIGS = {"depth-100": {"ranking": DEFAULT.with_(feedback_depth=100)},
                "depth-300": {"ranking": DEFAULT.with_(feedback_depth=300)},
                "depth-1000": {"ranking": DEFAULT.with_(feedback_depth=1000)},
                "default": {}, "no-fb": {"feedback": False}}


def print_table(results: dict[str, dict], labels: list[str]) -> None:
    head = f"{'':<9}{'':<10}" + "".join(f"{name:>9}" for name in MEASURES)
    print(head + f"{'answers':>9}{'MAP/(a)':>9}{'nDCG/(a)':>9}")
    ratios: dict[str, list[float]] = {label: [] for label in labels}
    for name, row in results.items():
        for label in ["baseline", *labels]:
            m = row[label]
            line = f"{name if label == 'baseline' else '':<9}{label:<10}" + "".join(
                f"{m[k]:>9.4f}" for k in MEASURES)
            if label != "baseline":
                ratio = m["AP"] / row["baseline"]["AP"]
                ratios[label].append(ratio)
                line += f"{m['answers']:>9.3f}{ratio:>9.3f}" \
                        f"{m['nDCG@10'] / row['baseline']['nDCG@10']:>9.3f}"
            print(line)
    for label in labels:
        mean = sum(ratios[label]) / len(ratios[label])
        print(f"mean MAP ratio ({label}): {mean:.3f}   lowest: {min(ratios[label]):.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help="where the collections' indexes are kept between runs")
    parser.add_argument("--collections", default=",".join(tc.NAMES))
    parser.add_argument("--depth", type=int, default=1000)
    parser.add_argument("--run-out", type=Path, default=None,
                        help="also write each run as a TREC run file into this folder")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    parser.add_argument("--sizes", default="",
                        help="the size study: Reuters samples of these many stories")
    args = parser.parse_args()
    if not (args.data / "testcollections").is_dir():
        sys.exit(f"no test collections under {args.data}")
    names = [n.strip().upper() for n in args.collections.split(",") if n.strip()]
    results = evaluate(names, args.data, args.cache, args.depth, args.run_out)
    print_table(results, list(CONFIGS))
    if args.sizes:
        sizes = [f"REUTERS-{int(n)}" for n in args.sizes.split(",") if n.strip()]
        study = evaluate(sizes, args.data, args.cache, args.depth, configs=SIZE_CONFIGS)
        print("\nsize study (Reuters, first N stories): MAP ratio to the baseline")
        print(f"{'stories':>8}{'topics':>8}" + "".join(f"{label:>12}" for label in SIZE_CONFIGS))
        for name, row in study.items():
            print(f"{name.partition('-')[2]:>8}{row['queries']:>8}" + "".join(
                f"{row[label]['AP'] / row['baseline']['AP']:>12.3f}" for label in SIZE_CONFIGS))
        results["size study"] = study
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
