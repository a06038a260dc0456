"""The retriever's warm-up: a background thread loads the keyword index and Chroma's vector index
before the first retrieval asks for them; when it fails, retrieval works as without it."""

from __future__ import annotations

import logging

import pytest

from assistant import Assistant
from assistant.config import Config
from index.ingest import ingest
from index.keyword_store import index_dir
from index.store import ChromaStore
from index.vector_matrix import FILE
from tests.conftest import ROOT

QUESTION = "What did the central bank decide about interest rates?"


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory) -> Config:
    config = Config(data_dir=tmp_path_factory.mktemp("news"), embedder="hashing", backend="extractive")
    assert ingest([ROOT / "tests" / "gold" / "news_corpus.json"], config, progress=False).ok
    return config


def _ids(bot: Assistant) -> list[str]:
    return [s.chunk_id for s in bot.retrieve(QUESTION, k=10)]


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    warmed: list[int] = []
    original = ChromaStore.warm
    monkeypatch.setattr(ChromaStore, "warm", lambda self: (warmed.append(1), original(self))[1])
    return warmed


def test_a_warm_up_loads_what_the_first_retrieval_needs(news: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    warmed = _counting(monkeypatch)
    bot = Assistant.from_config(news)  # starts the warm-up
    bot._retriever.warm_up().join(timeout=60)
    loaded = bot._retriever._kw
    assert loaded is not None and loaded.vectors is not None
    assert not warmed  # the vector lists search the saved vectors: Chroma's index is not loaded
    assert _ids(bot)
    assert bot._retriever._kw is loaded  # the first retrieval used the index the warm-up loaded


@pytest.fixture
def without_vectors(hashing_config: Config) -> Config:
    """An index whose keyword index was saved before vectors were: vector lists query Chroma."""
    assert ingest([ROOT / "tests" / "gold" / "news_corpus.json"], hashing_config, progress=False).ok
    for saved in index_dir(hashing_config).glob(f"build-*/{FILE}"):
        saved.unlink()
    return hashing_config


def test_chroma_is_warmed_when_the_vector_lists_query_it(
    without_vectors: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    warmed = _counting(monkeypatch)
    bot = Assistant.from_config(without_vectors)
    bot._retriever.warm_up().join(timeout=60)
    assert warmed and bot._retriever._kw is not None and bot._retriever._kw.vectors is None


def test_a_warm_up_that_fails_does_not_break_retrieval(
    without_vectors: Config, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    expected = _ids(Assistant.from_config(without_vectors))

    def broken(self: ChromaStore) -> None:
        raise RuntimeError("the vector index cannot be loaded")

    monkeypatch.setattr(ChromaStore, "warm", broken)
    with caplog.at_level(logging.INFO, logger="assistant.retrieval.hybrid"):
        bot = Assistant.from_config(without_vectors)
        bot._retriever.warm_up().join(timeout=60)
    assert "warm-up failed" in caplog.text
    assert _ids(bot) == expected
