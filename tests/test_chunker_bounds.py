"""Every chunk fits the budget, whatever the text: no punctuation, no spaces, huge words."""

from __future__ import annotations

import random
import time

import pytest

from index.chunker import approx_tokens, chunk_article
from index.clean import content_hash
from index.types import Article


def _article(text: str) -> Article:
    article = Article(doc_id="d", key="k", source="s.txt", title="T", text=text)
    return Article(**{**article.__dict__, "content_hash": content_hash(article)})


def _check(article: Article, budget: int) -> None:
    chunks = chunk_article(article, max_tokens=budget)
    assert chunks
    for chunk in chunks:
        assert approx_tokens(chunk.text) <= budget, chunk.text[:80]
        assert article.text[chunk.start : chunk.end] == chunk.text
    plain = chunk_article(article, max_tokens=budget, overlap_sentences=0)
    covered = "".join(article.text[c.start : c.end] for c in plain)
    assert "".join(covered.split()) == "".join(article.text.split())  # nothing dropped, nothing twice


def test_a_megabyte_without_punctuation_is_cut_into_chunks_that_fit() -> None:
    rng = random.Random(4)
    words = [rng.choice(["harbour", "grain", "tariff", "council", "x", "reactor"]) for _ in range(170_000)]
    article = _article(" ".join(words))
    assert len(article.text) > 1_000_000
    started = time.process_time()  # CPU seconds: other jobs on a shared machine do not count
    _check(article, 160)
    assert time.process_time() - started < 30
    assert len(chunk_article(article, max_tokens=160)) < 2000


@pytest.mark.parametrize(
    "text",
    [
        "a" * 50_000,  # one word longer than the budget
        "!" * 5_000,  # punctuation counts one token a character
        "Short sentence. " + "word " * 400 + "\nNext line. " + "b" * 3000 + " tail words here.",
        "тест " * 2_000 + "終わり" * 2_000,
    ],
    ids=["letters", "punctuation", "mixed", "non-latin"],
)
def test_runs_without_spaces_or_sentence_ends_fit(text: str) -> None:
    _check(_article(text), 40)


def test_sentences_within_the_budget_are_never_cut() -> None:
    text = "The council met on Monday. It approved the budget after a long debate.\n\nA second paragraph."
    chunks = chunk_article(_article(text), max_tokens=160)
    assert [c.text for c in chunks] == [text]
