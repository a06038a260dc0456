"""The query is embedded in a worker thread while the BM25 lists are scored: every ranked list,
score and fused hit is the same as when it is embedded first, in the calling thread; the
embedder's errors still reach the caller."""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence

import numpy as np
import pytest

from assistant import Assistant
from assistant.config import Config
from assistant.retrieval import Filters, HybridRetriever
from index.embedders import MiniLMEmbedder
from index.ingest import ingest
from index.store import ChromaStore
from tests.conftest import ROOT

SMALL = ROOT / "tests" / "data" / "multihop-rag"  # 20 short articles, 10 outlets, 7 questions naming them
QUESTIONS = [q["query"] for q in json.loads((SMALL / "queries_dev.json").read_text(encoding="utf-8"))]
MORE = [  # a date, a range, no outlet at all
    "What did TechWire report on the Nova 3 in October 2023, and what did Market Brief say after that?",
    "Which lander found signs of water ice?",
]
FILTERS = (None, Filters(outlets=("TechWire", "Market Brief", "The Ledger Post")))


@pytest.fixture(scope="module")
def minilm(tmp_path_factory: pytest.TempPathFactory) -> Config:
    config = Config(data_dir=tmp_path_factory.mktemp("small"), embedder="minilm", backend="extractive")
    assert ingest([SMALL / "corpus.json"], config, progress=False).ok
    return config


def _retriever(config: Config, embedder: MiniLMEmbedder | None = None, aside: bool = True) -> HybridRetriever:
    store = ChromaStore.open(config, MiniLMEmbedder.name, MiniLMEmbedder.dim, create=False)
    return HybridRetriever(store, embedder or MiniLMEmbedder(), config=config, embed_aside=aside)


def test_embedding_beside_the_keyword_lists_changes_no_list_and_no_hit(minilm: Config) -> None:
    aside, first = _retriever(minilm), _retriever(minilm, aside=False)
    vector_lists = 0
    for question in QUESTIONS + MORE:
        for filters in FILTERS:
            got, expected = aside.candidates(question, filters), first.candidates(question, filters)
            assert got == expected, question  # every list, in order, chunks and scores exactly
            vector_lists += sum(1 for kind, _ranked in got.lists if kind.endswith("vector"))
            assert aside.retrieve(question, 10, filters) == first.retrieve(question, 10, filters), question
    assert vector_lists >= 2 * len(QUESTIONS)  # the questions naming outlets did compute vector lists


class _Counting(MiniLMEmbedder):
    """MiniLM, recording which thread each call ran in."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: list[str] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.threads.append(threading.current_thread().name)
        return super().embed(texts)


def test_the_question_and_its_parts_are_embedded_once_in_a_worker_thread(minilm: Config) -> None:
    embedder = _Counting()
    retriever = _retriever(minilm, embedder)
    assert retriever.retrieve(QUESTIONS[0], 10)
    assert len(embedder.threads) == 1  # one batch: the question and its parts
    assert embedder.threads[0] != threading.current_thread().name
    assert embedder.threads[0].startswith("newsdesk-query-embedding")


class _Broken(MiniLMEmbedder):
    def embed(self, texts: Sequence[str]) -> np.ndarray:
        raise RuntimeError("the embedder is gone")


def test_an_embedder_error_reaches_the_caller(minilm: Config) -> None:
    with pytest.raises(RuntimeError, match="the embedder is gone"):
        _retriever(minilm, _Broken()).retrieve(QUESTIONS[0], 10)


def test_the_query_session_gives_the_ingest_sessions_vectors_bit_for_bit() -> None:
    ingest_side = MiniLMEmbedder()
    queries = ingest_side.for_queries()
    assert queries._session is not ingest_side._session  # its own session, without spinning threads
    assert queries.for_queries()._session is queries._session  # one per process
    texts = QUESTIONS + MORE + [p for q in QUESTIONS for p in q.split(", ")]
    assert np.array_equal(queries.embed(texts), ingest_side.embed(texts))
    for text in texts[:6]:
        assert np.array_equal(queries.embed([text]), ingest_side.embed([text]))


def test_the_warm_up_loads_the_query_session(minilm: Config) -> None:
    retriever = _retriever(minilm)
    assert retriever._embedding._queries is None  # opening loads nothing more than before
    retriever.warm_up().join(timeout=60)
    assert retriever._embedding._queries is not None


def test_a_retrieving_process_never_builds_the_ingest_session(minilm: Config) -> None:
    embedder = MiniLMEmbedder()
    assert embedder._model is None  # loaded at its first use
    bot = Assistant.from_config(minilm, embedder=embedder)  # loads the query session beside Chroma
    assert bot.retrieve(QUESTIONS[0], k=10)
    assert embedder._model is None  # the query session embedded the question
    assert embedder.token_count("one two") == 4 and embedder._model is not None  # [CLS] one two [SEP]
