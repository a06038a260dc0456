"""The project's gold sets: valid, large and varied enough, and grounded in the articles they cite.

Two sets: ``seeds.jsonl`` over ``seeds/`` and ``news.jsonl`` over ``news_corpus.json`` (25 MultiHop-RAG
articles). Sources are named as the evaluation matches them: the file name, or ``file#n`` for the n-th
record of a JSON collection. The articles are read and cleaned by the real write path (no embedding).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from assistant.evaluation.gold import QUESTION_TYPES, GoldFormatError, GoldQuestion, load_gold, parse_question
from assistant.evaluation.scoring import contains
from index.clean import clean_article
from index.loader import load_articles

ROOT = Path(__file__).resolve().parents[1]
GOLD_DIR = ROOT / "tests" / "gold"
SEEDS = ROOT / "seeds"
NEWS_CORPUS = GOLD_DIR / "news_corpus.json"
MULTIHOP_CORPUS = ROOT.parent / "shared" / "data" / "multihop-rag" / "corpus.json"
VERDICTS = frozenset({"yes", "no"})


@dataclass(frozen=True)
class GoldSet:
    name: str
    questions: Path
    corpus: Path
    # news.jsonl: every alternative is worded as in a cited article; seeds.jsonl allows paraphrases.
    every_alternative_quoted: bool


GOLD_SETS = (
    GoldSet("seeds", GOLD_DIR / "seeds.jsonl", SEEDS, every_alternative_quoted=False),
    GoldSet("news", GOLD_DIR / "news.jsonl", NEWS_CORPUS, every_alternative_quoted=True),
)


@pytest.fixture(scope="module", params=GOLD_SETS, ids=lambda s: s.name)
def gold_set(request: pytest.FixtureRequest) -> GoldSet:
    return request.param


@pytest.fixture(scope="module")
def gold(gold_set: GoldSet) -> list[GoldQuestion]:
    return load_gold(gold_set.questions)


@cache
def article_texts(corpus: Path) -> dict[str, str]:
    """Each article's cleaned text, keyed by the source name the evaluation matches gold sources on."""
    raws, skipped = load_articles([corpus])
    assert not skipped, skipped
    texts: dict[str, str] = {}
    for raw in raws:
        for article in clean_article(raw):  # a split-off teaser keeps its file's source name
            texts[article.source] = texts.get(article.source, "") + "\n\n" + article.text
    return texts


def is_verdict(group: tuple[str, ...]) -> bool:
    """A group that only asks for the Yes/No verdict of a yes/no question (not a fact to quote)."""
    return {alt.lower() for alt in group} <= VERDICTS


def test_gold_set_is_large_and_varied(gold):
    kinds = Counter(q.type for q in gold)
    assert len(gold) >= 50
    assert set(kinds) == set(QUESTION_TYPES), f"missing types: {set(QUESTION_TYPES) - set(kinds)}"
    assert kinds["unanswerable"] + kinds["false_premise"] >= 8
    assert sum(1 for q in gold if q.history) >= 5
    assert len({q.question.lower() for q in gold}) == len(gold), "duplicate questions"
    verdicts = Counter(g[0].lower() for q in gold for g in q.must_include if is_verdict(g))
    assert not verdicts or set(verdicts) == VERDICTS, f"yes/no questions all answered {set(verdicts)}"


def test_every_source_names_a_gold_article(gold_set, gold):
    names = set(article_texts(gold_set.corpus))
    for q in gold:
        for source in q.sources:
            assert source in names, f"{q.id}: {source} is not an article of {gold_set.corpus.name}"


def test_every_key_fact_occurs_in_a_gold_article(gold_set, gold):
    texts = article_texts(gold_set.corpus)
    problems = []
    for q in gold:
        if not q.answerable:
            assert not q.sources or q.type == "false_premise", q.id
            continue
        for group in q.must_include:
            if is_verdict(group):
                continue
            found = [alt for alt in group if any(contains(texts[s], alt) for s in q.sources)]
            if not found:
                problems.append(f"{q.id}: none of {list(group)} occurs in {list(q.sources)}")
            elif gold_set.every_alternative_quoted and len(found) < len(group):
                problems.append(f"{q.id}: {sorted(set(group) - set(found))} occur in none of {list(q.sources)}")
    assert not problems, "\n".join(problems)


def test_yes_no_verdicts_stand_alone(gold):
    """A verdict group holds only Yes or only No, and a key fact never hides among verdicts."""
    for q in gold:
        for group in q.must_include:
            lowered = {alt.lower() for alt in group}
            assert not (lowered & VERDICTS) or lowered in ({"yes"}, {"no"}), f"{q.id}: {list(group)}"


def test_news_corpus_is_a_verbatim_multihop_rag_excerpt():
    """The news articles are MultiHop-RAG records as published (ODC-BY 1.0), not edited to fit questions."""
    records = json.loads(NEWS_CORPUS.read_text(encoding="utf-8"))
    fields = {"title", "author", "source", "published_at", "category", "url", "body"}
    assert 20 <= len(records) <= 30 and all(set(r) == fields for r in records)
    assert len({r["url"] for r in records}) == len(records), "an article appears twice"
    if not MULTIHOP_CORPUS.is_file():
        pytest.skip("shared MultiHop-RAG data not present")
    originals = {r["url"]: r for r in json.loads(MULTIHOP_CORPUS.read_text(encoding="utf-8"))}
    assert [r for r in records if originals.get(r["url"]) != r] == []


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
