"""The retriever's warm-up: a background thread loads the keyword index and Chroma's vector index
before the first retrieval asks for them; when it fails, retrieval works as without it."""

from __future__ import annotations

import logging

import pytest

from assistant import Assistant
from assistant.config import Config
from assistant.retrieval import FusionWeights
from index.ingest import ingest
from index.store import ChromaStore
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
    assert not warmed  # every vector list searches the saved vectors: Chroma's index is not loaded
    assert _ids(bot)
    assert bot._retriever._kw is loaded  # the first retrieval used the index the warm-up loaded


def test_chroma_is_warmed_when_the_whole_question_list_queries_it(
    news: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    warmed = _counting(monkeypatch)
    bot = Assistant.from_config(news)
    bot._retriever.weights = FusionWeights(vector=1.0)
    bot._retriever.warm_up().join(timeout=60)
    assert warmed


def test_a_warm_up_that_fails_does_not_break_retrieval(
    news: Config, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    weights = FusionWeights(vector=1.0)
    reference = Assistant.from_config(news)
    reference._retriever.weights = weights
    expected = _ids(reference)

    def broken(self: ChromaStore) -> None:
        raise RuntimeError("the vector index cannot be loaded")

    monkeypatch.setattr(ChromaStore, "warm", broken)
    with caplog.at_level(logging.INFO, logger="assistant.retrieval.hybrid"):
        bot = Assistant.from_config(news)
        bot._retriever.weights = weights
        bot._retriever.warm_up().join(timeout=60)
    assert "warm-up failed" in caplog.text
    assert _ids(bot) == expected
