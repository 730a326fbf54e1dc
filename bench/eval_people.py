"""Measure people extraction on CoNLL-2003 English (Reuters news with PER labels).

    python bench/eval_people.py [FILE ...] [--data ../shared/data] [--split eng.testa]
                                [--model FILE]

With no file and no --split, scores eng.testa and eng.train.

`--by-shape` scores prose and tables apart. A document is table-heavy when at least 30%
of its lines (CoNLL sentences) hold two numbers (results rows, scorer lines, odds lists).
A third of eng.train's table-heavy documents (every third, in file order) is set aside as
a validation set, reported on its own and not to be read while writing rules; the rest of
eng.train is reported as "train, rest". Speed is reported for prose and tables apart too.

Prints mention-level PER precision/recall/F1 (exact spans, as conlleval scores them),
document-level people-set F1 (canonical names per document; a bare surname that ends a
longer name in the same document counts as that name, "Van Moer" as "Kerry" does;
micro-averaged), recall on names never seen as PER in eng.train, tokens per second on
one core, and the load time.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


@dataclass
class Document:
    tokens: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    sentence_starts: set[int] = field(default_factory=set)

    def text_and_offsets(self) -> tuple[str, list[tuple[int, int]]]:
        """Tokens joined by spaces, sentences by newlines; each token's character span."""
        parts: list[str] = []
        offsets: list[tuple[int, int]] = []
        at = 0
        for i, token in enumerate(self.tokens):
            if i:
                sep = "\n" if i in self.sentence_starts else " "
                parts.append(sep)
                at += 1
            offsets.append((at, at + len(token)))
            parts.append(token)
            at += len(token)
        return "".join(parts), offsets

    def gold_spans(self, kind: str = "PER") -> list[tuple[int, int]]:
        """Token ranges of the entities of one kind (IOB1: B- only splits adjacent ones).
        An entity ends at a sentence break, as conlleval reads the file (sentences are
        scored one after the other, each span closed by the blank line after it)."""
        spans: list[tuple[int, int]] = []
        start = None
        for i, tag in enumerate([*self.tags, "O"]):
            inside = tag.endswith("-" + kind)
            if start is not None and (not inside or tag.startswith("B-")
                                      or i in self.sentence_starts):
                spans.append((start, i))
                start = None
            if inside and start is None:
                start = i
        return spans


def read_conll(path: Path) -> list[Document]:
    docs: list[Document] = []
    current = Document()
    new_sentence = True
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("-DOCSTART-"):
            if current.tokens:
                docs.append(current)
            current = Document()
            new_sentence = True
            continue
        if not line.strip():
            new_sentence = True
            continue
        token, *_rest, tag = line.split()
        if new_sentence:
            current.sentence_starts.add(len(current.tokens))
            new_sentence = False
        current.tokens.append(token)
        current.tags.append(tag)
    if current.tokens:
        docs.append(current)
    return docs


def fold_names(names: list[str]) -> set[str]:
    """Lower-cased names; a bare surname (one word or more) that ends exactly one longer
    name of the set becomes it."""
    lowered = {" ".join(n.lower().split()) for n in names if n.strip()}
    out = set()
    for name in lowered:
        # "kerry" of "john kerry", and a surname of two words: "van moer" of "wilfried van moer"
        longer = [n for n in lowered if n != name and n.endswith(" " + name)]
        if len(longer) == 1:
            out.add(longer[0])
            continue
        out.add(name)
    return out


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def evaluate(docs: list[Document], train_names: set[str], find_mentions,
             people_from_mentions):
    m_tp = m_fp = m_fn = d_tp = d_fp = d_fn = 0
    unseen_total = unseen_found = 0
    tokens = 0
    seconds = 0.0
    for doc in docs:
        text, offsets = doc.text_and_offsets()
        tokens += len(doc.tokens)
        started = time.perf_counter()
        mentions = find_mentions(text)
        predicted_people = people_from_mentions(mentions)
        seconds += time.perf_counter() - started
        gold = {(offsets[s][0], offsets[e - 1][1]) for s, e in doc.gold_spans()}
        found = {(m.start, m.end) for m in mentions}
        m_tp += len(gold & found)
        m_fp += len(found - gold)
        m_fn += len(gold - found)
        for start, end in gold:
            surface = text[start:end]
            if surface not in train_names:
                unseen_total += 1
                unseen_found += (start, end) in found
        gold_names = fold_names([text[s:e] for s, e in gold])
        predicted = fold_names(predicted_people)
        d_tp += len(gold_names & predicted)
        d_fp += len(predicted - gold_names)
        d_fn += len(gold_names - predicted)
    return {
        "mention": prf(m_tp, m_fp, m_fn),
        "document": prf(d_tp, d_fp, d_fn),
        "unseen_recall": unseen_found / unseen_total if unseen_total else 0.0,
        "unseen_total": unseen_total,
        "tokens_per_second": tokens / seconds if seconds else 0.0,
        "tokens": tokens,
    }


_NUMBER_RE = re.compile(r"^[+-]?\d[\d.,:/-]*$")
TABLE_SHARE = 0.3  # of a document's lines holding two numbers: table-heavy


def table_heavy(doc: Document) -> bool:
    """Whether at least TABLE_SHARE of the document's lines hold two numbers."""
    starts = sorted(doc.sentence_starts | {0})
    bounds = [*starts[1:], len(doc.tokens)]
    lines = [doc.tokens[start:end] for start, end in zip(starts, bounds, strict=True)]
    numeric = sum(1 for line in lines
                  if sum(1 for token in line if _NUMBER_RE.match(token)) >= 2)
    return bool(lines) and numeric / len(lines) >= TABLE_SHARE


def by_shape(name: str, docs: list[Document]) -> list[tuple[str, list[Document]]]:
    """(label, documents): the file's prose and tables; for eng.train, every third
    table-heavy document set aside as the validation set."""
    prose = [doc for doc in docs if not table_heavy(doc)]
    tables = [doc for doc in docs if table_heavy(doc)]
    if name != "eng.train":
        return [(f"{name} prose", prose), (f"{name} tables", tables)]
    set_aside = tables[2::3]
    kept = [doc for number, doc in enumerate(tables) if number % 3 != 2]
    return [("train, rest: prose", prose), ("train, rest: tables", kept),
            ("train, set-aside tables (validation)", set_aside)]


def train_person_names(docs: list[Document]) -> set[str]:
    names = set()
    for doc in docs:
        for s, e in doc.gold_spans():
            names.add(" ".join(doc.tokens[s:e]))
    return names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path,
                        help="CoNLL-format files to score (default: eng.testa and eng.train)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--split", action="append", default=[],
                        help="a file of <data>/conll2003 (repeatable)")
    parser.add_argument("--model", type=Path, default=None,
                        help="a model written by `indexer people train` (default: shipped)")
    parser.add_argument("--by-shape", action="store_true",
                        help="prose and tables apart, and eng.train's set-aside tables")
    args = parser.parse_args()
    conll = args.data / "conll2003"
    targets = [*(conll / split for split in args.split), *args.files]
    if not targets:
        targets = [conll / "eng.testa", conll / "eng.train"]
    if not (conll / "eng.train").is_file():
        sys.exit(f"no CoNLL-2003 data at {conll} (eng.train gives the seen names)")
    missing = [str(path) for path in targets if not path.is_file()]
    if missing:
        sys.exit(f"no such file: {', '.join(missing)}")
    started = time.perf_counter()
    import indexer.enrich.people as people

    finder = people.PeopleFinder.load(args.model)
    finder.prepare()  # every name list and the model, as ingest loads them before forking
    load = time.perf_counter() - started
    seen = train_person_names(read_conll(conll / "eng.train"))
    label = f"model {args.model}" if args.model else "shipped default"
    parts = [(path.name, read_conll(path)) for path in targets]
    if args.by_shape:
        parts = [part for name, docs in parts for part in by_shape(name, docs)]
    for name, docs in parts:
        result = evaluate(docs, seen, finder.mentions, people.people_from_mentions)
        print(f"people extraction on CoNLL-2003 {name} ({len(docs)} documents, "
              f"{result['tokens']} tokens), {label}")
        p, r, f = result["mention"]
        print(f"  mention-level PER  P {p:.4f}  R {r:.4f}  F1 {f:.4f}")
        p, r, f = result["document"]
        print(f"  document people-set  P {p:.4f}  R {r:.4f}  F1 {f:.4f}")
        if result["unseen_total"]:
            print(f"  recall on names unseen in eng.train: {result['unseen_recall']:.4f} "
                  f"({result['unseen_total']} mentions)")
        print(f"  speed: {result['tokens_per_second']:,.0f} tokens/s (one core)")
    print(f"load time (import, lexicons, model): {load:.3f}s")


if __name__ == "__main__":
    main()
