"""The chunks' vectors saved beside the keyword index (index/vector_matrix.py): they are Chroma's
vectors row for row, an exact filtered search over them equals a brute-force one and Chroma's
filtered query, and a retriever uses them only while they are current, falling back to Chroma's
filtered query otherwise. (Convergence after SIGKILL mid-ingest: tests/test_ingest_crash.py.)"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from assistant.config import Config
from assistant.retrieval import HybridRetriever
from assistant.retrieval.filters import Filters
from index.embedders import HashingEmbedder, MiniLMEmbedder
from index.ingest import ingest
from index.keyword import KeywordIndex
from index.keyword_store import index_dir, load, refresh
from index.store import ChromaStore
from index.vector_matrix import FILE, nearest_rows, unit_rows
from tests.conftest import ROOT

CORPUS = ROOT / "tests" / "data" / "multihop-rag" / "corpus.json"
GOLD = ROOT / "tests" / "gold" / "news_corpus.json"
QUERIES = [
    "Which company's chief executive was removed by its board?",
    "What did the tech press report about artificial intelligence start-ups raising money?",
    "sports team wins the final after a late goal",
    "interest rates inflation central bank decision",
]


def _ids(index: KeywordIndex) -> list[str]:
    return index.columns.chunk_id.take(np.arange(len(index)))


def _brute_force(matrix: np.ndarray, query: np.ndarray, mask: np.ndarray, n: int) -> list[int]:
    q = query / np.linalg.norm(query)
    scored = sorted((-float(np.dot(matrix[i], q)), i) for i in range(len(matrix)) if mask[i])
    return [i for _s, i in scored[:n]]


@pytest.fixture(scope="module")
def minilm(tmp_path_factory: pytest.TempPathFactory) -> Config:
    config = Config(data_dir=tmp_path_factory.mktemp("vectors"), embedder="minilm", backend="extractive")
    assert ingest([CORPUS], config, progress=False).ok
    return config


def _minilm_store(config: Config) -> ChromaStore:
    return ChromaStore.open(config, MiniLMEmbedder.name, MiniLMEmbedder.dim)


def test_the_saved_matrix_is_chromas_vectors_row_for_row(minilm: Config) -> None:
    saved = load(index_dir(minilm))
    assert saved is not None and saved.vectors is not None
    assert saved.vectors.shape == (len(saved), MiniLMEmbedder.dim) and saved.vectors.dtype == np.float32
    assert isinstance(np.load(index_dir(minilm) / f"build-{_build(minilm)}" / FILE, mmap_mode="r"), np.memmap)
    ids = _ids(saved)
    chroma = _minilm_store(minilm).vectors_by_id(ids)
    assert sorted(chroma) == sorted(ids)
    expected = unit_rows(np.stack([chroma[cid] for cid in ids]))
    np.testing.assert_allclose(saved.vectors, expected, rtol=0, atol=1e-6)


def _build(config: Config) -> str:
    return str(json.loads((index_dir(config) / "current.json").read_text())["build"]).removeprefix("build-")


def test_exact_filtered_search_equals_brute_force_and_chromas_filtered_query(minilm: Config) -> None:
    saved = load(index_dir(minilm))
    assert saved is not None and saved.vectors is not None
    store = _minilm_store(minilm)
    embedder = MiniLMEmbedder()
    outlets = saved.columns.strings["outlet"].values
    days = sorted({p[:10] for p in saved.columns.strings["published"].values if p})
    checked = 0
    for query, vector in zip(QUERIES, embedder.embed(QUERIES)):
        for outlet in outlets:
            mask = saved.columns.strings["outlet"].mask([outlet])
            rows, scores = nearest_rows(saved.vectors, vector, mask, 10)
            assert list(rows) == _brute_force(np.asarray(saved.vectors), vector, mask, 10)
            assert all(mask[rows]) and list(scores) == sorted(scores, reverse=True)
            chroma = store.query(vector.tolist(), 10, where={"outlet": outlet})
            assert [c.chunk_id for c in chroma] == [_ids(saved)[int(i)] for i in rows], (query, outlet)
            np.testing.assert_allclose(scores, [c.score for c in chroma], atol=1e-4)
            checked += 1
        retriever = HybridRetriever(store, embedder, config=minilm)
        retriever.retrieve(query, k=5)
        since = Filters(date_from=days[len(days) // 2])
        exact, chroma = retriever._vector(vector, since), retriever._chroma_vector(vector, since)
        assert [replace(c, score=0.0) for c in exact] == [replace(c, score=0.0) for c in chroma]
        np.testing.assert_allclose([c.score for c in exact], [c.score for c in chroma], atol=1e-4)
    assert checked >= 2 * len(QUERIES)


def test_nearest_rows_edges() -> None:
    rng = np.random.default_rng(0)
    matrix = unit_rows(rng.normal(size=(50, 8)))
    query = rng.normal(size=8)
    everything = np.ones(50, dtype=bool)
    rows, _scores = nearest_rows(matrix, query, None, 50)
    assert list(rows) == _brute_force(matrix, query, everything, 50)
    none = np.zeros(50, dtype=bool)
    assert len(nearest_rows(matrix, query, none, 10)[0]) == 0
    few = np.zeros(50, dtype=bool)
    few[[3, 7, 40]] = True
    assert sorted(nearest_rows(matrix, query, few, 10)[0]) == [3, 7, 40]
    twins = np.vstack([matrix[:1]] * 4)  # equal scores: by row, so every run agrees
    assert list(nearest_rows(twins, query, None, 3)[0]) == [0, 1, 2]


def _hashing_store(config: Config) -> ChromaStore:
    return ChromaStore.open(config, HashingEmbedder.name, HashingEmbedder.dim)


def _filtered_lists(retriever: HybridRetriever) -> list[list[tuple[str, float]]]:
    out = []
    for query, vector in zip(QUERIES, HashingEmbedder().embed(QUERIES)):
        retriever.retrieve(query, k=5)
        for outlet in retriever._index.columns.strings["outlet"].values:
            out.append([(c.chunk_id, c.score) for c in retriever._vector(vector, Filters(outlets=(outlet,)))])
    return out


def _agree(a: list[list[tuple[str, float]]], b: list[list[tuple[str, float]]]) -> None:
    """The same lists up to the order of equal scores (the hashing embedder's vectors tie often)."""
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_allclose([s for _c, s in x], [s for _c, s in y], atol=1e-5)
        if x:
            cut = x[-1][1] + 1e-5  # chunks tied with the last place may be cut either way
            assert {c for c, s in x if s > cut} == {c for c, s in y if s > cut}


def test_stale_or_missing_vectors_fall_back_to_chroma_logged_once(
    hashing_config: Config, caplog: pytest.LogCaptureFixture
) -> None:
    ingest([GOLD], hashing_config, progress=False)
    store = _hashing_store(hashing_config)
    first = HybridRetriever(store, HashingEmbedder(), config=hashing_config)
    exact = _filtered_lists(first)
    assert first._index.vectors is not None
    # an index saved before vectors were: no vectors file in its build
    path = index_dir(hashing_config)
    (path / f"build-{_build(hashing_config)}" / FILE).unlink()
    saved = load(path)
    assert saved is not None and saved.vectors is None
    retriever = HybridRetriever(store, HashingEmbedder(), config=hashing_config)
    with caplog.at_level(logging.INFO, logger="assistant.retrieval.hybrid"):
        _agree(_filtered_lists(retriever), exact)
    assert sum("filtered vector lists query Chroma" in r.message for r in caplog.records) == 1
    # the next writer adds the vectors to the current index without rebuilding it
    refresh(store, hashing_config)
    upgraded = load(path)
    assert upgraded is not None and upgraded.vectors is not None and upgraded.generation == saved.generation
    # a write the saved index has not seen: it is stale, the retriever builds its own (no vectors)
    store.delete_articles([sorted(store.articles())[0]])
    retriever = HybridRetriever(store, HashingEmbedder(), config=hashing_config)
    retriever.retrieve(QUERIES[0], k=5)
    assert retriever._index.vectors is None and retriever._index.generation == store.generation()
    refresh(store, hashing_config)  # as the next ingest or `newsdesk check --repair` does
    fresh = load(path)
    assert fresh is not None and fresh.vectors is not None and fresh.generation == store.generation()
    chroma = store.vectors_by_id(_ids(fresh))
    np.testing.assert_allclose(fresh.vectors, unit_rows(np.stack([chroma[c] for c in _ids(fresh)])), atol=1e-6)


def test_an_incremental_ingest_reuses_rows_and_matches_chroma(tmp_path: Path, hashing_config: Config) -> None:
    ingest([ROOT / "seeds"], hashing_config, progress=False)
    ingest([GOLD], hashing_config, progress=False)
    saved = load(index_dir(hashing_config))
    assert saved is not None and saved.vectors is not None
    chroma = _hashing_store(hashing_config).vectors_by_id(_ids(saved))
    np.testing.assert_allclose(saved.vectors, unit_rows(np.stack([chroma[c] for c in _ids(saved)])), atol=1e-6)
