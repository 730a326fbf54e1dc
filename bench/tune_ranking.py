"""Tuning the ranking on all test collections together: a fast simulator of Index.search.

    python bench/tune_ranking.py [--data ../shared/data] [--cache DIR] [--grid NAME]

Trying one set of ranking parameters with the real code (bench/eval_ranking.py) takes
minutes; a tuning search tries hundreds. This script reads, once per collection, the same
postings and length bytes the real index holds (the indexes bench/eval_ranking.py keeps
in --cache), then scores stories and paragraphs with numpy by the formulas of
indexer.bm25f and indexer.search.ranking: BM25F per word, the story pass, the paragraph pass
over the candidate stories, the mix, the answering paragraphs first, and RM3 feedback.
Each set of parameters is then scored on every collection in a second or two.

The simulator is checked against the real code: `--check` runs both on every
collection for the defaults and prints each's MAP (they agree to the third decimal; the
simulator scores every candidate paragraph where the real code stops at the first
thousand stories). The defaults shipped in indexer.search.ranking were chosen here, by the mean
of the MAP ratios to the single-field baseline over all collections, never by one.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import pickle
import re
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import eval_ranking as er  # noqa: E402
import testcollections as tc  # noqa: E402

from indexer import Index  # noqa: E402
from indexer.search.bm25f import FieldSpec, _field_table, length_bytes_of  # noqa: E402
from indexer.search.ranking import RankingParams  # noqa: E402
from indexer.store.schema import decode_terms  # noqa: E402

DEPTH = 1000


class Collection:
    """One collection's index as arrays: documents' kinds, stories, length bytes, and
    postings read on demand (cached)."""

    def __init__(self, name: str, index: Index, topics: dict[str, str],
                 qrels: dict[str, dict[str, int]], cache: Path) -> None:
        self.name, self.index, self.topics, self.qrels = name, index, topics, qrels
        searcher = index.searcher()
        self.searcher = searcher
        self.schema = searcher.schema
        meta = cache / "sim-meta.pickle"
        if meta.exists():
            data = pickle.loads(meta.read_bytes())
        else:
            data = self._read_meta(searcher)
            meta.write_bytes(pickle.dumps(data))
        self.n = data["n"]
        self.is_story = data["is_story"]
        self.is_paragraph = data["is_paragraph"]
        self.story_of = data["story_of"]  # document -> story number (-1: none)
        self.story_ids: list[str] = data["story_ids"]
        self.story_doc = data["story_doc"]  # story number -> its story record
        self.lengths: dict[str, np.ndarray] = {}
        self._postings: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
        self.counts = {"paragraph": int(self.is_paragraph.sum()),
                       "story": int(self.is_story.sum())}
        self.field_totals: dict[str, float] = {}
        self._vectors: dict[int, tuple[dict[str, int], dict[str, int]]] = {}

    @staticmethod
    def _read_meta(searcher) -> dict:
        n = searcher.doc_count_all()
        is_story = np.zeros(n, dtype=bool)
        is_paragraph = np.zeros(n, dtype=bool)
        story_of = np.full(n, -1, dtype=np.int64)
        numbers: dict[str, int] = {}
        story_doc: list[int] = []
        for docnum in range(n):
            fields = searcher.stored_fields(docnum)
            kind = fields.get("kind")
            if kind not in ("story", "paragraph"):
                continue
            sid = fields["story_id"]
            if sid not in numbers:
                numbers[sid] = len(numbers)
                story_doc.append(-1)
            story_of[docnum] = numbers[sid]
            if kind == "story":
                is_story[docnum] = True
                story_doc[numbers[sid]] = docnum
            else:
                is_paragraph[docnum] = True
        ids = [""] * len(numbers)
        for sid, number in numbers.items():
            ids[number] = sid
        return {"n": n, "is_story": is_story, "is_paragraph": is_paragraph,
                "story_of": story_of, "story_ids": ids,
                "story_doc": np.array(story_doc, dtype=np.int64)}

    def length_bytes(self, field: str) -> np.ndarray:
        if field not in self.lengths:
            out = np.zeros(self.n, dtype=np.uint8)
            for reader, offset in self.searcher.reader().leaf_readers():
                raw = np.frombuffer(length_bytes_of(reader, field), dtype=np.uint8)
                out[offset:offset + len(raw)] = raw
            self.lengths[field] = out
        return self.lengths[field]

    def total(self, field: str) -> float:
        if field not in self.field_totals:
            self.field_totals[field] = float(self.searcher.field_length(field))
        return self.field_totals[field]

    def postings(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        key = (field, term)
        if key not in self._postings:
            docs: list[int] = []
            tfs: list[float] = []
            btext = self.schema[field].to_bytes(term)
            for reader, offset in self.searcher.reader().leaf_readers():
                if (field, btext) in reader:
                    matcher = reader.postings(field, btext)
                    while matcher.is_active():
                        docs.append(matcher.id() + offset)
                        tfs.append(matcher.weight())
                        matcher.next()
            self._postings[key] = (np.array(docs, dtype=np.int64), np.array(tfs))
        return self._postings[key]

    def df(self, field: str, term: str) -> int:
        return len(self.postings(field, term)[0])

    def vector(self, story: int) -> tuple[dict[str, int], dict[str, int]]:
        """A story's words (text, headline) and their counts, as the index keeps them."""
        if story not in self._vectors:
            data = self.searcher.reader().column_reader("story_terms")[int(self.story_doc[story])]
            text, headline = decode_terms(data)
            self._vectors[story] = ({w.decode(): int(n) for w, n in text.items()},
                                    {w.decode(): int(n) for w, n in headline.items()})
        return self._vectors[story]


def _analyse(analyzer, text: str) -> list[str]:
    return [token.text for token in analyzer(text)]


class Simulator:
    """Index.search's ranking, story-level (per_story=1, depth 1000), with numpy."""

    def __init__(self, collection: Collection, params: RankingParams, tier: bool = True
                 ) -> None:
        self.c, self.p, self.tier = collection, params, tier

    def _idf(self, n: int, df: int) -> float:
        df = min(max(df, 1), n)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def _doc_count(self, field: str) -> int:
        c = self.c.counts
        if field in ("fulltext", "story_headline"):
            return c["story"]
        if field in ("body", "headline"):
            return c["paragraph"]
        return c["story"] + c["paragraph"]

    def words(self, query: str, fields: tuple[FieldSpec, ...]) -> list[list[tuple]]:
        """Per word of the query: (field, term, weight) in each field where the word
        analyses to one term, as the query parser makes FieldGroups (a repeated word
        once: Whoosh's OR drops duplicate clauses)."""
        groups: list[list[tuple]] = []
        for word in query.split():
            parts = []
            for spec in fields:
                terms = _analyse(self.c.schema[spec.name].analyzer, word)
                if len(terms) == 1:
                    parts.append((spec.name, terms[0], spec.weight))
            if parts and parts not in groups:
                groups.append(parts)
        return groups

    def score(self, groups: list[tuple[list[tuple], float, bool]], fields: dict[str, float],
              own: frozenset[str] = frozenset()) -> tuple[np.ndarray, np.ndarray]:
        """BM25F scores of every document for (parts, boost, answering) words, and which
        documents an answering word matched in an `own` field."""
        c, k1 = self.c, self.p.k1
        scores = np.zeros(c.n)
        answered = np.zeros(c.n, dtype=bool)
        for parts, boost, answering in groups:
            n = self._doc_count(parts[0][0])
            native = [c.df(f, t) for f, t, _ in parts if self._doc_count(f) == n]
            df = max(native, default=0) or max((c.df(f, t) for f, t, _ in parts), default=0)
            if df == 0:
                continue
            idf = self._idf(n, df)
            tf = np.zeros(c.n)
            for field, term, weight in parts:
                docs, tfs = c.postings(field, term)
                if not len(docs):
                    continue
                avg = c.total(field) / self._doc_count(field) or 1.0
                table = np.array(_field_table(weight, fields.get(field, 0.75), avg))
                np.add.at(tf, docs, tfs * table[c.length_bytes(field)[docs]])
                if answering and field in own:
                    answered[docs] = True
            hit = tf > 0
            scores[hit] += idf * boost * (k1 + 1) * tf[hit] / (k1 + tf[hit])
        return scores, answered

    def expansion(self, story_scores: np.ndarray) -> list[tuple[str, float]]:
        p, c = self.p, self.c
        stories = np.flatnonzero(story_scores > 0)
        order = stories[np.lexsort((stories, -story_scores[stories]))][:p.feedback_stories]
        limit = p.feedback_max_df * c.counts["story"]
        totals: Counter = Counter()
        for doc in order:
            text, headline = c.vector(c.story_of[doc])
            counts = Counter(text)
            counts.update(headline)
            kept = Counter({t: n for t, n in counts.items()
                            if re.fullmatch(r"[a-z0-9]{2,20}", t)
                            and c.df("fulltext", t) <= limit})
            top = kept.most_common(p.feedback_terms)
            total = sum(n for _, n in top)
            for term, n in top:
                totals[term] += n / total * story_scores[doc]
        best = totals.most_common(p.feedback_terms)
        mass = sum(w for _, w in best)
        return [(t, w / mass) for t, w in best] if mass else []

    def run(self, query: str) -> list[str]:
        p, c = self.p, self.c
        sfields = {s.name: s.b for s in p.story_fields}
        pfields = {s.name: s.b for s in p.paragraph_fields}
        story_words = [(g, 1.0, True) for g in self.words(query, p.story_fields)]
        para_words = [(g, 1.0, True) for g in self.words(query, p.paragraph_fields)]
        s_scores, _ = self.score(story_words, sfields)
        s_scores[~c.is_story] = 0
        if p.feedback:
            model = self.expansion(s_scores)
            if model:
                share = p.feedback_weight / max(len(story_words), 1)
                fields = [s for s in p.story_fields if s.name in ("fulltext", "story_headline")]
                expansion = [([(s.name, t, s.weight) for s in fields],
                              (1 - p.feedback_weight) * w, False) for t, w in model]
                added, _ = self.score(expansion, sfields)
                if p.feedback_depth is None:
                    # the expanded query retrieves again over every story, and the
                    # paragraph pass scores the feedback words in a paragraph's body
                    # (Ranker.expanded)
                    s_scores = s_scores * share + added
                    s_scores[~c.is_story] = 0
                    body = [s for s in p.paragraph_fields if s.name == "body"]
                    para_words = para_words + [
                        ([(s.name, t, s.weight) for s in body], (1 - p.feedback_weight) * w,
                         False) for t, w in model]
                else:
                    # the first feedback_depth stories rescored with the feedback words,
                    # the rest in their order below them (Ranker.rerank)
                    top = np.flatnonzero(s_scores > 0)
                    top = top[np.lexsort((top, -s_scores[top]))][:p.feedback_depth]
                    rescored = s_scores * share
                    rescored[top] += added[top]
                    s_scores = rescored
        # candidates: the best stories of the story pass
        matched = np.flatnonzero(s_scores > 0)
        stories = matched[np.lexsort((matched, -s_scores[matched]))][:2 * DEPTH]
        exhausted = len(matched) <= 2 * DEPTH
        p_scores, answered = self.score(para_words, pfields, frozenset({"body", "dateline"}))
        owns = any(f in ("body", "dateline") for g, _, a in para_words if a for f, _, _ in g)
        story_norm = np.zeros(len(c.story_ids))
        if len(stories):
            story_norm[c.story_of[stories]] = s_scores[stories] / s_scores[stories[0]]
        in_story = story_norm[np.maximum(c.story_of, 0)] > 0
        ranking: list[str] = []
        seen: set[int] = set()
        docs = np.flatnonzero(c.is_paragraph & (p_scores > 0) & in_story)
        if len(docs):
            best = p_scores[docs].max() or 1.0
            w = p.story_weight
            mixed = (1 - w) * p_scores[docs] / best + w * story_norm[c.story_of[docs]]
            tier = answered[docs] if (self.tier and owns) else np.ones(len(docs), bool)
            # best paragraph per story: by tier, score, docnum; each story's first counts
            self._take(docs, np.lexsort((docs, -mixed, ~tier)), ranking, seen)
        if exhausted and len(ranking) < DEPTH:
            # paragraphs whose story the story pass did not find (a word only in a
            # dateline), on their own score: those that answer, then the others
            rest = np.flatnonzero(c.is_paragraph & (p_scores > 0) & ~in_story)
            if len(rest):
                tier = answered[rest] if (self.tier and owns) else np.ones(len(rest), bool)
                self._take(rest, np.lexsort((rest, -p_scores[rest], ~tier)), ranking, seen)
        return ranking

    def _take(self, docs: np.ndarray, order: np.ndarray, ranking: list[str],
              seen: set[int]) -> None:
        for i in order:
            story = int(self.c.story_of[docs[i]])
            if story in seen:
                continue
            seen.add(story)
            ranking.append(self.c.story_ids[story])
            if len(ranking) == DEPTH:
                return


def average_precision(ranking: list[str], relevant: set[str]) -> float:
    hits = total = 0.0
    for rank, doc in enumerate(ranking, start=1):
        if doc in relevant:
            hits += 1
            total += hits / rank
    return total / len(relevant) if relevant else 0.0


def ndcg10(ranking: list[str], relevant: set[str]) -> float:
    dcg = sum(1 / math.log2(r + 1) for r, d in enumerate(ranking[:10], start=1)
              if d in relevant)
    ideal = sum(1 / math.log2(r + 1) for r in range(1, min(10, len(relevant)) + 1))
    return dcg / ideal if ideal else 0.0


def measure(collection: Collection, params: RankingParams, **options) -> dict[str, float]:
    sim = Simulator(collection, params, **options)
    aps, ndcgs = [], []
    for qid, query in collection.topics.items():
        relevant = {d for d, r in collection.qrels.get(qid, {}).items() if r > 0}
        if not relevant:
            continue
        ranking = sim.run(query)
        aps.append(average_precision(ranking, relevant))
        ndcgs.append(ndcg10(ranking, relevant))
    return {"AP": float(np.mean(aps)), "nDCG@10": float(np.mean(ndcgs))}


def baseline_measures(collection: tc.Collection, cache: Path) -> dict[str, float]:
    path = cache / collection.name / "baseline.json"
    if path.exists():
        return json.loads(path.read_text())
    judged = {q: d for q, d in collection.qrels.items() if q in collection.topics}
    from indexer.evaluation import measure as trec_measure

    found = trec_measure(judged, er.baseline_run(collection, cache, DEPTH))
    path.write_text(json.dumps(found))
    return found


def load_all(names: list[str], data: Path, cache: Path, baselines: bool = True
             ) -> tuple[dict, dict]:
    """Each collection's index (built into `cache` when missing) and, unless told not
    to, its baseline's measures."""
    collections, measures = {}, {}
    for name in names:
        raw = tc.load(name, data, cache)
        index = er.ours_index(raw, cache)
        collections[name] = Collection(name, index, raw.topics, raw.qrels, cache / name)
        if baselines:
            measures[name] = baseline_measures(raw, cache)
    return collections, measures


def summarise(results: dict[str, dict], baselines: dict[str, dict]) -> dict[str, float]:
    ratios = [results[n]["AP"] / baselines[n]["AP"] for n in results]
    ndcg = [results[n]["nDCG@10"] / baselines[n]["nDCG@10"] for n in results]
    return {"mean": float(np.mean(ratios)), "min": float(np.min(ratios)),
            "ndcg_mean": float(np.mean(ndcg)), "ndcg_min": float(np.min(ndcg))}


def evaluate(collections: dict, baselines: dict, params: RankingParams, **options) -> dict:
    results = {name: measure(c, params, **options) for name, c in collections.items()}
    return {"results": results, **summarise(results, baselines)}


def story_fields(headline: float = 1.0, b_text: float = 0.75, b_head: float = 0.5
                 ) -> tuple[FieldSpec, ...]:
    base = RankingParams().story_fields
    return tuple(FieldSpec(s.name, headline if s.name == "story_headline" else s.weight,
                           b_text if s.name == "fulltext" else
                           b_head if s.name == "story_headline" else s.b) for s in base)


def paragraph_fields(b_body: float = 0.75, headline: float = 0.2) -> tuple[FieldSpec, ...]:
    base = RankingParams().paragraph_fields
    return tuple(FieldSpec(s.name, headline if s.name == "headline" else s.weight,
                           b_body if s.name == "body" else s.b) for s in base)


def line(label: str, found: dict) -> str:
    per = " ".join(f"{n}:{r['AP']:.4f}" for n, r in found["results"].items())
    return (f"{label:<60} mean {found['mean']:.4f} min {found['min']:.4f} "
            f"ndcg {found['ndcg_mean']:.4f}/{found['ndcg_min']:.4f} | {per}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=er.DEFAULT_DATA)
    parser.add_argument("--cache", type=Path, default=er.DEFAULT_CACHE)
    parser.add_argument("--collections", default=",".join(tc.NAMES))
    parser.add_argument("--grid", default="bm25f",
                        choices=["bm25f", "mix", "feedback", "defaults"])
    args = parser.parse_args()
    names = [n.strip().upper() for n in args.collections.split(",")]
    collections, baselines = load_all(names, args.data, args.cache)
    base = RankingParams()
    if args.grid == "defaults":
        print(line("defaults", evaluate(collections, baselines, base)))
        print(line("defaults, no feedback",
                   evaluate(collections, baselines, replace(base, feedback=False))))
        return
    if args.grid == "bm25f":
        grid = itertools.product([0.9, 1.2, 1.5], [0.6, 0.75, 0.9], [0.5, 1.0, 2.0],
                                 [0.3, 0.6])
        for k1, b_text, head, b_head in grid:
            params = replace(base, k1=k1, feedback=False,
                             story_fields=story_fields(head, b_text, b_head))
            print(line(f"k1={k1} b={b_text} head={head} b_head={b_head}",
                       evaluate(collections, baselines, params)), flush=True)
    elif args.grid == "mix":
        for weight, b_body, tier in itertools.product([0.6, 0.7, 0.8, 0.9, 1.0],
                                                      [0.5, 0.75], [True, False]):
            params = replace(base, story_weight=weight, feedback=False,
                             paragraph_fields=paragraph_fields(b_body))
            print(line(f"w={weight} b_body={b_body} tier={tier}",
                       evaluate(collections, baselines, params, tier=tier)), flush=True)
    elif args.grid == "feedback":
        grid = itertools.product([5, 10, 20], [20, 40, 80], [0.5, 0.6, 0.7], [0.1, 0.3])
        for docs, terms, weight, max_df in grid:
            params = replace(base, feedback=True, feedback_stories=docs, feedback_terms=terms,
                             feedback_weight=weight, feedback_max_df=max_df)
            print(line(f"fb docs={docs} terms={terms} orig={weight} maxdf={max_df}",
                       evaluate(collections, baselines, params)), flush=True)


if __name__ == "__main__":
    main()
