"""Retrieval evaluation: TREC topics and qrels in, story-level runs and measures out.

The index returns paragraphs; a story is ranked by its best paragraph (the first time it
appears in the paragraph ranking), which is what a searcher reading the results sees.
Measures come from `ir-measures` (trec_eval's definitions), installed with the test extras.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from .index import Index

MEASURES = ("AP", "nDCG@10", "P@10", "R@1000")


def read_topics(path: Path) -> dict[str, str]:
    """TREC topics (`<top><num> Number: 51 <title> ...`, title used) or `qid<TAB>query` lines."""
    text = path.read_text(encoding="utf-8", errors="replace")
    if "<top>" in text.lower():
        topics = {}
        for block in re.findall(r"<top>(.*?)</top>", text, re.DOTALL | re.IGNORECASE):
            number = re.search(r"<num>\s*(?:Number:)?\s*(\S+)", block, re.IGNORECASE)
            title = re.search(r"<title>\s*(?:Topic:)?\s*(.*?)(?=<|$)", block,
                              re.DOTALL | re.IGNORECASE)
            if number and title:
                topics[number.group(1)] = " ".join(title.group(1).split())
        return topics
    topics = {}
    for line in text.splitlines():
        if "\t" in line:
            qid, query = line.split("\t", 1)
            topics[qid.strip()] = query.strip()
    return topics


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    """`qid iteration docid relevance` lines."""
    qrels: dict[str, dict[str, int]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 4:
            qrels.setdefault(parts[0], {})[parts[2]] = int(parts[3])
    return qrels


def story_run(index: Index, topics: dict[str, str], depth: int = 1000,
              **search_options) -> dict[str, list[tuple[str, float]]]:
    """For each topic, up to `depth` stories ranked by their best paragraph."""
    run = {}
    for qid, query in topics.items():
        hits = index.search(query, limit=depth, per_story=1, **search_options)
        scores = strictly_decreasing([hit.score for hit in hits])
        run[qid] = [(hit.story_id, score) for hit, score in zip(hits, scores, strict=True)]
    return run


def trec_word(text: str) -> str:
    """A run file's field: six fields a line, split on white space, so an id holding a
    space or a control character has it escaped (\\x20, \\n)."""
    if text.isprintable() and not any(c.isspace() for c in text):
        return text
    return "".join(c if c.isprintable() and not c.isspace() else
                   ("\\x20" if c == " " else repr(c)[1:-1]) for c in text)


TREC_STEP = 1e-6  # what sets tied scores apart in a run file (printed to 6 decimals)


def strictly_decreasing(scores: list[float]) -> list[float]:
    """Scores for a run file: trec_eval and ir_measures order a run by score (ties by
    document id, not by rank), so each score is made at least TREC_STEP below the one
    above it; scores in rank order are otherwise left as they are."""
    out: list[float] = []
    for score in scores:
        out.append(score if not out else min(score, out[-1] - TREC_STEP))
    return out


def write_run(run: dict[str, list[tuple[str, float]]], path: Path, tag: str = "indexer") -> None:
    with open(path, "w", encoding="utf-8") as f:
        for qid, ranked in run.items():
            for rank, (doc, score) in enumerate(ranked, start=1):
                f.write(f"{trec_word(qid)} Q0 {trec_word(doc)} {rank} {score:.6f} {tag}\n")


def measure(qrels: dict[str, dict[str, int]], run: dict[str, list[tuple[str, float]]],
            names: Iterable[str] = MEASURES) -> dict[str, float]:
    """Mean of each measure over the topics that have judgments (trec_eval semantics)."""
    try:
        import ir_measures
    except ImportError as exc:  # pragma: no cover - a dev/test dependency
        raise RuntimeError("evaluation needs ir-measures: pip install -e '.[test]'") from exc
    parsed = [ir_measures.parse_measure(name) for name in names]
    judged = [ir_measures.Qrel(q, d, r) for q, docs in qrels.items() for d, r in docs.items()]
    scored = [ir_measures.ScoredDoc(q, d, float(len(ranked) - i))  # rank order, tie-free
              for q, ranked in run.items() if q in qrels for i, (d, _s) in enumerate(ranked)]
    results = ir_measures.calc_aggregate(parsed, judged, scored)
    return {str(m): float(results.get(m, 0.0)) for m in parsed}
