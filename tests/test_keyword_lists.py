"""The BM25 lists score each text once and rank only the rows a filter admits: the scores are
bm25s's bit for bit, a filtered list is the unfiltered ranking with the refused rows taken out, and
the lists hold what bm25s's own filtered retrieval (a weight mask over every chunk) returned."""

from __future__ import annotations

import json

import bm25s
import numpy as np
import pytest

from assistant.config import Config
from assistant.retrieval.filters import Filters, chunk_mask
from assistant.retrieval.keyword_lists import KeywordScores, best_chunks, bm25_scores, top_rows
from assistant.retrieval.query import DateRange
from index.ingest import ingest
from index.keyword import KeywordIndex, stemmer
from index.keyword_store import index_dir, load
from tests.conftest import ROOT

GOLD = ROOT / "tests" / "gold"
QUESTIONS = [json.loads(line)["question"] for line in (GOLD / "news.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> KeywordIndex:
    config = Config(data_dir=tmp_path_factory.mktemp("news"), embedder="hashing", backend="extractive")
    assert ingest([GOLD / "news_corpus.json"], config, progress=False).ok
    saved = load(index_dir(config))
    assert saved is not None and len(saved) > 100
    return saved


def _masks(index: KeywordIndex) -> list[np.ndarray]:
    columns = index.columns
    days = np.array([p[:10] for p in columns.strings["published"].values], dtype="U10")
    masks = [chunk_mask(columns, days, Filters(outlets=(o,)), ()) for o in columns.strings["outlet"].values]
    some_day = sorted(days)[len(days) // 2]
    masks.append(chunk_mask(columns, days, Filters(), (DateRange(some_day, some_day),)))
    masks.append(np.zeros(len(index), dtype=bool))
    return [m for m in masks if m is not None]


def test_scores_are_bm25s_scores_bit_for_bit(index: KeywordIndex) -> None:
    scored = KeywordScores(index)
    for question in QUESTIONS:
        terms = bm25s.tokenize(question, stopwords="en", stemmer=stemmer(), return_ids=False, show_progress=False)[0]
        assert scored.terms(question) == list(terms)
        for bm25 in (index.chunk_bm25, index.article_bm25):
            ids = bm25.get_tokens_ids(list(terms))
            if ids:
                assert np.array_equal(bm25_scores(bm25, ids), bm25.get_scores(ids)), question


def test_a_filtered_list_is_the_unfiltered_ranking_filtered(index: KeywordIndex) -> None:
    scored = KeywordScores(index)
    masks = _masks(index)
    for question in QUESTIONS:
        everything = best_chunks(scored, question, None, len(index))
        row = {index.columns.chunk_id[i]: i for i in range(len(index))}
        for mask in masks:
            expected = [c for c in everything if mask[row[c.chunk_id]]][:40]
            assert best_chunks(scored, question, mask, 40) == expected


def test_the_lists_hold_what_bm25s_weight_masked_retrieval_returned(index: KeywordIndex) -> None:
    """Against bm25s's retrieve with a weight mask (how the lists were made before): the same scores
    in the same order, and the same chunks wherever the order is not a tie."""
    scored = KeywordScores(index)
    for question in QUESTIONS:
        tokens = bm25s.tokenize(question, stopwords="en", stemmer=stemmer(), show_progress=False)
        for mask in [None, *_masks(index)]:
            weights = None if mask is None else mask.astype(float)
            idx, scores = index.chunk_bm25.retrieve(tokens, k=40, show_progress=False, weight_mask=weights)
            before = [(float(s), index.columns.chunk_id[int(i)]) for i, s in zip(idx[0], scores[0]) if s > 0]
            now = [(c.score, c.chunk_id) for c in best_chunks(scored, question, mask, 40)]
            assert [s for s, _ in now] == [s for s, _ in before], question
            last = before[-1][0] if before else 0.0
            assert {c for s, c in now if s > last} == {c for s, c in before if s > last}


def test_top_rows_breaks_ties_by_row_and_keeps_only_positive_scores() -> None:
    scores = np.array([0.0, 2.0, 1.0, 2.0, 1.0, 1.0, -1.0], dtype=np.float32)
    assert top_rows(scores, None, 3)[0].tolist() == [1, 3, 2]
    assert top_rows(scores, None, 10)[0].tolist() == [1, 3, 2, 4, 5]
    mask = np.array([True, False, True, True, False, True, True])
    assert top_rows(scores, mask, 2)[0].tolist() == [3, 2]
    assert top_rows(scores, mask, 0)[0].tolist() == []
    assert top_rows(scores, np.zeros(7, dtype=bool), 5)[0].tolist() == []
