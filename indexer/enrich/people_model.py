"""A trainable person-name tagger: an averaged perceptron over BIO tags, greedy decoding.

The shipped extractor is rule-based (indexer.enrich.people) because the corpora that would teach a
model (CoNLL-2003, Reuters) may not be redistributed. Users who hold such data build a model
themselves:

    indexer people train eng.train --model people-model.json.gz

and ingest then uses it (see PeopleFinder in indexer.enrich.people). The model file holds
weights learned from the user's data and stays with the user.
"""

from __future__ import annotations

import gzip
import json
import random
import re
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from .lexicons import demonyms, given_names, surnames

TAGS = ("O", "B", "I")
FORMAT_VERSION = 1
_TITLE_WORDS = {"mr", "mrs", "ms", "dr", "president", "minister", "sen", "rep", "gov",
                "gen", "col", "maj", "capt", "lt", "sgt", "judge", "king", "queen", "prince",
                "pope", "chancellor", "premier", "secretary", "spokesman", "spokeswoman",
                "coach", "chairman", "leader", "ambassador", "sheikh", "cardinal", "bishop"}
_SPEECH = {"said", "says", "told", "added", "asked", "stated", "wrote", "declared"}


def shape(word: str) -> str:
    out = re.sub(r"[A-Z]", "X", word)
    out = re.sub(r"[a-z]", "x", out)
    out = re.sub(r"\d", "d", out)
    return re.sub(r"(.)\1{2,}", r"\1\1", out)


@lru_cache(maxsize=200_000)
def _word_features(word: str) -> tuple[tuple[str, ...], str, str, bool]:
    """Features of a word on its own (cached: words repeat), its lower case and shape, and
    whether it is a known name."""
    lower = word.lower()
    word_shape = shape(word)
    feats = ["w=" + lower, "sh=" + word_shape, "p3=" + lower[:3], "s3=" + lower[-3:],
             "s2=" + lower[-2:], "p4=" + lower[:4], "s4=" + lower[-4:]]
    known = False
    if lower in given_names():
        feats.append("given")
        known = True
    if lower in surnames():
        feats.append("surname")
        known = True
    if lower in demonyms():
        feats.append("demonym")
    if word.isupper() and len(word) > 1:
        feats.append("allcaps")
    return tuple(feats), lower, word_shape, known


def token_features(words: list[str], i: int) -> list[str]:
    """Features of the i-th word of a sentence; tag history is added by the caller."""
    own, lower, _shape, _known = _word_features(words[i])
    _, prev, prev_shape, prev_known = _word_features(words[i - 1]) if i else ((), "<s>", "", False)
    _, after, after_shape, after_known = (_word_features(words[i + 1]) if i + 1 < len(words)
                                          else ((), "</s>", "", False))
    prev2 = words[i - 2].lower() if i > 1 else "<s>"
    feats = ["b", *own, "pw=" + prev, "nw=" + after, "psh=" + prev_shape,
             "nsh=" + after_shape, "pw2=" + prev2, "pw|w=" + prev + "|" + lower,
             "w|nw=" + lower + "|" + after, "psh|sh|nsh=" + prev_shape + _shape + after_shape]
    if i == 0:
        feats.append("first")
    if prev.rstrip(".") in _TITLE_WORDS:
        feats.append("after_title")
    if after in _SPEECH:
        feats.append("before_said")
    if after_known:
        feats.append("next_is_name")
    if prev_known:
        feats.append("prev_is_name")
    return feats


class Perceptron:
    """Averaged perceptron: weights[feature][tag]."""

    def __init__(self) -> None:
        self.weights: dict[str, dict[str, float]] = {}
        self._totals: dict[tuple[str, str], float] = defaultdict(float)
        self._stamps: dict[tuple[str, str], int] = defaultdict(int)
        self._step = 0

    def predict(self, feats: Iterable[str]) -> str:
        o = b = i = 0.0
        get = self.weights.get
        for feat in feats:
            row = get(feat)
            if row:
                o += row.get("O", 0.0)
                b += row.get("B", 0.0)
                i += row.get("I", 0.0)
        if o >= b and o >= i:
            return "O"
        return "B" if b >= i else "I"

    def update(self, truth: str, guess: str, feats: list[str]) -> None:
        self._step += 1
        if truth == guess:
            return
        for feat in feats:
            row = self.weights.setdefault(feat, {})
            for tag, delta in ((truth, 1.0), (guess, -1.0)):
                key = (feat, tag)
                self._totals[key] += (self._step - self._stamps[key]) * row.get(tag, 0.0)
                self._stamps[key] = self._step
                row[tag] = row.get(tag, 0.0) + delta

    def average(self) -> None:
        for feat, row in self.weights.items():
            for tag, weight in list(row.items()):
                key = (feat, tag)
                total = self._totals[key] + (self._step - self._stamps[key]) * weight
                # scaled by a constant (argmax is unchanged) so that rounding keeps rare
                # features instead of zeroing their tiny averages
                averaged = round(total * 1000 / max(self._step, 1), 3)
                if averaged:
                    row[tag] = averaged
                else:
                    del row[tag]
        self.weights = {f: row for f, row in self.weights.items() if row}


def tag_sentence(model: Perceptron, words: list[str]) -> list[str]:
    tags: list[str] = []
    for i in range(len(words)):
        prev = tags[-1] if tags else "<s>"
        prev2 = tags[-2] if len(tags) > 1 else "<s>"
        feats = token_features(words, i) + ["pt=" + prev, "pt2=" + prev2 + prev]
        tag = model.predict(feats)
        if tag == "I" and prev == "O":
            tag = "B"
        tags.append(tag)
    return tags


def read_conll(path: Path) -> list[tuple[list[str], list[str]]]:
    """Sentences of a CoNLL-2003 file as (words, BIO tags for PER)."""
    sentences: list[tuple[list[str], list[str]]] = []
    words: list[str] = []
    tags: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip() or line.startswith("-DOCSTART-"):
            if words:
                sentences.append((words, tags))
            words, tags = [], []
            continue
        columns = line.split()
        if len(columns) < 2:
            raise ValueError(f"a line with {len(columns)} column: {line[:60]!r}")
        word, label = columns[0], columns[-1]
        person = label.endswith("-PER")
        if not person:
            tags.append("O")
        elif label.startswith("B-") or not tags or tags[-1] == "O":
            tags.append("B")
        else:
            tags.append("I")
        words.append(word)
    return sentences


def train(sentences: list[tuple[list[str], list[str]]], epochs: int = 6,
          seed: int = 13) -> Perceptron:
    model = Perceptron()
    order = list(range(len(sentences)))
    rng = random.Random(seed)
    for _ in range(epochs):
        rng.shuffle(order)
        for index in order:
            words, truth = sentences[index]
            for i in range(len(words)):
                prev = truth[i - 1] if i else "<s>"
                prev2 = truth[i - 2] if i > 1 else "<s>"
                feats = token_features(words, i) + ["pt=" + prev, "pt2=" + prev2 + prev]
                model.update(truth[i], model.predict(feats), feats)
    model.average()
    return model


def save(model: Perceptron, path: Path) -> None:
    data = {"format": FORMAT_VERSION, "tags": TAGS, "weights": model.weights}
    with gzip.open(path, "wt", encoding="utf-8") as f:
        json.dump(data, f, separators=(",", ":"))


def load(path: Path) -> Perceptron:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        data = json.load(f)
    if data.get("format") != FORMAT_VERSION:
        raise ValueError(f"{path}: not a people model of format {FORMAT_VERSION}")
    model = Perceptron()
    model.weights = data["weights"]
    return model
