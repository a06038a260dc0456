"""The project's gold set for seeds/: valid, large and varied enough, and grounded in the articles."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from assistant.evaluation.gold import QUESTION_TYPES, GoldFormatError, load_gold, parse_question
from assistant.evaluation.scoring import contains

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "gold" / "seeds.jsonl"
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="module")
def gold():
    return load_gold(GOLD)


def test_gold_set_is_large_and_varied(gold):
    kinds = Counter(q.type for q in gold)
    assert len(gold) >= 50
    assert set(kinds) == set(QUESTION_TYPES), f"missing types: {set(QUESTION_TYPES) - set(kinds)}"
    assert kinds["unanswerable"] + kinds["false_premise"] >= 8
    assert sum(1 for q in gold if q.history) >= 5
    assert len({q.question.lower() for q in gold}) == len(gold), "duplicate questions"


def test_every_source_is_a_seed_file(gold):
    names = {p.name for p in SEEDS.iterdir()}
    for q in gold:
        for source in q.sources:
            assert source in names, f"{q.id}: {source} is not in seeds/"


def test_every_key_fact_occurs_in_a_gold_article(gold):
    texts = {p.name: p.read_text(encoding="utf-8") for p in SEEDS.iterdir()}
    problems = []
    for q in gold:
        if not q.answerable:
            assert not q.sources or q.type == "false_premise", q.id
            continue
        for group in q.must_include:
            if not any(contains(texts[s], alt) for alt in group for s in q.sources):
                problems.append(f"{q.id}: none of {list(group)} occurs in {list(q.sources)}")
    assert not problems, "\n".join(problems)


def test_lines_are_validated_with_line_numbers(tmp_path):
    good = {"id": "a", "question": "Q?", "answerable": True, "must_include": [["x"]],
            "sources": ["s.txt"], "answer": "x", "type": "single"}
    bad = dict(good, id="b", type="opinion")
    path = tmp_path / "g.jsonl"
    path.write_text(json.dumps(good) + "\n\n" + json.dumps(bad) + "\n")
    with pytest.raises(GoldFormatError, match=r"g\.jsonl:3: 'type' is 'opinion'"):
        load_gold(path)
    path.write_text(json.dumps(good) + "\n{not json\n")
    with pytest.raises(GoldFormatError, match=r":2: not valid JSON"):
        load_gold(path)
    path.write_text(json.dumps(good) + "\n" + json.dumps(good) + "\n")
    with pytest.raises(GoldFormatError, match=r":2: duplicate id 'a' \(first on line 1\)"):
        load_gold(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"must_include": []}, "needs at least one 'must_include'"),
        ({"must_include": [["x", ""]]}, "group 1 has an empty"),
        ({"must_include": "x"}, "must be a list of groups"),
        ({"sources": []}, "needs at least one gold source"),
        ({"answerable": "yes"}, "true or false"),
        ({"type": "unanswerable"}, "needs 'answerable': false"),
        ({"type": "followup"}, "needs a non-empty 'history'"),
        ({"history": "earlier"}, "'history' must be a list"),
        ({"extra": 1}, "unknown field"),
        ({"question": " "}, "'question' must be a non-empty string"),
    ],
)
def test_each_problem_is_named(change, message):
    record = {"id": "a", "question": "Q?", "answerable": True, "must_include": [["x"]],
              "sources": ["s.txt"], "answer": "x", "type": "single"}
    record.update(change)
    with pytest.raises(ValueError, match=message):
        parse_question(record)


def test_missing_fields_are_listed():
    with pytest.raises(ValueError, match="missing field\\(s\\): answerable, must_include"):
        parse_question({"id": "a", "question": "Q?", "sources": [], "answer": "", "type": "single"})
