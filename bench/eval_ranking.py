"""Ranking quality on the TIME test collection, ours against a story-level BM25 baseline.

    python bench/eval_ranking.py [--data ../shared/data] [--run-out DIR]

TIME (423 Time magazine stories of 1963, 83 queries, relevance judgments) is converted to
TREC SGML and ingested through the ordinary pipeline. Its text has lost its paragraph breaks
(every line stands alone), so paragraphs are rebuilt as runs of about 80 words ending at a
sentence. Judgments name documents by their position in TIME.ALL, so that position is the
story id. The baseline is plain Whoosh BM25 over whole stories, built in the same run.
Printed: MAP, nDCG@10, P@10, R@1000 for both.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from whoosh import index as whoosh_index  # noqa: E402
from whoosh.analysis import StemmingAnalyzer  # noqa: E402
from whoosh.fields import ID, TEXT, Schema  # noqa: E402
from whoosh.qparser import OrGroup, QueryParser  # noqa: E402

from indexer import Index  # noqa: E402
from indexer.evaluation import MEASURES, measure, story_run, write_run  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
PARAGRAPH_WORDS = 80


def time_documents(folder: Path) -> list[tuple[str, str]]:
    """(story id, text) in TIME.ALL order; the id is the 1-based position."""
    text = (folder / "TIME.ALL").read_text(encoding="latin-1")
    records = re.split(r"^\*TEXT ", text, flags=re.MULTILINE)[1:]
    docs = []
    for position, record in enumerate(records, start=1):
        body = record.split("\n", 1)[1] if "\n" in record else ""
        body = body.replace("*STOP", "")
        docs.append((str(position), " ".join(body.split())))
    return docs


def paragraphs(text: str) -> list[str]:
    """Runs of about PARAGRAPH_WORDS words that end at a sentence."""
    sentences = re.split(r"(?<= \.) ", text)
    out: list[str] = []
    current: list[str] = []
    for sentence in sentences:
        current.append(sentence)
        if sum(len(s.split()) for s in current) >= PARAGRAPH_WORDS:
            out.append(" ".join(current))
            current = []
    if current:
        out.append(" ".join(current))
    return out


def time_topics(folder: Path) -> dict[str, str]:
    text = (folder / "TIME.QUE").read_text(encoding="latin-1")
    topics = {}
    for block in re.split(r"^\*FIND\s+", text, flags=re.MULTILINE)[1:]:
        number, _, query = block.partition("\n")
        query = query.replace("*STOP", "")
        topics[number.strip()] = " ".join(query.split())
    return topics


def time_qrels(folder: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    for line in (folder / "TIME.REL").read_text(encoding="latin-1").splitlines():
        parts = line.split()
        if len(parts) > 1:
            qrels[parts[0]] = {doc: 1 for doc in parts[1:]}
    return qrels


def write_trec_collection(docs: list[tuple[str, str]], path: Path) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for doc_id, text in docs:
            body = "".join(f"<P>{p}</P>\n" for p in paragraphs(text))
            f.write(f"<DOC>\n<DOCNO> {doc_id} </DOCNO>\n<TEXT>\n{body}</TEXT>\n</DOC>\n")


def baseline_run(docs: list[tuple[str, str]], topics: dict[str, str], folder: Path,
                 depth: int = 1000) -> dict[str, list[tuple[str, float]]]:
    """Plain Whoosh BM25 over whole stories, words OR-ed: the story-level reference."""
    schema = Schema(id=ID(stored=True, unique=True), body=TEXT(analyzer=StemmingAnalyzer()))
    ix = whoosh_index.create_in(str(folder), schema)
    writer = ix.writer()
    for doc_id, text in docs:
        writer.add_document(id=doc_id, body=text)
    writer.commit()
    parser = QueryParser("body", schema, group=OrGroup)
    run = {}
    with ix.searcher() as searcher:
        for qid, query in topics.items():
            hits = searcher.search(parser.parse(query), limit=depth)
            run[qid] = [(hit["id"], hit.score) for hit in hits]
    return run


def evaluate(data: Path, run_out: Path | None = None, depth: int = 1000
             ) -> dict[str, dict[str, float]]:
    folder = data / "testcollections" / "time"
    docs, topics, qrels = time_documents(folder), time_topics(folder), time_qrels(folder)
    with tempfile.TemporaryDirectory() as scratch:
        collection = Path(scratch, "time.sgml")
        write_trec_collection(docs, collection)
        index = Index.create(str(Path(scratch, "index")))
        index.ingest([str(collection)], fmt="trec")
        ours = story_run(index, topics, depth=depth)
        index.close()
        base_dir = Path(scratch, "baseline")
        base_dir.mkdir()
        baseline = baseline_run(docs, topics, base_dir, depth=depth)
    if run_out:
        run_out.mkdir(parents=True, exist_ok=True)
        write_run(ours, run_out / "time.indexer.run")
        write_run(baseline, run_out / "time.baseline.run", tag="bm25-story")
    return {"baseline": measure(qrels, baseline), "indexer": measure(qrels, ours),
            "queries": {"count": len(topics), "judged": len(qrels)}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--run-out", type=Path, default=None,
                        help="also write both TREC run files into this folder")
    parser.add_argument("--depth", type=int, default=1000,
                        help="stories per query (10: a page, as a searcher sees it)")
    parser.add_argument("--candidates", type=int, default=None,
                        help="candidate stories for the paragraph pass (default: the "
                             "indexer's CANDIDATE_STORIES)")
    args = parser.parse_args()
    if args.candidates:
        import indexer.index

        indexer.index.CANDIDATE_STORIES = args.candidates
    if not (args.data / "testcollections" / "time").is_dir():
        sys.exit(f"no TIME collection under {args.data}")
    results = evaluate(args.data, args.run_out, args.depth)
    queries = results["queries"]
    print(f"TIME collection: {queries['count']} queries, {queries['judged']} judged")
    print(f"  {'':<24}" + "".join(f"{name:>10}" for name in MEASURES))
    for label in ("baseline", "indexer"):
        row = results[label]
        print(f"  {label:<24}" + "".join(f"{row[name]:>10.4f}" for name in MEASURES))
    gain = results["indexer"]["AP"] / results["baseline"]["AP"] - 1
    print(f"  MAP vs baseline: {gain:+.1%}")


if __name__ == "__main__":
    main()
