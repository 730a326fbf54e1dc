"""Floors under the measured extraction accuracy on shared data (skipped when absent).

The figures themselves are printed by bench/eval_people.py and bench/eval_datelines.py."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def load(name: str):
    sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not (DATA / "reuters21578").is_dir(), reason="../shared/data is absent")
def test_inline_datelines_agree_with_the_element() -> None:
    counts = load("eval_datelines").measure(DATA)
    assert counts["same"] / counts["datelines"] >= 0.995
    assert counts["country"] / counts["datelines"] >= 0.94


def _people_on(split: str) -> dict:
    import indexer.enrich.people as people

    module = load("eval_people")
    train = module.read_conll(DATA / "conll2003" / "eng.train")
    docs = module.read_conll(DATA / "conll2003" / split)
    return module.evaluate(docs, module.train_person_names(train), people.find_mentions,
                           people.people_from_mentions)


@pytest.mark.skipif(not (DATA / "conll2003").is_dir(), reason="../shared/data is absent")
def test_people_on_conll_testa() -> None:
    result = _people_on("eng.testa")
    assert result["mention"][2] >= 0.948  # measured 0.953 (gold split at sentence breaks)
    assert result["mention"][0] >= 0.960  # precision: filters must be trustworthy
    assert result["document"][2] >= 0.955  # the target of #45; measured 0.9597
    assert result["unseen_recall"] >= 0.925  # measured 0.9345


@pytest.mark.skipif(not (DATA / "conll2003").is_dir(), reason="../shared/data is absent")
def test_people_on_conll_train() -> None:
    # the rules are developed on both splits: each must hold on each
    result = _people_on("eng.train")
    assert result["mention"][2] >= 0.945  # measured 0.9501
    assert result["document"][2] >= 0.950  # the target of #45; measured 0.9509


@pytest.mark.skipif(not (DATA / "conll2003").is_dir(), reason="../shared/data is absent")
def test_people_on_prose_and_tables_apart() -> None:
    # tables and prose each hold their own floor; the set-aside tables are never read
    # while writing rules, so a rule that learned the others' tables shows here
    import indexer.enrich.people as people

    module = load("eval_people")
    floors = {"eng.testa prose": 0.940, "eng.testa tables": 0.975,  # 0.9460, 0.9823
              "train, rest: prose": 0.928, "train, rest: tables": 0.975,  # 0.9334, 0.9804
              "train, set-aside tables (validation)": 0.975}  # measured 0.9813
    for split in ("eng.testa", "eng.train"):
        for label, docs in module.by_shape(split, module.read_conll(DATA / "conll2003" / split)):
            result = module.evaluate(docs, set(), people.find_mentions,
                                     people.people_from_mentions)
            assert result["document"][2] >= floors[label], label


def test_gold_names_end_at_a_sentence_break_as_conlleval_reads_them(tmp_path) -> None:
    # two sentences, the first ending in a name and the second opening with one, both I-PER
    # (IOB1): conlleval scores them as two names, not one across the break
    conll = tmp_path / "tiny.conll"
    conll.write_text("-DOCSTART- -X- O O\n\n"
                     "He NN O O\nmet NN O O\nJohn NN O I-PER\nSmith NN O I-PER\n\n"
                     "Mary NN O I-PER\nJones NN O I-PER\nspoke NN O O\n\n")
    (doc,) = load("eval_people").read_conll(conll)
    assert doc.gold_spans() == [(2, 4), (4, 6)]


def test_eval_people_scores_every_conll_file_given_to_it(tmp_path) -> None:
    import subprocess

    sentence = ("-DOCSTART- -X- O O\n\nMayor NN O O\nDan NN O I-PER\nKessler NN O I-PER\n"
                "said NN O O\n. . O O\n\n")
    (tmp_path / "conll2003").mkdir()
    (tmp_path / "conll2003" / "eng.train").write_text(sentence)
    ours = tmp_path / "ours.conll"
    ours.write_text(sentence.replace("Kessler", "Brenton"))
    out = subprocess.run([sys.executable, str(BENCH / "eval_people.py"), str(ours),
                          "--data", str(tmp_path)], capture_output=True, text=True, check=True)
    assert "CoNLL-2003 ours.conll (1 documents, 5 tokens)" in out.stdout
    assert "document people-set  P 1.0000  R 1.0000  F1 1.0000" in out.stdout
    assert "recall on names unseen in eng.train: 1.0000 (1 mentions)" in out.stdout


def test_by_shape_splits_prose_from_tables_and_sets_a_third_of_train_tables_aside(
        tmp_path) -> None:
    def doc(lines: list[str]) -> str:
        return "-DOCSTART- -X- O O\n\n" + "".join(
            "".join(f"{token} NN O O\n" for token in line.split()) + "\n" for line in lines)

    prose = doc(["The talks went on .", "Officials said 12 were hurt ."])
    # a results table: two of three lines hold two numbers (a line of one does not count)
    table = doc(["Results on Sunday :", "Smith 68 70", "Jones 71 69"])
    single = doc(["Results on Sunday :", "Smith 68", "Jones 71", "Brown 70"])
    conll = tmp_path / "eng.train"
    conll.write_text(prose + table + single + table + table + prose + table)
    eval_people = load("eval_people")
    docs = eval_people.read_conll(conll)
    assert [eval_people.table_heavy(d) for d in docs] == [False, True, False, True, True,
                                                          False, True]
    parts = dict(eval_people.by_shape("eng.train", docs))
    assert [len(parts[k]) for k in parts] == [3, 3, 1]  # prose; tables kept; set aside
    assert parts["train, set-aside tables (validation)"] == [docs[4]]  # the third table
    other = dict(eval_people.by_shape("eng.testa", docs))
    assert [len(v) for v in other.values()] == [3, 4]  # nothing set aside outside train


def test_a_surname_of_two_words_counts_as_the_full_name_it_ends() -> None:
    # the document score folds a bare surname into the one longer name it ends, in gold
    # and in the extraction alike: "Van Moer" of "Wilfried Van Moer" as "Kerry" of "John Kerry"
    fold = load("eval_people").fold_names
    assert fold(["Wilfried Van Moer", "Van Moer", "Kerry", "John Kerry"]) == {
        "wilfried van moer", "john kerry"}
    # a tail two longer names share stays itself; a head is no surname
    assert fold(["Moer", "Ann Van Moer", "Wilfried Van Moer"]) == {
        "moer", "ann van moer", "wilfried van moer"}
    assert fold(["Kengo", "Kengo wa Dondo"]) == {"kengo", "kengo wa dondo"}
