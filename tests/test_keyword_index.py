"""The keyword index saved beside the Chroma data: it ranks exactly as a rebuild from Chroma, a new
process loads it instead of rebuilding, it is never used once Chroma changed (also after a writer
was killed midway, and across processes on a Chroma server), and ``newsdesk check`` repairs it."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

import bm25s
import numpy as np
import pytest

from assistant import Assistant
from assistant.config import Config
from assistant.retrieval import Candidates, FusionWeights, HybridRetriever
from index.check import check
from index.chunker import embedding_text
from index.embedders import HashingEmbedder
from index.ingest import ingest
from index.keyword import KeywordIndex, stemmer
from index.keyword_store import index_dir, load
from index.store import ChromaStore
from tests.conftest import ROOT

GOLD = ROOT / "tests" / "gold"
QUESTIONS = [json.loads(line)["question"] for line in (GOLD / "news.jsonl").read_text(encoding="utf-8").splitlines()]
FEW = QUESTIONS[::5]
# the whole-question vector list is left out: Chroma's HNSW search itself varies between runs
KEYWORD_KINDS = FusionWeights(vector=0.0, outlet_vector=0.0, part_vector=0.0, names=1.0)


def _store(config: Config) -> ChromaStore:
    return ChromaStore.open(config, HashingEmbedder.name, HashingEmbedder.dim)


def _retriever(config: Config, persisted: bool = True) -> HybridRetriever:
    return HybridRetriever(_store(config), HashingEmbedder(), config=config if persisted else None)


def _lists(retriever: HybridRetriever, query: str) -> tuple[Candidates, list[tuple[str, list[tuple[str, float]]]]]:
    candidates = retriever.candidates(query, weights=KEYWORD_KINDS)
    return candidates, [(kind, [(c.chunk_id, c.score) for c in ranked]) for kind, ranked in candidates.lists]


def _rankings(retriever: HybridRetriever, questions: list[str] = QUESTIONS) -> dict[str, object]:
    out: dict[str, object] = {}
    for query in questions:
        candidates, lists = _lists(retriever, query)
        fused = [h.chunk.chunk_id for h in retriever.rank(candidates, 10, KEYWORD_KINDS)]
        out[query] = (lists, candidates.named, fused, retriever.article_texts(c.split(":")[0] for c in fused))
    return out


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory) -> Config:
    config = Config(data_dir=tmp_path_factory.mktemp("news"), embedder="hashing", backend="extractive")
    assert ingest([GOLD / "news_corpus.json"], config, progress=False).ok
    return config


def test_a_new_process_loads_the_saved_index_and_ranks_as_a_rebuild(
    news: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    rebuilt = _rankings(_retriever(news, persisted=False))
    saved = load(index_dir(news))
    assert saved is not None and saved.generation == _store(news).generation()

    def no_rebuild(*_args: object, **_kw: object) -> KeywordIndex:
        raise AssertionError("the saved index should have been loaded, not rebuilt")

    monkeypatch.setattr(KeywordIndex, "build", no_rebuild)
    assert _rankings(_retriever(news)) == rebuilt


def test_saved_scores_equal_bm25s_built_from_chroma_as_before(news: Config) -> None:
    """The saved BM25 holds the very scores of a bm25s index built the way the retriever used to
    build it (every chunk read from Chroma, tokenized with its vocabulary)."""
    chunks = _store(news).all_chunks()
    before = bm25s.BM25()
    before.index(bm25s.tokenize([embedding_text(c) for c in chunks], stopwords="en", stemmer=stemmer(),
                                show_progress=False), show_progress=False)
    saved = load(index_dir(news))
    assert saved is not None and len(saved) == len(chunks)
    assert [saved.columns.chunk(i) for i in range(len(saved))] == chunks
    terms = {t for q in QUESTIONS for t in bm25s.tokenize(q, stopwords="en", stemmer=stemmer(),
                                                         return_ids=False, show_progress=False)[0]}
    for term in sorted(terms):
        old, new = before.get_tokens_ids([term]), saved.chunk_bm25.get_tokens_ids([term])
        assert bool(old) == bool(new), term
        if old:
            assert np.array_equal(before.get_scores(old), saved.chunk_bm25.get_scores(new)), term


def test_a_rebuild_reusing_a_previous_index_equals_a_fresh_one(news: Config) -> None:
    chunks = _store(news).all_chunks()
    half = KeywordIndex.build([c for c in chunks if c.doc_id < chunks[len(chunks) // 2].doc_id] + chunks[-3:])
    reused, fresh = KeywordIndex.build(chunks, previous=half), KeywordIndex.build(chunks)
    assert sorted(reused.vocab) == sorted(fresh.vocab)
    for term in fresh.vocab[:400]:
        for a, b in ((reused.chunk_bm25, fresh.chunk_bm25), (reused.article_bm25, fresh.article_bm25)):
            assert np.array_equal(a.get_scores(a.get_tokens_ids([term])), b.get_scores(b.get_tokens_ids([term])))


def test_a_write_outside_ingest_makes_the_saved_index_stale_until_repaired(hashing_config: Config) -> None:
    ingest([GOLD / "news_corpus.json"], hashing_config, progress=False)
    store = _store(hashing_config)
    gone = sorted(store.articles())[0]
    store.delete_articles([gone])  # no keyword refresh, as a killed writer would leave it
    assert check(hashing_config, deep=False).keyword == "stale"
    retriever = _retriever(hashing_config)
    hits = retriever.retrieve(QUESTIONS[0], k=20, filters=None)
    assert hits and gone not in {h.chunk.doc_id for h in hits} and retriever._index.generation == store.generation()
    repaired = check(hashing_config, repair=True)
    assert repaired.keyword == "stale" and repaired.keyword_rebuilt and repaired.ok
    assert check(hashing_config).consistent
    # deleting through the Assistant keeps the saved index current
    Assistant.from_config(hashing_config).delete_article(sorted(store.articles())[0])
    assert check(hashing_config).keyword == ""


def test_deep_check_finds_a_change_that_did_not_stamp_a_generation(hashing_config: Config) -> None:
    ingest([GOLD / "news_corpus.json"], hashing_config, progress=False)
    store = _store(hashing_config)
    doc = sorted(store.articles())[1]
    store._articles.delete(ids=[doc])  # as an older newsdesk would: no stamp
    store._chunks.delete(where={"doc_id": doc})
    assert check(hashing_config, deep=False).keyword == ""
    assert check(hashing_config).keyword == "drifted"
    assert check(hashing_config, repair=True).ok
    assert check(hashing_config).consistent
    saved = load(index_dir(hashing_config))
    assert saved is not None and doc not in {saved.columns.chunk(i).doc_id for i in range(len(saved))}


CHILD = """
import importlib, logging, sys
from pathlib import Path
from assistant.config import Config
from index.ingest import ingest
importlib.import_module("index.embed_and_store").GROUP_CHUNKS = 4
logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
ingest([Path(sys.argv[2])], Config(data_dir=Path(sys.argv[1]), embedder="hashing"), progress=False)
"""


def test_sigkill_midway_leaves_no_index_that_disagrees_with_chroma(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "news.json").write_bytes((GOLD / "news_corpus.json").read_bytes())
    killed = Config(data_dir=tmp_path / "killed", embedder="hashing")
    ingest([ROOT / "seeds"], killed, progress=False)  # a saved index from an earlier run
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(killed.data_dir), str(folder)], cwd=ROOT,
                             stderr=subprocess.PIPE, text=True, env={**os.environ, "TOKENIZERS_PARALLELISM": "false"})
    assert child.stderr is not None
    for line in child.stderr:
        if line.startswith("wrote "):
            child.send_signal(signal.SIGKILL)
            break
    child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL
    # a reader after the kill: the saved index (seeds only) is stale, so it is not used
    store = _store(killed)
    retriever = _retriever(killed)
    retriever.retrieve("OpenAI interim CEO", k=5)
    assert set(retriever._index.columns.chunk_id.take(np.arange(len(retriever._index)))) == store.chunk_ids()
    assert _rankings(retriever, FEW) == _rankings(_retriever(killed, persisted=False), FEW)
    # the next ingest saves an index equal to an uninterrupted run's
    ingest([folder], killed, progress=False)
    clean = Config(data_dir=tmp_path / "clean", embedder="hashing")
    ingest([ROOT / "seeds"], clean, progress=False)
    ingest([folder], clean, progress=False)
    assert check(killed).consistent and check(clean).consistent
    assert _rankings(_retriever(killed), FEW) == _rankings(_retriever(clean), FEW)


def test_a_half_written_build_is_ignored(news: Config, caplog: pytest.LogCaptureFixture) -> None:
    path = index_dir(news)
    (path / "build-halfwritten").mkdir(exist_ok=True)  # a save killed before its rename
    assert load(path) is not None
    pointer = json.loads((path / "current.json").read_text())
    (path / "current.json").write_text(json.dumps({**pointer, "build": "build-halfwritten"}))
    with caplog.at_level(logging.WARNING):
        assert load(path) is None
    (path / "current.json").write_text(json.dumps(pointer))


def test_with_a_chroma_server_every_process_sees_a_change(chroma_server: tuple[str, int], tmp_path: Path) -> None:
    host, port = chroma_server
    writer = Config(data_dir=tmp_path / "writer", embedder="hashing", collection="kwindex", chroma_host=host,
                    chroma_port=port)
    ingest([GOLD / "news_corpus.json"], writer, progress=False)
    other = writer.replace(data_dir=tmp_path / "other")  # another machine: no saved index
    assert load(index_dir(other)) is None and load(index_dir(writer)) is not None
    here, there = _retriever(writer), _retriever(other)
    assert _rankings(here, FEW) == _rankings(there, FEW)
    gone = here.retrieve(QUESTIONS[0], k=1)[0].chunk.doc_id
    _store(other).delete_articles([gone])  # a write by the other process
    assert gone not in {h.chunk.doc_id for h in here.retrieve(QUESTIONS[0], k=20)}
